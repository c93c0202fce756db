"""
One bad input fails alone: a poison frame among good ones, an exception
inside a socket, a socket that crashed (docs/protocol.md, Errors and close codes).
"""

import asyncio
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chat.conversations import group_commit, housekeeping, services
from chat.conversations.delivery import LogDelivery
from chat.conversations.models import Chat, ChatStatus, Message, Party
from chat.widget import consumer as customer_consumer
from infra import safejson
from infra.ratelimit import KeyedBuckets
from infra.realtime import consumer as frame_consumer
from tests.support.sockets import agent_socket, closed_with, customer_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

POISON = '"Hello \\ud800 there"'  # JSON text of a string with an unpaired surrogate


@pytest.fixture
def twenty_chats(make_channel, make_chat):
    channel = make_channel(language="en")
    return [make_chat(channel, name=f"Customer {n}") for n in range(20)]


async def _connected(chats):
    sockets = []
    for _chat, token in chats:
        socket = await customer_socket(token, last_seq=1)
        await receive_until(socket, "welcome")
        sockets.append(socket)
    return sockets


async def _send_all_at_once(sockets, poison_index):
    for index, socket in enumerate(sockets):
        body = POISON if index == poison_index else json.dumps(f"Message {index}")
        await socket.send_to(text_data=f'{{"type": "send", "client_id": "c-{index}", "body": {body}}}')


async def _answer_of(socket):
    """The ack or error that answers this socket's send (its own message may come first)."""
    frames = []
    while not frames or frames[-1]["type"] not in ("ack", "error"):
        frames.append(await socket.receive_json_from(timeout=5))
    return frames[-1]


async def _still_answers(socket):
    await socket.send_json_to({"type": "ping"})
    return (await receive_until(socket, "pong"))[-1]["type"] == "pong"


async def test_a_poison_message_among_twenty_is_refused_alone_and_the_nineteen_are_stored_and_acked(twenty_chats):
    sockets = await _connected(twenty_chats)
    await _send_all_at_once(sockets, poison_index=7)
    answers = [await _answer_of(socket) for socket in sockets]
    assert [a["type"] for a in answers].count("ack") == 19
    assert answers[7] == {"type": "error", "code": "invalid_text", "client_id": "c-7", "message": answers[7]["message"]}
    for socket in sockets:
        assert await _still_answers(socket)
    stored = await database_sync_to_async(
        lambda: list(Message.objects.filter(client_id__startswith="c-").values_list("client_id", flat=True))
    )()
    assert sorted(stored) == sorted(f"c-{n}" for n in range(20) if n != 7)
    for socket in sockets:
        await socket.disconnect()


async def test_a_message_the_database_refuses_inside_a_batch_fails_for_its_sender_alone(twenty_chats, monkeypatch):
    """With the checks at the edge out of the way, the poison reaches the batch and the driver fails on it."""
    monkeypatch.setattr(safejson, "forbidden_text_in", lambda value: False)
    monkeypatch.setattr(safejson, "has_forbidden_text", lambda text: False)
    batches = []
    original = group_commit.store_batch

    async def counting(requests, pg):
        batches.append(len(requests))
        return await original(requests, pg)

    monkeypatch.setattr(group_commit, "store_batch", counting)
    sockets = await _connected(twenty_chats)
    await _send_all_at_once(sockets, poison_index=3)
    answers = [await _answer_of(socket) for socket in sockets]
    assert max(batches) > 1, "the messages were not batched"
    assert [a["type"] for a in answers].count("ack") == 19
    assert answers[3]["type"] == "error" and answers[3]["code"] == "not_stored" and answers[3]["client_id"] == "c-3"
    for socket in sockets:
        assert await _still_answers(socket)
    assert await database_sync_to_async(Message.objects.filter(client_id__startswith="c-").count)() == 19
    for socket in sockets:
        await socket.disconnect()


def test_post_messages_stores_every_good_message_when_the_batch_fails_on_one(make_channel, make_chat, monkeypatch):
    monkeypatch.setattr(safejson, "has_forbidden_text", lambda text: False)
    channel = make_channel()
    chats = [make_chat(channel)[0] for _ in range(5)]
    requests = [
        group_commit.PendingMessage(chat.pk, Party.CUSTOMER, "Bad \ud800" if n == 2 else f"Good {n}", f"m-{n}")
        for n, chat in enumerate(chats)
    ]
    results = group_commit.post_messages(requests)
    assert [isinstance(r, Message) for r in results] == [True, True, False, True, True]
    assert Message.objects.filter(client_id__startswith="m-").count() == 4
    assert Chat.objects.get(pk=chats[2].pk).last_seq == 1  # the poison's number was rolled back


