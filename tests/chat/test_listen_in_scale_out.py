"""
Listening in on the production stack: two Daphne processes on PostgreSQL and
Redis, the customer and the agent on one, the manager on the other. The
manager listens, joins, and all three write at once; then the manager's
right is taken away in the admin's way (a saved membership) while the others
write on.
"""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from chat.configuration.models import ChannelMembership
from chat.conversations.models import Chat, Message
from tests.chat.test_transfer_scale_out import PAUSE, Side, answered, close_test_connections, two_servers, write
from tests.support.wsclient import ProtocolClient, log_entry, session_cookie, start_chat_over_http

pytestmark = [pytest.mark.production, pytest.mark.django_db(transaction=True)]

__all__ = ["close_test_connections", "two_servers"]  # fixtures, used by name

MESSAGES = 15


def listened_seqs(side):
    return [f["message"]["seq"] for f in side.frames if f["type"] == "listen_message"]


async def test_a_joined_manager_on_another_process_writes_with_both_sides_and_loses_the_flow_when_revoked(
    two_servers, make_channel, make_agent
):
    server_a, server_b = two_servers
    channel = await sync_to_async(make_channel)(slug="shop")
    anna = await sync_to_async(make_agent)(channel, first_name="Anna")
    ben = await sync_to_async(make_agent)(channel, first_name="Ben", manager=True)
    await sync_to_async(ChannelMembership.objects.filter(user=ben).update)(may_listen_in=True)
    started = await sync_to_async(start_chat_over_http)(server_a.url, "shop", question="Refund?")
    chat_id = started["state"]["chat_id"]

    customer = Side(await ProtocolClient(server_a.url, "/ws/chat/").connect())
    await customer.client.send("hello", token=started["token"], last_seq=0)
    agent = Side(
        await ProtocolClient(server_a.url, "/ws/agent/", cookie=await sync_to_async(session_cookie)(anna)).connect()
    )
    await agent.client.send("hello", chats={})
    manager = Side(
        await ProtocolClient(server_b.url, "/ws/agent/", cookie=await sync_to_async(session_cookie)(ben)).connect()
    )
    await manager.client.send("hello", chats={})
    await agent.wait_for(lambda f: f["type"] == "state")
    await manager.wait_for(lambda f: f["type"] == "state")
    await agent.client.send("take", chat_id=chat_id)
    await agent.wait_for(lambda f: f["type"] == "chat" and f.get("assigned"))

    await manager.client.send("listen", chat_id=chat_id)
    await manager.wait_for(lambda f: f["type"] == "listen_notes")
    await manager.client.send("join", chat_id=chat_id)
    await customer.wait_for(lambda f: f["type"] == "message" and f["message"]["event"] == "participant_joined")

    sent = await asyncio.gather(
        write(customer, "c", MESSAGES),
        write(agent, "a", MESSAGES, chat_id=chat_id),
        write(manager, "b", MESSAGES, chat_id=chat_id),
    )
    for side, client_ids in zip((customer, agent, manager), sent, strict=True):
        await answered(side, client_ids)
        assert all(side.outcome(c) == "ack" for c in client_ids)

    log = await sync_to_async(list)(Message.objects.filter(chat_id=chat_id).order_by("seq").values("seq", "client_id"))
    last_seq = (await sync_to_async(Chat.objects.get)(pk=chat_id)).last_seq
    seqs = [m["seq"] for m in log]
    assert seqs == list(range(1, last_seq + 1))
    stored = [m["client_id"] for m in log if m["client_id"]]
    for prefix, client_ids in zip("cab", sent, strict=True):
        assert [c for c in stored if c.startswith(f"{prefix}-")] == client_ids, "each once, in its sender's order"

    # Every side received the whole log once, in order; the manager on the other process as listen frames.
    await customer.wait_for(lambda f: log_entry(f) and log_entry(f)["seq"] == last_seq)
    await agent.wait_for(lambda f: log_entry(f) and log_entry(f)["seq"] == last_seq)
    await manager.wait_for(lambda f: f["type"] == "listen_message" and f["message"]["seq"] == last_seq)
    assert customer.message_seqs() == seqs
    assert agent.message_seqs(chat_id) == seqs
    assert listened_seqs(manager) == seqs
    assert not any(f["type"] == "message" for f in manager.frames)

    def revoke():
        membership = ChannelMembership.objects.get(user=ben)
        membership.may_listen_in = False
        membership.save()

    await sync_to_async(revoke)()
    await manager.wait_for(lambda f: f["type"] == "listen_stopped" and f["reason"] == "not_allowed")
    await customer.wait_for(lambda f: f["type"] == "message" and f["message"]["event"] == "participant_left")
    before = len(manager.frames)
    later = await write(agent, "late", 3, chat_id=chat_id)
    await answered(agent, later)
    await customer.wait_for(lambda f: f["type"] == "message" and f["message"]["client_id"] == later[-1])
    await asyncio.sleep(5 * PAUSE)
    assert not any(f.get("chat_id") == chat_id for f in manager.frames[before:]), "nothing more reaches the manager"
    await manager.client.send("send", chat_id=chat_id, client_id="b-late", body="Still here?")
    await manager.wait_for(lambda f: f.get("client_id") == "b-late")
    assert manager.outcome("b-late") == "not_your_chat"
    for side in (customer, agent, manager):
        await side.close()
