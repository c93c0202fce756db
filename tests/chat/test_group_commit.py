"""chat.conversations.group_commit: several sockets' messages in one transaction, and what it leaves to post_message."""

import asyncio
import random
import threading

import pytest
from django.db import IntegrityError, close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from chat.conversations import assignment, batch_sql, group_commit, log, presence, rules, services
from chat.conversations.errors import ChatEnded, EmptyMessage, MessageTooLong, NotYourChat
from chat.conversations.group_commit import PendingMessage, post_messages
from chat.conversations.models import Chat, ChatStatus, Message, Party


def active_chat(make_chat, channel, agent, **fields):
    chat, _token = make_chat(channel, **fields)
    assignment.accept_chat(chat, agent=agent)
    chat.refresh_from_db()
    return chat


def log_of(chat):
    return list(Message.objects.filter(chat=chat).order_by("seq").values_list("seq", "author", "body", "client_id"))


def test_messages_to_several_chats_are_stored_in_order_and_announced_together(
    make_channel, make_agent, make_chat, sent_events, django_capture_on_commit_callbacks, caplog
):
    channel = make_channel()
    agent = make_agent(channel)
    first = active_chat(make_chat, channel, agent, name="Erika")
    second = active_chat(make_chat, channel, agent, name="Max")
    start = {first.pk: first.last_seq, second.pk: second.last_seq}
    sent_events.clear()
    caplog.set_level("DEBUG", logger="chat.conversations.group_commit")

    with django_capture_on_commit_callbacks(execute=True):
        results = post_messages(
            [
                PendingMessage(second.pk, Party.CUSTOMER, "  from Max  ", "m-1"),
                PendingMessage(first.pk, Party.CUSTOMER, "from Erika", "e-1"),
                PendingMessage(first.pk, Party.AGENT, "to Erika", "a-1", agent=agent),
                PendingMessage(second.pk, Party.AGENT, "to Max", "a-2", agent=agent),
            ]
        )

    assert "failed as a whole" not in caplog.text, "stored as one batch, not one by one"
    assert [(r.chat_id, r.seq) for r in results] == [
        (second.pk, start[second.pk] + 1),
        (first.pk, start[first.pk] + 1),
        (first.pk, start[first.pk] + 2),
        (second.pk, start[second.pk] + 2),
    ]
    assert log_of(first)[-2:] == [
        (start[first.pk] + 1, "customer", "from Erika", "e-1"),
        (start[first.pk] + 2, "agent", "to Erika", "a-1"),
    ]
    assert log_of(second)[-2:] == [
        (start[second.pk] + 1, "customer", "from Max", "m-1"),
        (start[second.pk] + 2, "agent", "to Max", "a-2"),
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.last_seq, second.last_seq) == (start[first.pk] + 2, start[second.pk] + 2)
    announced = [(group, event["message"]["seq"], event["message"]["author_name"]) for group, event in sent_events]
    assert announced == [
        (f"chat.{first.pk}", start[first.pk] + 1, "Erika"),
        (f"chat.{first.pk}", start[first.pk] + 2, agent.first_name),
        (f"chat.{second.pk}", start[second.pk] + 1, "Max"),
        (f"chat.{second.pk}", start[second.pk] + 2, agent.first_name),
    ]
    stored = Message.objects.get(chat=first, client_id="e-1")
    assert stored.created_at == results[1].created_at and stored.params == {} and stored.kind == "text"


def test_a_bad_message_gets_its_own_error_and_costs_the_others_nothing(
    make_channel, make_agent, make_chat, sent_events
):
    channel = make_channel()
    agent = make_agent(channel)
    colleague = make_agent(channel)
    open_chat = active_chat(make_chat, channel, agent)
    ended, _token = make_chat(channel)
    services.end_chat(ended, by=Party.CUSTOMER)
    ended_count = Message.objects.filter(chat=ended).count()
    start = open_chat.last_seq

    results = post_messages(
        [
            PendingMessage(open_chat.pk, Party.CUSTOMER, "   ", "blank"),
            PendingMessage(open_chat.pk, Party.CUSTOMER, "x" * (log.MAX_MESSAGE_LENGTH + 1), "long"),
            PendingMessage(open_chat.pk, Party.AGENT, "not my chat", "c-1", agent=colleague),
            PendingMessage(ended.pk, Party.CUSTOMER, "too late", "late"),
            PendingMessage(open_chat.pk, Party.CUSTOMER, "fine", "ok"),
            PendingMessage(987654, Party.CUSTOMER, "no such chat", "gone"),
        ]
    )

    assert [type(r) for r in results] == [EmptyMessage, MessageTooLong, NotYourChat, ChatEnded, Message, NotYourChat]
    assert results[4].seq == start + 1
    assert log_of(open_chat)[-1] == (start + 1, "customer", "fine", "ok")
    assert Message.objects.filter(chat=ended).count() == ended_count