def test_a_surrogate_reaching_the_services_is_refused_with_invalid_text(make_channel, make_chat):
    chat, _token = make_chat(make_channel())
    results = group_commit.post_messages([group_commit.PendingMessage(chat.pk, Party.CUSTOMER, "Bad \ud800", "x")])
    assert results[0].code == "invalid_text"
    with pytest.raises(Exception) as refused:
        services.post_message(chat, author=Party.CUSTOMER, body="\x00")
    assert refused.value.code == "invalid_text"


@pytest.mark.parametrize(
    "text, code",
    [
        ("[" * 5000 + "]" * 5000, "too_deep"),
        ('{"type": "send", "client_id": "x", "body": "\\u0000"}', "invalid_text"),
        ('{"type": "hello\\udc00"}', "invalid_text"),
        ('{"type": "ping", "x": NaN}', "invalid_json"),
    ],
)
async def test_a_hostile_frame_gets_its_error_and_the_socket_goes_on(twenty_chats, text, code):
    chat, token = twenty_chats[0]
    socket = await customer_socket(token, last_seq=1)
    await receive_until(socket, "welcome")
    await socket.send_to(text_data=text)
    assert (await receive_until(socket, "error"))[-1]["code"] == code
    assert await _still_answers(socket)
    await socket.disconnect()


async def test_numbers_too_large_for_the_database_are_an_invalid_frame(twenty_chats, make_agent):
    chat, token = twenty_chats[0]
    socket = await customer_socket()
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": 10**30})
    assert (await receive_until(socket, "error"))[-1]["code"] == "invalid_frame"
    agent = await database_sync_to_async(make_agent)(chat.channel)
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")
    await dashboard.send_json_to({"type": "take", "chat_id": 2**64})
    assert (await receive_until(dashboard, "error"))[-1]["code"] == "invalid_frame"
    await socket.disconnect()
    await dashboard.disconnect()


# An exception inside a socket ------------------------------------------------


async def test_an_exception_in_a_frame_closes_with_4500_and_cleans_up_like_a_disconnect(twenty_chats, monkeypatch):
    chat, token = twenty_chats[0]
    socket = await customer_socket(token, last_seq=1)
    await receive_until(socket, "welcome")
    assert housekeeping.registry.chat_sockets(chat.pk) == 1

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "end_chat", broken)
    await socket.send_json_to({"type": "end"})
    assert await closed_with(socket) == frame_consumer.CLOSE_SERVER_ERROR
    await socket.wait()
    assert housekeeping.registry.chat_sockets(chat.pk) == 0


async def test_an_exception_in_an_event_closes_with_4500_and_cleans_up(twenty_chats, monkeypatch):
    chat, token = twenty_chats[0]
    socket = await customer_socket(token, last_seq=1)
    await receive_until(socket, "welcome")

    async def broken(self, chat_id, payload):
        raise RuntimeError("a bug while delivering")

    monkeypatch.setattr(LogDelivery, "deliver", broken)
    await database_sync_to_async(services.post_message)(chat, author=Party.CUSTOMER, body="From another tab")
    assert await closed_with(socket) == frame_consumer.CLOSE_SERVER_ERROR
    await socket.wait()
    assert housekeeping.registry.chat_sockets(chat.pk) == 0


async def test_a_consumer_that_is_cancelled_still_leaves_presence(twenty_chats, make_agent):
    """Daphne cancels a consumer that does not stop in time; its socket must not stay 'connected'."""
    chat, token = twenty_chats[0]
    socket = await customer_socket(token, last_seq=1)
    await receive_until(socket, "welcome")
    agent = await database_sync_to_async(make_agent)(chat.channel)
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")
    assert housekeeping.registry.chat_sockets(chat.pk) == 1 and agent.pk in housekeeping.registry.agents
    for communicator in (socket, dashboard):
        communicator.future.cancel()
        with pytest.raises(asyncio.CancelledError):
            await communicator.future
    assert housekeeping.registry.chat_sockets(chat.pk) == 0
    assert agent.pk not in housekeeping.registry.agents


