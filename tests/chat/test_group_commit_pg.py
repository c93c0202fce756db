"""
chat.conversations.group_commit_pg: on PostgreSQL a batch's statement goes
out from the event loop, on its own connection, and survives that
connection's loss (a terminated backend) without losing or doubling a message.
"""

import asyncio
import threading

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections

from chat.conversations import assignment, group_commit
from chat.conversations.group_commit import PendingMessage
from chat.conversations.models import Chat, Message, Party

pytestmark = [pytest.mark.production, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def close_test_connections():
    """The ORM runs in worker threads here; their connections go, so the test database can be dropped."""
    yield
    connections.close_all()


def active_chat(make_chat, channel, agent):
    chat, _token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)
    return Chat.objects.get(pk=chat.pk)


def stored_log(chat_id):
    return list(Message.objects.filter(chat_id=chat_id).order_by("seq").values_list("seq", "client_id"))


@pytest.fixture
def hops(monkeypatch):
    """The calls that went to a database thread (one-by-one posts), by function name."""
    calls = []
    run_bare = group_commit.run_bare

    async def counting(func, *args):
        calls.append(func.__name__)
        return await run_bare(func, *args)

    monkeypatch.setattr(group_commit, "run_bare", counting)
    return calls


async def chats_of_an_agent(make_channel, make_agent, make_chat, count):
    channel = await sync_to_async(make_channel)(max_chats_per_agent=count)
    agent = await sync_to_async(make_agent)(channel)
    chats = [await sync_to_async(active_chat)(make_chat, channel, agent) for _ in range(count)]
    return agent, chats