def test_a_resend_returns_the_stored_message_and_announces_it_again(
    make_channel, make_agent, make_chat, sent_events, django_capture_on_commit_callbacks
):
    channel = make_channel()
    agent = make_agent(channel)
    chat = active_chat(make_chat, channel, agent)
    [first] = post_messages([PendingMessage(chat.pk, Party.CUSTOMER, "hello", "c-1")])
    sent_events.clear()

    # The resend, a new message in the same batch, and the same new message
    # twice (two sockets of one client resending at once).
    with django_capture_on_commit_callbacks(execute=True):
        results = post_messages(
            [
                PendingMessage(chat.pk, Party.CUSTOMER, "hello", "c-1"),
                PendingMessage(chat.pk, Party.CUSTOMER, "and more", "c-2"),
                PendingMessage(chat.pk, Party.CUSTOMER, "and more", "c-2"),
            ]
        )

    assert [r.seq for r in results] == [first.seq, first.seq + 1, first.seq + 1]
    assert [row[3] for row in log_of(chat)].count("c-1") == 1
    assert [row[3] for row in log_of(chat)].count("c-2") == 1
    assert {event["message"]["seq"] for _group, event in sent_events} == {first.seq, first.seq + 1}


def test_a_batch_that_fails_as_a_whole_is_stored_one_by_one(
    make_channel, make_agent, make_chat, sent_events, monkeypatch, django_capture_on_commit_callbacks
):
    channel = make_channel()
    agent = make_agent(channel)
    chats = [active_chat(make_chat, channel, agent) for _ in range(3)]

    def clash(messages, **shared):
        raise IntegrityError("as if another process had stored one of them")

    monkeypatch.setattr(batch_sql, "insert_messages", clash)  # SQLite's steps
    monkeypatch.setattr(
        batch_sql, "store_messages", lambda pending, **shared: clash(pending)
    )  # PostgreSQL's one statement
    with django_capture_on_commit_callbacks(execute=True):
        results = post_messages(
            [PendingMessage(chat.pk, Party.CUSTOMER, f"to {chat.pk}", f"c-{chat.pk}") for chat in chats]
        )

    for chat, result in zip(chats, results, strict=True):
        chat.refresh_from_db()
        assert result.seq == chat.last_seq
        assert log_of(chat)[-1] == (chat.last_seq, "customer", f"to {chat.pk}", f"c-{chat.pk}")
    assert sorted(
        event["message"]["client_id"] for _group, event in sent_events if event["type"] == "chat.message"
    ) == sorted(f"c-{chat.pk}" for chat in chats)


def test_the_batch_stores_exactly_what_may_post_allows(make_channel, make_agent, make_chat, sent_events, monkeypatch):
    """
    The batch decides rules.may_post itself (on PostgreSQL in SQL); whatever
    it leaves, services.post_message decides one by one. The two must agree
    for every status and author, or a message would skip a rule.
    """
    channel = make_channel(max_chats_per_agent=10)
    agent = make_agent(channel)
    colleague = make_agent(channel)
    queued, _token = make_chat(channel)
    active = active_chat(make_chat, channel, agent)
    ended = active_chat(make_chat, channel, agent)
    services.end_chat(ended, by=Party.AGENT, agent=agent)
    one_by_one = []
    post_one = group_commit._post_one

    def counting(pending):
        one_by_one.append(pending.client_id)
        return post_one(pending)

    monkeypatch.setattr(group_commit, "_post_one", counting)
    for chat in (queued, active, ended):
        chat = Chat.objects.get(pk=chat.pk)
        assert chat.status == {queued.pk: ChatStatus.QUEUED, active.pk: ChatStatus.ACTIVE}.get(
            chat.pk, ChatStatus.ENDED
        )
        # The customer last: a message of theirs may reopen the ended chat.
        for author, who in (
            (Party.AGENT, agent),
            (Party.AGENT, colleague),
            (Party.AGENT, None),
            (Party.CUSTOMER, None),
        ):
            client_id = f"{chat.status}-{author}-{who.pk if who else '-'}"
            expected_in_batch = rules.may_post(chat, author=author, agent=who)
            one_by_one.clear()
            post_messages([PendingMessage(chat.pk, author, "hello", client_id, agent=who)])
            assert (one_by_one == []) == expected_in_batch, client_id
            chat.refresh_from_db()