async def test_a_gone_socket_keeps_no_queued_customer_alive(twenty_chats):
    """The ghost of the issue: a crashed socket must not refresh seen_at, so the sweep ends the chat."""
    chat, token = twenty_chats[0]
    socket = await customer_socket(token, last_seq=1)
    await receive_until(socket, "welcome")
    await socket.send_to(text_data="[" * 5000 + "]" * 5000)
    await receive_until(socket, "error")
    await socket.disconnect()
    assert chat.pk not in housekeeping.registry.chats
    an_hour_ago = timezone.now() - timedelta(hours=1)
    await database_sync_to_async(Chat.objects.filter(pk=chat.pk).update)(customer_seen_at=an_hour_ago)
    await database_sync_to_async(housekeeping.run_upkeep_once)()
    ended = await database_sync_to_async(Chat.objects.get)(pk=chat.pk)
    assert ended.status == ChatStatus.ENDED and ended.end_reason == "left_queue"


def test_every_close_code_is_one_the_websocket_server_may_send():
    """Autobahn refuses anything but 1000 and 3000-4999 from an application (and then never runs the clean-up)."""
    from chat.dashboard import consumer as agent

    codes = [
        value
        for module in (frame_consumer, customer_consumer, agent)
        for name, value in vars(module).items()
        if name.startswith("CLOSE_") and isinstance(value, int)
    ]
    assert len(codes) >= 6
    assert all(code == 1000 or 3000 <= code <= 4999 for code in codes), codes


# Limits per chat ---------------------------------------------------------------


async def test_one_token_opens_at_most_five_sockets_on_a_process(twenty_chats, settings, monkeypatch):
    assert settings.HELPDESK_SOCKETS_PER_CHAT == 5
    chat, token = twenty_chats[0]
    sockets = []
    for _ in range(settings.HELPDESK_SOCKETS_PER_CHAT):
        socket = await customer_socket(token, last_seq=1)
        await receive_until(socket, "welcome")
        sockets.append(socket)
    extra = await customer_socket(token, last_seq=1)
    assert await closed_with(extra) == customer_consumer.CLOSE_TOO_MANY_SOCKETS
    # Known on this process: refused again without a trip to the database.
    with monkeypatch.context() as patched:
        patched.setattr(
            customer_consumer.selectors, "access_chat_by_token", lambda token: pytest.fail("asked the database")
        )
        extra = await customer_socket(token, last_seq=1)
        assert await closed_with(extra) == customer_consumer.CLOSE_TOO_MANY_SOCKETS
    await sockets[0].disconnect()
    again = await customer_socket(token, last_seq=1)
    assert (await receive_until(again, "welcome"))[-1]["type"] == "welcome"
    for socket in sockets[1:] + [again]:
        await socket.disconnect()


async def test_messages_of_one_chat_are_limited_across_its_sockets(twenty_chats, monkeypatch):
    monkeypatch.setattr(customer_consumer, "_chat_messages", KeyedBuckets(rate=0.001, burst=10))
    chat, token = twenty_chats[0]
    other_chat, other_token = twenty_chats[1]
    sockets = []
    for _ in range(4):
        socket = await customer_socket(token, last_seq=1)
        await receive_until(socket, "welcome")
        sockets.append(socket)
    for n in range(5):
        for index, socket in enumerate(sockets):
            await socket.send_json_to({"type": "send", "client_id": f"{index}-{n}", "body": "flood"})
    answers = []
    for socket in sockets:
        for _ in range(5):
            answers.append(await _answer_of(socket))
    assert [a["type"] for a in answers].count("ack") == 10
    assert {a["code"] for a in answers if a["type"] == "error"} == {"rate_limited"}
    # Another chat is not affected.
    other = await customer_socket(other_token, last_seq=1)
    await receive_until(other, "welcome")
    await other.send_json_to({"type": "send", "client_id": "other", "body": "Hello"})
    assert (await _answer_of(other))["type"] == "ack"
    for socket in sockets + [other]:
        await socket.disconnect()


def test_a_chats_bucket_outlives_its_sockets_until_it_has_filled_up_again():
    now = [0.0]
    buckets = KeyedBuckets(rate=1, burst=3, clock=lambda: now[0])
    assert [buckets.allow("chat") for _ in range(4)] == [True, True, True, False]
    now[0] += 1.5  # closing and opening sockets meanwhile changes nothing: the bucket is per chat
    assert [buckets.allow("chat") for _ in range(2)] == [True, False]
    assert "chat" in buckets.buckets
    now[0] += 10
    buckets.allow("another")
    assert "chat" not in buckets.buckets  # full again: forgetting it loses nothing
    assert [buckets.allow("chat") for _ in range(4)] == [True, True, True, False]