def terminate(pid):
    """pg_terminate_backend from another connection (Django's, on a thread), as an operator or a crash would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)


async def test_a_batch_goes_from_the_event_loop_without_a_database_thread(
    make_channel, make_agent, make_chat, sent_events, hops
):
    agent, chats = await chats_of_an_agent(make_channel, make_agent, make_chat, 3)
    sent_events.clear()
    requests = [
        PendingMessage(chats[0].pk, Party.CUSTOMER, "  hello  ", "c-1"),
        PendingMessage(chats[1].pk, Party.AGENT, "an answer", "a-1", agent=agent),
        PendingMessage(chats[0].pk, Party.AGENT, "another", "a-2", agent=agent),
        PendingMessage(chats[2].pk, Party.CUSTOMER, "no client id", ""),
    ]
    results = await asyncio.gather(*(group_commit.post(request) for request in requests))

    assert hops == [], "nothing went to a database thread"
    pg = group_commit._batcher().pg
    assert pg is not None and pg.made in (1, 2)  # a connection per batch in flight
    by_chat = {}
    for request, result in zip(requests, results, strict=True):
        by_chat.setdefault(request.chat_id, []).append(result.seq)
        assert result._log_payload["body"] == request.body.strip()  # the ack's entry, built once
    for chat in chats:
        stored = await sync_to_async(Chat.objects.get)(pk=chat.pk)
        assert by_chat[chat.pk] == list(range(chat.last_seq + 1, stored.last_seq + 1))
    answered = await sync_to_async(lambda: {c.pk: c.first_response_at for c in Chat.objects.filter(pk__in=by_chat)})()
    assert answered[chats[1].pk] is not None and answered[chats[0].pk] is not None
    announced = [(event["chat_id"], event["message"]["seq"]) for _group, event in sent_events]
    assert sorted(announced) == sorted((r.chat_id, r.seq) for r in results)
    assert results[1]._log_payload["author_name"] == agent.first_name


async def test_a_connection_killed_while_idle_is_replaced_before_the_next_batch(
    make_channel, make_agent, make_chat, sent_events, hops
):
    _agent, [chat] = await chats_of_an_agent(make_channel, make_agent, make_chat, 1)
    first = await group_commit.post(PendingMessage(chat.pk, Party.CUSTOMER, "one", "c-1"))
    sent_events.clear()
    pg = group_commit._batcher().pg
    [(idle, _cursor)] = pg.idle
    killed = idle.info.backend_pid
    await sync_to_async(terminate)(killed)
    await asyncio.sleep(0.2)  # the backend's goodbye reaches the socket

    second = await group_commit.post(PendingMessage(chat.pk, Party.CUSTOMER, "two", "c-2"))

    assert second.seq == first.seq + 1
    assert hops == [], "the batch went on a new connection, not one by one"
    assert pg.made == 2 and pg.idle[0][0].info.backend_pid != killed
    assert (await sync_to_async(stored_log)(chat.pk))[-2:] == [(first.seq, "c-1"), (second.seq, "c-2")]
    assert first.seq == chat.last_seq + 1


async def test_a_batch_whose_backend_is_killed_under_it_is_stored_once_and_acked(
    make_channel, make_agent, make_chat, sent_events, hops
):
    """The batch waits for a chat's row lock; its backend is terminated there; the messages still get their acks."""
    _agent, chats = await chats_of_an_agent(make_channel, make_agent, make_chat, 2)
    await group_commit.post(PendingMessage(chats[0].pk, Party.CUSTOMER, "warm up", "c-0"))
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        # Another process's transaction on the chat, as a batch of its own would hold it.
        params = connections["default"].get_connection_params()
        params.pop("cursor_factory")
        with psycopg.connect(**params) as other, other.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Chat._meta.db_table} WHERE id = %s FOR UPDATE", [chats[1].pk])
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    await asyncio.to_thread(locked.wait, 10)
    requests = [
        PendingMessage(chats[0].pk, Party.CUSTOMER, "first", "c-1"),
        PendingMessage(chats[1].pk, Party.CUSTOMER, "second", "c-2"),
    ]
    sending = asyncio.gather(*(group_commit.post(request) for request in requests))

    def waiting_batch():
        with connection.cursor() as cursor:
            for _ in range(100):
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query LIKE %s",
                    ["%WITH batch AS%"],
                )
                row = cursor.fetchone()
                if row:
                    return row[0]
                threading.Event().wait(0.05)
        raise AssertionError("the batch never waited for the lock")

    await sync_to_async(terminate)(await sync_to_async(waiting_batch)())
    release.set()
    results = await sending
    await asyncio.to_thread(holder.join)

    assert hops == ["_post_each"], "the failed batch went one by one on a database thread"
    assert [(r.chat_id, r.client_id) for r in results] == [(chats[0].pk, "c-1"), (chats[1].pk, "c-2")]
    start = [chat.last_seq for chat in chats]
    assert [r.seq for r in results] == [start[0] + 2, start[1] + 1]
    assert (await sync_to_async(stored_log)(chats[0].pk))[start[0] :] == [(start[0] + 1, "c-0"), (start[0] + 2, "c-1")]
    assert (await sync_to_async(stored_log)(chats[1].pk))[start[1] :] == [(start[1] + 1, "c-2")]
    # The next batch goes on a new connection, from the loop again.
    third = await group_commit.post(PendingMessage(chats[1].pk, Party.CUSTOMER, "third", "c-3"))
    assert third.seq == start[1] + 2 and hops == ["_post_each"]
    assert group_commit._batcher().pg.made == 2


async def test_a_reply_lost_after_the_commit_is_acked_with_its_seq_and_not_stored_again(
    make_channel, make_agent, make_chat, sent_events, hops, monkeypatch
):
    _agent, [chat] = await chats_of_an_agent(make_channel, make_agent, make_chat, 1)
    pg = group_commit._batcher().pg
    store = pg.store
    committed = []

    async def commit_then_lose_the_reply(pending, **shared):
        committed.append(await store(pending, **shared))
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(pg, "store", commit_then_lose_the_reply)
    sent_events.clear()
    result = await group_commit.post(PendingMessage(chat.pk, Party.CUSTOMER, "once", "c-1"))

    [rows] = committed
    assert rows[0][0] == result.seq == chat.last_seq + 1, "acked with the seq it was committed with"
    assert hops == ["_post_each"]
    assert (await sync_to_async(stored_log)(chat.pk))[chat.last_seq :] == [(result.seq, "c-1")]
    # Announced by the one-by-one path, which found it stored.
    assert [(e["chat_id"], e["message"]["seq"]) for _g, e in sent_events] == [(chat.pk, result.seq)]