@pytest.mark.production
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_batch_is_one_statement(make_channel, make_agent, make_chat, sent_events):
    """One round trip for a batch (no BEGIN, no COMMIT: the statement is its own transaction), resends and all."""
    # The production leg runs on PostgreSQL: a batch there must take the one-statement path, never skip it.
    assert batch_sql.in_one_statement(), "the production tests run on PostgreSQL (DATABASE_URL)"
    channel = make_channel(max_chats_per_agent=10)
    agent = make_agent(channel)
    chats = [active_chat(make_chat, channel, agent) for _ in range(3)]
    [first] = post_messages([PendingMessage(chats[0].pk, Party.CUSTOMER, "hello", "c-1")])
    starts = {chat.pk: Chat.objects.get(pk=chat.pk).last_seq for chat in chats}
    sent_events.clear()

    with CaptureQueriesContext(connection) as queries:
        results = post_messages(
            [
                PendingMessage(chats[1].pk, Party.CUSTOMER, "one", "c-2"),
                PendingMessage(chats[2].pk, Party.AGENT, "two", "a-1", agent=agent),
                PendingMessage(chats[1].pk, Party.AGENT, "three", "a-2", agent=agent),
                PendingMessage(chats[2].pk, Party.CUSTOMER, "four", ""),
            ]
        )

    assert len(queries) == 1, [q["sql"][:60] for q in queries]
    assert [(r.chat_id, r.seq) for r in results] == [
        (chats[1].pk, starts[chats[1].pk] + 1),
        (chats[2].pk, starts[chats[2].pk] + 1),
        (chats[1].pk, starts[chats[1].pk] + 2),
        (chats[2].pk, starts[chats[2].pk] + 2),
    ]
    for chat in chats[1:]:
        stored = Chat.objects.get(pk=chat.pk)
        assert stored.last_seq == starts[chat.pk] + 2
        assert stored.first_response_at is not None
    assert [(e["chat_id"], e["message"]["seq"]) for _g, e in sent_events] == sorted((r.chat_id, r.seq) for r in results)
    assert all(r.chat.last_seq == r.seq or r.chat.last_seq == r.seq + 1 for r in results)

    # A resend (stored before), beside a new one: the resend goes one by one and keeps its seq.
    results = post_messages(
        [
            PendingMessage(chats[0].pk, Party.CUSTOMER, "hello", "c-1"),
            PendingMessage(chats[0].pk, Party.CUSTOMER, "more", "c-3"),
        ]
    )
    assert [r.seq for r in results] == [first.seq, starts[chats[0].pk] + 1]
    assert Message.objects.filter(chat=chats[0], client_id="c-1").count() == 1

    # By now the statement ran often enough on this connection to be prepared (planned once).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%WITH batch AS%"])
        assert cursor.fetchone() == (1,)


def test_the_insert_names_every_column_of_a_message():
    columns = {field.column for field in Message._meta.concrete_fields if not field.primary_key}
    assert set(batch_sql.INSERT_COLUMNS) == columns


@pytest.mark.django_db(transaction=True)
async def test_messages_that_arrive_together_share_a_transaction(
    make_channel, make_agent, make_chat, sent_events, monkeypatch
):
    from asgiref.sync import sync_to_async

    channel = await sync_to_async(make_channel)(max_chats_per_agent=20)
    agent = await sync_to_async(make_agent)(channel)
    chats = [await sync_to_async(active_chat)(make_chat, channel, agent) for _ in range(20)]
    batches = []
    store = group_commit.store_batch

    async def counting(requests, pg):
        batches.append(len(requests))
        return await store(requests, pg)

    monkeypatch.setattr(group_commit, "store_batch", counting)
    requests = [PendingMessage(chat.pk, Party.CUSTOMER, f"message {n}", f"c-{n}") for chat in chats for n in range(3)]
    results = await asyncio.gather(*(group_commit.post(request) for request in requests))

    assert sum(batches) == len(requests)
    assert len(batches) <= group_commit.CONCURRENT_BATCHES + 1, "waiting messages go together"
    for chat in chats:
        seqs = [r.seq for r, q in zip(results, requests, strict=True) if q.chat_id == chat.pk]
        assert sorted(seqs) == list(range(chat.last_seq + 1, chat.last_seq + 4))
    with pytest.raises(EmptyMessage):
        await group_commit.post(PendingMessage(chats[0].pk, Party.CUSTOMER, "", "empty"))


@pytest.mark.production
@pytest.mark.django_db(transaction=True)
def test_batches_and_presence_touches_never_deadlock(make_channel, make_agent, make_chat):
    """
    Each batch and each touch locks many chat rows at once; locked in
    different orders, PostgreSQL finds deadlocks within seconds (a batch then
    falls back, a touch is lost). Both lock in order of id.
    """
    channel = make_channel(max_chats_per_agent=40)
    agent = make_agent(channel)
    chat_ids = [active_chat(make_chat, channel, agent).pk for _ in range(40)]
    failures = []
    stop = threading.Event()

    def batches(worker):
        counter = 0
        try:
            while not stop.is_set():
                counter += 1
                picked = random.sample(chat_ids, 25)
                requests = {
                    n: PendingMessage(chat_id, Party.CUSTOMER, "x", f"w{worker}-{counter}-{n}")
                    for n, chat_id in enumerate(picked)
                }
                group_commit._store_batch(requests)
        except Exception as error:
            failures.append(error)
        finally:
            close_old_connections()
            connection.close()

    def touches():
        try:
            while not stop.is_set():
                presence.touch_customers(random.sample(chat_ids, len(chat_ids)))
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=batches, args=(n,)) for n in range(3)] + [
        threading.Thread(target=touches) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    stop.wait(4)
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
    for chat in Chat.objects.filter(pk__in=chat_ids):
        assert list(chat.messages.order_by("seq").values_list("seq", flat=True)) == list(range(1, chat.last_seq + 1))
