"""The websocket protocol of docs/protocol.md, over real Channels sockets and a real database."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from chat.conversations import assignment, group_commit, services
from chat.conversations.models import Chat, ChatStatus, Message, Party
from helpdesk.asgi import application
from infra.realtime.consumer import FRAME_BURST
from tests.support.sockets import SITE_HEADERS, agent_socket, customer_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def talking(chat, token, make_agent, **agent_fields):
    """An agent has taken the chat; customer and dashboard sockets are connected with the log up to the join."""
    agent = await database_sync_to_async(make_agent)(chat.channel, **agent_fields)
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    customer = await customer_socket(token, last_seq=2)
    await receive_until(customer, "welcome")
    dashboard = await agent_socket(agent, chats={str(chat.pk): 2})
    await receive_until(dashboard, "state")
    return customer, dashboard


async def receive_messages(communicator, count, *, timeout=3):
    seqs = []
    while len(seqs) < count:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == "message":
            seqs.append(frame["message"]["seq"])
    return seqs


@pytest.fixture
def queued_chat(make_channel, make_chat):
    channel = make_channel(language="en")
    chat, token = make_chat(channel)
    return chat, token


async def test_hello_with_the_token_gives_the_state_and_the_log(queued_chat):
    chat, token = queued_chat
    socket = await customer_socket(token)
    welcome = await socket.receive_json_from()
    assert welcome["type"] == "welcome"
    assert welcome["state"]["status"] == "queued" and welcome["state"]["position"] == 1
    assert "number 1 in the queue" in welcome["state"]["queue_text"]
    message = await socket.receive_json_from()
    assert message["type"] == "message" and message["message"]["body"] == "Where is my parcel?"
    await socket.disconnect()


async def test_a_wrong_token_closes_the_socket_with_4401(queued_chat):
    socket = await customer_socket("not-a-token")
    closed = await socket.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_a_foreign_origin_is_refused(queued_chat):
    communicator = WebsocketCommunicator(
        application, "/ws/chat/", headers=[(b"origin", b"http://evil.example"), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_frames_before_hello_and_bad_frames_get_error_frames_and_change_nothing(queued_chat):
    chat, token = queued_chat
    socket = await customer_socket()
    await socket.send_json_to({"type": "send", "client_id": "a", "body": "hi"})
    assert (await socket.receive_json_from())["code"] == "hello_first"
    await socket.send_to(text_data="{not json")
    assert (await socket.receive_json_from())["code"] == "invalid_json"
    await socket.send_json_to(["a list"])
    assert (await socket.receive_json_from())["code"] == "invalid_frame"
    await socket.send_json_to({"type": "launch_rockets"})
    assert (await socket.receive_json_from())["code"] == "unknown_type"
    await socket.send_to(text_data=json.dumps({"type": "send", "body": "x" * 40_000}))
    assert (await socket.receive_json_from())["code"] == "too_large"
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": 1})
    assert (await socket.receive_json_from())["type"] == "welcome"
    await socket.send_json_to({"type": "send", "client_id": "b", "body": "x" * 4001})
    error = await socket.receive_json_from()
    assert (error["code"], error["client_id"]) == ("too_long", "b")
    await socket.send_json_to({"type": "send", "client_id": "c", "body": "   "})
    assert (await socket.receive_json_from())["code"] == "empty"
    assert await database_sync_to_async(Message.objects.filter(chat=chat).count)() == 1
    await socket.disconnect()


async def test_a_flood_meets_the_rate_limit(queued_chat):
    _chat, token = queued_chat
    socket = await customer_socket(token, last_seq=1)
    await receive_until(socket, "welcome")
    for _ in range(40):
        await socket.send_json_to({"type": "ping"})
    frames = [await socket.receive_json_from() for _ in range(40)]
    codes = [f.get("code") for f in frames if f["type"] == "error"]
    assert codes and set(codes) == {"rate_limited"}
    pongs = sum(1 for f in frames if f["type"] == "pong")
    assert FRAME_BURST - 1 <= pongs < 30, "the burst, less the hello frame, gets through"
    await socket.disconnect()


async def test_messages_flow_both_ways_and_resends_are_stored_once(queued_chat, make_agent):
    chat, token = queued_chat
    agent = await database_sync_to_async(make_agent)(chat.channel, first_name="Anna")
    customer = await customer_socket(token, last_seq=1)
    await receive_until(customer, "welcome")
    dashboard = await agent_socket(agent)
    state = (await receive_until(dashboard, "state"))[-1]
    assert [q["id"] for q in state["queue"]] == [chat.pk]
    assert state["queue"][0]["question"] == "Where is my parcel?"

    await dashboard.send_json_to({"type": "take", "chat_id": chat.pk})
    assigned = (await receive_until(dashboard, "chat"))[-1]
    assert assigned["assigned"] and assigned["chat"]["customer_name"] == "Erika"
    customer_state = (await receive_until(customer, "state"))[-1]
    assert customer_state["state"]["status"] == "active" and customer_state["state"]["agent_name"] == "Anna"

    for _ in range(2):
        await customer.send_json_to({"type": "send", "client_id": "c-1", "body": "<script>alert(1)</script>"})
    acks = [f for f in await receive_until(customer, "ack")] + [f for f in await receive_until(customer, "ack")]
    assert [f["seq"] for f in acks if f["type"] == "ack"] == [3, 3]
    stored = await database_sync_to_async(list)(Message.objects.filter(chat=chat, client_id="c-1"))
    assert len(stored) == 1 and stored[0].body == "<script>alert(1)</script>"

    await dashboard.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-1", "body": "Hello Erika"})
    frames = await receive_until(customer, "message")
    while frames[-1]["message"]["author"] != "agent":
        frames = await receive_until(customer, "message")
    assert frames[-1]["message"]["body"] == "Hello Erika"
    await customer.disconnect()
    await dashboard.disconnect()


async def test_a_customer_who_reconnects_gets_what_they_missed_exactly_once(queued_chat, make_agent):
    chat, token = queued_chat
    agent = await database_sync_to_async(make_agent)(chat.channel)
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    customer = await customer_socket(token, last_seq=0)
    seen = await receive_messages(customer, 2)
    await customer.disconnect()
    for number in range(3):
        await database_sync_to_async(services.post_message)(
            chat, author=Party.AGENT, agent=agent, body=f"missed {number}", client_id=f"a{number}"
        )
    customer = await customer_socket(token, last_seq=seen[-1])
    again = await receive_messages(customer, 3)
    assert again == [3, 4, 5]
    assert await customer.receive_nothing(timeout=0.3)
    await customer.disconnect()


async def test_the_customer_sees_the_queue_move(make_channel, make_chat, make_agent):
    channel = await database_sync_to_async(make_channel)()
    first, _ = await database_sync_to_async(make_chat)(channel)
    second, token = await database_sync_to_async(make_chat)(channel)
    agent = await database_sync_to_async(make_agent)(channel)
    customer = await customer_socket(token, last_seq=1)
    welcome = (await receive_until(customer, "welcome"))[-1]
    assert welcome["state"]["position"] == 2
    await database_sync_to_async(assignment.accept_chat)(first, agent=agent)
    queue = (await receive_until(customer, "queue"))[-1]
    assert queue["position"] == 1 and "number 1" in queue["text"]
    await customer.disconnect()


async def test_two_agents_take_one_chat_one_gets_a_clear_error(queued_chat, make_agent):
    chat, _token = queued_chat
    first = await database_sync_to_async(make_agent)(chat.channel)
    second = await database_sync_to_async(make_agent)(chat.channel)
    one, two = await agent_socket(first), await agent_socket(second)
    await receive_until(one, "state")
    await receive_until(two, "state")
    await one.send_json_to({"type": "take", "chat_id": chat.pk})
    await two.send_json_to({"type": "take", "chat_id": chat.pk})
    outcomes = {}
    for name, socket in (("one", one), ("two", two)):
        while name not in outcomes:
            frame = await socket.receive_json_from(timeout=3)
            if frame["type"] in ("chat", "error"):
                outcomes[name] = frame
    kinds = sorted(frame["type"] for frame in outcomes.values())
    assert kinds == ["chat", "error"]
    error = next(frame for frame in outcomes.values() if frame["type"] == "error")
    assert error["code"] == "chat_taken" and "Another agent" in error["message"]
    await one.disconnect()
    await two.disconnect()


async def test_an_agent_cannot_see_or_touch_chats_of_other_channels(queued_chat, make_channel, make_agent):
    chat, _token = queued_chat
    outsider = await database_sync_to_async(make_agent)(await database_sync_to_async(make_channel)())
    socket = await agent_socket(outsider)
    state = (await receive_until(socket, "state"))[-1]
    assert state["queue"] == []
    for frame in (
        {"type": "take", "chat_id": chat.pk},
        {"type": "send", "chat_id": chat.pk, "client_id": "x", "body": "hi"},
        {"type": "end", "chat_id": chat.pk},
    ):
        await socket.send_json_to(frame)
        assert (await socket.receive_json_from())["code"] == "not_your_chat"
    refreshed = await database_sync_to_async(Chat.objects.get)(pk=chat.pk)
    assert refreshed.status == ChatStatus.QUEUED
    await socket.disconnect()


async def test_both_sides_see_who_ended_the_chat(queued_chat, make_agent):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    await dashboard.send_json_to({"type": "end", "chat_id": chat.pk})
    ended = (await receive_until(customer, "message"))[-1]["message"]
    assert (ended["event"], ended["params"]["by"]) == ("ended", "agent")
    state = (await receive_until(dashboard, "chat_state"))[-1]
    assert state["state"]["ended_by"] == "agent"
    # Writing after the agent ended reopens the chat (chat.conversations.reopen), back to the same agent.
    await customer.send_json_to({"type": "send", "client_id": "late", "body": "hello?"})
    assert (await receive_until(customer, "ack"))[-1]["client_id"] == "late"
    assert (await receive_until(dashboard, "chat"))[-1]["chat"]["status"] == "active"
    await customer.disconnect()
    await dashboard.disconnect()


async def test_an_unauthenticated_dashboard_socket_is_closed_with_4401():
    communicator = WebsocketCommunicator(application, "/ws/agent/", headers=SITE_HEADERS)
    await communicator.connect()
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4401}


async def test_typing_reaches_the_other_side_only(queued_chat, make_agent):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent, first_name="Anna")
    await customer.send_json_to({"type": "typing", "active": True})
    typing = (await receive_until(dashboard, "typing"))[-1]
    assert (typing["chat_id"], typing["active"]) == (chat.pk, True)
    assert await customer.receive_nothing(timeout=0.2)
    await dashboard.send_json_to({"type": "typing", "chat_id": chat.pk, "active": True})
    typing = (await receive_until(customer, "typing"))[-1]
    assert typing["name"] == "Anna"
    await customer.disconnect()
    await dashboard.disconnect()


async def test_a_dashboard_back_from_offline_gets_the_end_of_a_chat_that_ended_meanwhile(queued_chat, make_agent):
    chat, _token = queued_chat
    agent = await database_sync_to_async(make_agent)(chat.channel)
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    await database_sync_to_async(services.post_message)(
        chat, author=Party.CUSTOMER, body="Thanks, bye!", client_id="bye"
    )
    await database_sync_to_async(services.end_chat)(chat, by=Party.CUSTOMER)
    dashboard = await agent_socket(agent, chats={str(chat.pk): 2})
    frames = await receive_until(dashboard, "state")
    assert frames[-1]["chats"] == []
    state = await dashboard.receive_json_from()
    assert state["type"] == "chat_state" and state["state"]["status"] == "ended"
    later = [await dashboard.receive_json_from() for _ in range(2)]
    assert [f["message"]["seq"] for f in later] == [3, 4]
    assert later[0]["message"]["body"] == "Thanks, bye!" and later[1]["message"]["event"] == "ended"
    await dashboard.disconnect()


async def test_reading_in_one_tab_clears_the_unread_count_in_the_others(queued_chat, make_agent):
    chat, _token = queued_chat
    agent = await database_sync_to_async(make_agent)(chat.channel)
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    first, second = (
        await agent_socket(agent, chats={str(chat.pk): 2}),
        await agent_socket(agent, chats={str(chat.pk): 2}),
    )
    summary = (await receive_until(second, "state"))[-1]["chats"][0]
    assert summary["unread"] == 1, "the question is unread"
    await receive_until(first, "state")
    await first.send_json_to({"type": "read", "chat_id": chat.pk, "seq": 2})
    read = (await receive_until(second, "read"))[-1]
    assert (read["chat_id"], read["seq"]) == (chat.pk, 2)
    refreshed = await database_sync_to_async(Chat.objects.get)(pk=chat.pk)
    assert refreshed.agent_read_seq == 2
    await first.disconnect()
    await second.disconnect()


async def test_an_agent_creates_a_request_from_the_chat_and_both_sides_see_its_id(queued_chat, make_agent):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    await dashboard.send_json_to({"type": "create_request", "chat_id": chat.pk})
    for socket in (customer, dashboard):
        event = (await receive_until(socket, "message"))[-1]["message"]
        assert event["event"] == "request_created" and event["params"]["request_id"].startswith("R-")
    await customer.disconnect()
    await dashboard.disconnect()


async def test_a_message_to_a_chat_that_does_not_exist_gets_an_error_frame(make_channel, make_agent):
    agent = await database_sync_to_async(make_agent)(await database_sync_to_async(make_channel)())
    socket = await agent_socket(agent)
    await receive_until(socket, "state")
    await socket.send_json_to({"type": "send", "chat_id": 999_999, "client_id": "x", "body": "hello"})
    error = (await receive_until(socket, "error"))[-1]
    assert (error["code"], error["chat_id"]) == ("not_your_chat", 999_999)
    await socket.send_json_to({"type": "ping"})
    assert (await receive_until(socket, "pong"))[-1]["type"] == "pong", "the socket lives on"
    await socket.disconnect()


async def test_a_dashboard_passes_on_the_customers_message_while_its_own_waits_for_the_database(
    queued_chat, make_agent, monkeypatch
):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    release = asyncio.Event()
    store = group_commit.store_batch

    async def slow_for_agents(batch, pg):
        # The agent's message waits for the database (its batch's slot is
        # held); the customer's goes in the other batch slot meanwhile.
        if any(pending.author == Party.AGENT for pending in batch):
            await asyncio.wait_for(release.wait(), timeout=5)
        return await store(batch, pg)

    monkeypatch.setattr(group_commit, "store_batch", slow_for_agents)
    await dashboard.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-1", "body": "Let me check"})
    await customer.send_json_to({"type": "send", "client_id": "c-1", "body": "Thanks!"})

    # The customer's message reaches the dashboard before its own is stored.
    frames = await receive_until(dashboard, "message")
    assert frames[-1]["message"]["body"] == "Thanks!"
    assert not any(frame["type"] == "ack" for frame in frames)
    release.set()
    ack = (await receive_until(dashboard, "ack"))[-1]
    assert ack["client_id"] == "a-1"
    await customer.disconnect()
    await dashboard.disconnect()


async def test_a_message_sent_just_before_the_socket_closes_is_stored(queued_chat, make_agent):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    await customer.send_json_to({"type": "send", "client_id": "c-last", "body": "Bye, and thanks"})
    await customer.disconnect()

    bodies = await database_sync_to_async(lambda: list(chat.messages.values_list("body", flat=True)))()
    assert "Bye, and thanks" in bodies
    frames = await receive_until(dashboard, "message")
    assert frames[-1]["message"]["body"] == "Bye, and thanks"
    await dashboard.disconnect()
