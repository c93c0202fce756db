"""The state changes of chat.conversations (services, assignment, presence), with the live events they send after the commit."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chat.conversations import assignment, log, presence, services
from chat.conversations.agents import AGENT_GRACE_SECONDS
from chat.conversations.errors import (
    AtChatLimit,
    ChatAlreadyTaken,
    ChatEnded,
    EmptyMessage,
    MessageTooLong,
    NotYourChat,
    QueueEmpty,
)
from chat.conversations.models import (
    AgentPresence,
    Chat,
    ChatStatus,
    EndReason,
    Message,
    Party,
    PresenceStatus,
    hash_token,
)


def test_a_new_chat_waits_in_the_queue_with_the_question_as_message_one(
    make_channel, make_chat, sent_events, django_capture_on_commit_callbacks
):
    channel = make_channel()
    with django_capture_on_commit_callbacks(execute=True):
        chat, token = make_chat(channel, question="  Where is my parcel?  ")
    assert chat.status == ChatStatus.QUEUED
    assert chat.token_hash == hash_token(token) and token not in chat.token_hash
    assert list(chat.messages.values_list("seq", "author", "body")) == [(1, "customer", "Where is my parcel?")]
    assert chat.initial_position == 1
    queue_events = [event for group, event in sent_events if group == f"queue.{channel.pk}"]
    assert queue_events[0]["type"] == "queue.changed"
    assert queue_events[0]["queue"]["order"] == [chat.pk], "the queue's order travels with the event"
    assert any(group == f"chat.{chat.pk}" and event["message"]["seq"] == 1 for group, event in sent_events)


def test_no_event_leaves_when_the_transaction_rolls_back(
    make_channel, make_chat, sent_events, django_capture_on_commit_callbacks
):
    channel = make_channel()
    chat, _token = make_chat(channel)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.post_message(chat, author=Party.CUSTOMER, body="hello", client_id="c1")
    assert sent_events == []
    assert len(callbacks) == 1


def test_messages_get_consecutive_numbers_and_a_resend_is_stored_once(make_channel, make_chat):
    chat, _token = make_chat(make_channel())
    first, created = services.post_message(chat, author=Party.CUSTOMER, body="one", client_id="c-1")
    again, created_again = services.post_message(chat, author=Party.CUSTOMER, body="one", client_id="c-1")
    second, _ = services.post_message(chat, author=Party.CUSTOMER, body="two", client_id="c-2")
    assert (first.seq, created) == (2, True)
    assert (again.pk, created_again) == (first.pk, False)
    assert second.seq == 3
    assert Message.objects.filter(chat=chat).count() == 3


@pytest.mark.parametrize(
    "body, error", [("   ", EmptyMessage), ("x" * (log.MAX_MESSAGE_LENGTH + 1), MessageTooLong), (None, EmptyMessage)]
)
def test_empty_or_overlong_messages_are_refused_and_nothing_is_stored(make_channel, make_chat, body, error):
    chat, _token = make_chat(make_channel())
    with pytest.raises(error):
        services.post_message(chat, author=Party.CUSTOMER, body=body, client_id="c")
    assert chat.messages.count() == 1


def test_an_agent_takes_a_chat_and_the_welcome_message_follows(
    make_channel, make_agent, make_chat, sent_events, django_capture_on_commit_callbacks
):
    channel = make_channel(welcome_message="Hello, I am here.")
    agent = make_agent(channel, first_name="Anna")
    chat, _token = make_chat(channel)
    with django_capture_on_commit_callbacks(execute=True):
        assignment.accept_chat(chat, agent=agent)
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE and chat.agent == agent and chat.accepted_at
    log = list(chat.messages.values_list("seq", "kind", "event", "body"))
    assert log[1:] == [(2, "event", "joined", ""), (3, "text", "", "Hello, I am here.")]
    assert chat.messages.get(seq=2).params == {"agent": "Anna"}
    assert (f"agent.{agent.pk}", {"type": "agent.assigned", "chat_id": chat.pk}) in sent_events
    states = [e["state"]["status"] for g, e in sent_events if e["type"] == "chat.state"]
    assert states == ["active"]


def test_a_chat_is_taken_once(make_channel, make_agent, make_chat):
    channel = make_channel()
    first, second = make_agent(channel), make_agent(channel)
    chat, _token = make_chat(channel)
    assignment.accept_chat(chat, agent=first)
    with pytest.raises(ChatAlreadyTaken):
        assignment.accept_chat(Chat.objects.get(pk=chat.pk), agent=second)
    assert Chat.objects.get(pk=chat.pk).agent == first


def test_an_agent_at_the_channel_limit_cannot_take_more(make_channel, make_agent, make_chat):
    channel = make_channel(max_chats_per_agent=1)
    agent = make_agent(channel)
    assignment.accept_chat(make_chat(channel)[0], agent=agent)
    second, _ = make_chat(channel)
    with pytest.raises(AtChatLimit):
        assignment.accept_chat(second, agent=agent)
    assert Chat.objects.get(pk=second.pk).status == ChatStatus.QUEUED


def test_an_agent_of_another_channel_cannot_take_the_chat(make_channel, make_agent, make_chat):
    chat, _ = make_chat(make_channel())
    outsider = make_agent(make_channel())
    with pytest.raises(NotYourChat):
        assignment.accept_chat(chat, agent=outsider)


def test_take_next_takes_the_chat_that_waited_longest(make_channel, make_agent, make_chat):
    channel = make_channel()
    agent = make_agent(channel)
    oldest, _ = make_chat(channel, name="First")
    make_chat(channel, name="Second")
    assert assignment.take_next(agent).pk == oldest.pk
    services.end_chat(oldest, by=Party.AGENT, agent=agent)
    assignment.take_next(agent)
    with pytest.raises(QueueEmpty):
        assignment.take_next(agent)


def test_automatic_assignment_spreads_chats_over_present_agents_up_to_the_limit(make_channel, make_agent, make_chat):
    channel = make_channel(assign_automatically=True, max_chats_per_agent=2)
    first_agent, second_agent = make_agent(channel), make_agent(channel)
    away = make_agent(channel, present=False)
    chats = [make_chat(channel)[0] for _ in range(5)]
    owners = [Chat.objects.get(pk=c.pk).agent for c in chats]
    assert owners[0] != owners[1], "the second chat goes to the agent with fewer chats"
    assert sorted(o.pk for o in owners[:4]) == sorted(
        [first_agent.pk, first_agent.pk, second_agent.pk, second_agent.pk]
    )
    assert owners[4] is None, "both agents are at the limit of two"
    assert away not in owners


def test_a_chat_waits_when_no_agent_is_present_and_goes_out_when_one_arrives(make_channel, make_agent, make_chat):
    channel = make_channel(assign_automatically=True)
    agent = make_agent(channel, present=False)
    chat, _ = make_chat(channel)
    assert Chat.objects.get(pk=chat.pk).status == ChatStatus.QUEUED
    presence.set_presence(agent, status=PresenceStatus.PRESENT)
    assert Chat.objects.get(pk=chat.pk).agent == agent


def test_an_agent_whose_dashboards_are_gone_counts_as_away_after_the_grace_period(make_channel, make_agent, make_chat):
    channel = make_channel(assign_automatically=True)
    agent = make_agent(channel)
    AgentPresence.objects.filter(user=agent).update(seen_at=timezone.now() - timedelta(seconds=AGENT_GRACE_SECONDS + 1))
    chat, _ = make_chat(channel)
    assert Chat.objects.get(pk=chat.pk).status == ChatStatus.QUEUED
    presence.touch_agents([agent.pk])
    assignment.assign_in_all_channels()
    assert Chat.objects.get(pk=chat.pk).agent == agent


def test_an_ended_chat_accepts_no_more_messages(make_channel, make_agent, make_chat):
    channel = make_channel()
    agent = make_agent(channel)
    chat, _ = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)
    ended = services.end_chat(chat, by=Party.CUSTOMER)
    assert (ended.status, ended.ended_by, ended.end_reason) == ("ended", "customer", "ended")
    assert ended.messages.last().params == {"by": "customer", "reason": "ended"}
    with pytest.raises(ChatEnded):
        services.post_message(chat, author=Party.CUSTOMER, body="still there?", client_id="late")
    with pytest.raises(ChatEnded):
        services.post_message(chat, author=Party.AGENT, agent=agent, body="yes", client_id="late2")
    assert services.end_chat(chat, by=Party.AGENT, agent=agent).ended_by == "customer", "ending twice changes nothing"


def test_only_the_chats_agent_may_write_or_end_it(make_channel, make_agent, make_chat):
    channel = make_channel()
    owner, colleague = make_agent(channel), make_agent(channel)
    chat, _ = make_chat(channel)
    assignment.accept_chat(chat, agent=owner)
    with pytest.raises(NotYourChat):
        services.post_message(chat, author=Party.AGENT, agent=colleague, body="hi", client_id="x")
    with pytest.raises(NotYourChat):
        services.end_chat(chat, by=Party.AGENT, agent=colleague)


def test_gone_customers_leave_the_queue_or_abandon_their_chat(make_channel, make_agent, make_chat):
    channel = make_channel(customer_timeout_seconds=60)
    agent = make_agent(channel)
    waiting, _ = make_chat(channel)
    talking, _ = make_chat(channel)
    fresh, _ = make_chat(channel)
    assignment.accept_chat(talking, agent=agent)
    long_ago = timezone.now() - timedelta(seconds=61)
    Chat.objects.filter(pk__in=[waiting.pk, talking.pk]).update(customer_seen_at=long_ago)
    assert presence.end_chats_of_gone_customers() == 2
    assert Chat.objects.get(pk=waiting.pk).end_reason == EndReason.LEFT_QUEUE
    assert Chat.objects.get(pk=talking.pk).end_reason == EndReason.ABANDONED
    assert Chat.objects.get(pk=fresh.pk).status == ChatStatus.QUEUED


def test_the_queue_position_and_wait_estimate_follow_recent_waits(make_channel, make_agent, make_chat):
    from chat.conversations.selectors import queue_position, wait_estimate_seconds

    channel = make_channel()
    agent = make_agent(channel)
    earlier, _ = make_chat(channel)
    Chat.objects.filter(pk=earlier.pk).update(queued_at=timezone.now() - timedelta(seconds=120))
    assignment.accept_chat(Chat.objects.get(pk=earlier.pk), agent=agent)
    first, _ = make_chat(channel)
    second, _ = make_chat(channel)
    assert queue_position(first) == 1 and queue_position(second) == 2
    estimate = wait_estimate_seconds(second, 2)
    assert 230 <= estimate <= 250, "two places at about 120 s each"
    services.end_chat(first, by=Party.CUSTOMER)
    assert queue_position(Chat.objects.get(pk=second.pk)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_one_chat_at_the_same_moment_one_wins(make_channel, make_agent, make_chat):
    channel = make_channel()
    agents = [make_agent(channel), make_agent(channel)]
    chat, _ = make_chat(channel)
    barrier = threading.Barrier(2)
    outcomes = []

    def take(agent):
        try:
            barrier.wait()
            assignment.accept_chat(Chat.objects.get(pk=chat.pk), agent=agent)
            outcomes.append("taken")
        except ChatAlreadyTaken:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "taken"]
    assert Message.objects.filter(chat=chat, event="joined").count() == 1