def test_the_connections_close_with_their_event_loop(make_channel, make_agent, make_chat, sent_events):
    channel = make_channel()
    chat = active_chat(make_chat, channel, make_agent(channel))
    loop = asyncio.new_event_loop()
    try:
        message = loop.run_until_complete(group_commit.post(PendingMessage(chat.pk, Party.CUSTOMER, "hi", "c-1")))
        [(pg_connection, _cursor)] = group_commit._batchers[loop].pg.idle
        pid = pg_connection.info.backend_pid
    finally:
        loop.close()

    assert message.seq == chat.last_seq + 1
    assert pg_connection.closed
    with connection.cursor() as cursor:
        for _ in range(50):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() == (0,):
                break
            threading.Event().wait(0.05)
        else:
            raise AssertionError("the loop's connection is still open")


async def test_with_an_assumed_role_batches_stay_on_the_database_threads(monkeypatch):
    # Django sets the role on its own connections only (SET ROLE after connecting).
    monkeypatch.setitem(connections["default"].settings_dict["OPTIONS"], "assume_role", "helpdesk_writer")
    assert group_commit._batcher().pg is None


async def test_a_batch_is_announced_through_the_channel_layer_from_the_loop(make_channel, make_agent, make_chat):
    """
    Redis's layer gets the batches' announcements (group_send_many), each
    once. Not necessarily in seq order: the requests go in up to two batches
    in flight, each published on its own connection, so one may overtake the
    other, as announcements from two processes do; the sockets hold an
    overtaking entry (tests/chat/test_own_message_in_ack.py).
    """
    from channels.layers import get_channel_layer

    _agent, [chat] = await chats_of_an_agent(make_channel, make_agent, make_chat, 1)
    layer = get_channel_layer()
    assert hasattr(layer, "group_send_many"), "the production leg runs on Redis (REDIS_URL)"
    listener = await layer.new_channel()
    await layer.group_add(f"chat.{chat.pk}", listener)
    requests = [PendingMessage(chat.pk, Party.CUSTOMER, f"number {n}", f"c-{n}") for n in range(3)]

    results = await asyncio.gather(*(group_commit.post(request) for request in requests))

    heard = [await asyncio.wait_for(layer.receive(listener), 5) for _ in requests]
    assert sorted(event["message"]["seq"] for event in heard) == sorted(r.seq for r in results)
    assert {event["message"]["client_id"] for event in heard} == {"c-0", "c-1", "c-2"}
    await layer.group_discard(f"chat.{chat.pk}", listener)


async def test_batches_on_the_event_loop_make_no_database_wrapper_each(
    make_channel, make_agent, make_chat, sent_events, hops, monkeypatch
):
    """Each batch runs in a task of its own, where Django's connection proxy would build a new DatabaseWrapper."""
    _agent, chats = await chats_of_an_agent(make_channel, make_agent, make_chat, 2)
    await group_commit.post(PendingMessage(chats[0].pk, Party.CUSTOMER, "warm up", "w-1"))
    wrapper_class = type(connections["default"])
    made = []
    build = wrapper_class.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        build(self, *args, **kwargs)

    monkeypatch.setattr(wrapper_class, "__init__", counting)
    for number in range(5):
        result = await group_commit.post(
            PendingMessage(chats[number % 2].pk, Party.CUSTOMER, f"m{number}", f"c-{number}")
        )
        assert result.seq

    assert made == [] and hops == []
