"""
A transfer on the production stack: two Daphne processes on PostgreSQL and
Redis, the customer and the sending agent on one, the receiving agent on the
other, all three writing while the chat is offered and handed over.
"""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from chat.conversations.models import Chat, Message
from tests.support.servers import DaphneProcess, server_environment
from tests.support.wsclient import ProtocolClient, log_entry, session_cookie, start_chat_over_http

pytestmark = [pytest.mark.production, pytest.mark.django_db(transaction=True)]

# A steady writer: faster than a person, within the socket's and the chat's rates.
PAUSE = 0.12
CUSTOMER_MESSAGES = 24
RECEIVER_MESSAGES = 8


@pytest.fixture(autouse=True)
async def close_test_connections():
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def two_servers(dns_server, transactional_db):
    env = server_environment(dns_server.address)
    servers = [DaphneProcess(env, name="daphne-a").start(), DaphneProcess(env, name="daphne-b").start()]
    yield servers
    for server in servers:
        server.stop()


class Side:
    """One socket with a reader that keeps every frame, so that writers and waiters never share recv()."""

    def __init__(self, client):
        self.client = client
        self.frames = []
        self.arrived = asyncio.Event()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self):
        while True:
            self.frames.append(await self.client.receive(timeout=60))
            self.arrived.set()

    async def wait_for(self, predicate, timeout=10):
        async with asyncio.timeout(timeout):
            while True:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
                self.arrived.clear()
                await self.arrived.wait()

    def message_seqs(self, chat_id=None):
        return [
            log_entry(f)["seq"]
            for f in self.frames
            if log_entry(f) and (chat_id is None or f.get("chat_id", chat_id) == chat_id)
        ]

    def outcome(self, client_id):
        """'ack', an error code, or None while unanswered."""
        for frame in self.frames:
            if frame.get("client_id") == client_id and frame["type"] in ("ack", "error"):
                return "ack" if frame["type"] == "ack" else frame["code"]
        return None

    async def close(self):
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)
        await self.client.close()


async def write(side, prefix, count, *, chat_id=None, until=None):
    """Send ``prefix-0``, ``prefix-1``... every PAUSE; returns the client ids sent."""
    sent = []
    for number in range(count):
        if until is not None and until.is_set():
            break
        client_id = f"{prefix}-{number}"
        fields = {"chat_id": chat_id} if chat_id is not None else {}
        await side.client.send("send", client_id=client_id, body=f"{prefix} {number}", **fields)
        sent.append(client_id)
        await asyncio.sleep(PAUSE)
    return sent


async def answered(side, client_ids):
    for client_id in client_ids:
        await side.wait_for(lambda f, c=client_id: f.get("client_id") == c and f["type"] in ("ack", "error"))


async def test_messages_from_both_sides_during_a_transfer_are_stored_and_delivered_exactly_once(
    two_servers, make_channel, make_agent
):
    server_a, server_b = two_servers
    channel = await sync_to_async(make_channel)(slug="shop")
    anna = await sync_to_async(make_agent)(channel, first_name="Anna")
    ben = await sync_to_async(make_agent)(channel, first_name="Ben")
    started = await sync_to_async(start_chat_over_http)(server_a.url, "shop", question="Refund?")
    chat_id = started["state"]["chat_id"]

    customer = Side(await ProtocolClient(server_a.url, "/ws/chat/").connect())
    await customer.client.send("hello", token=started["token"], last_seq=0)
    sender = Side(
        await ProtocolClient(server_a.url, "/ws/agent/", cookie=await sync_to_async(session_cookie)(anna)).connect()
    )
    await sender.client.send("hello", chats={})
    receiver = Side(
        await ProtocolClient(server_b.url, "/ws/agent/", cookie=await sync_to_async(session_cookie)(ben)).connect()
    )
    await receiver.client.send("hello", chats={})
    await receiver.wait_for(lambda f: f["type"] == "state")
    await sender.wait_for(lambda f: f["type"] == "state")
    await sender.client.send("take", chat_id=chat_id)
    await sender.wait_for(lambda f: f["type"] == "chat" and f.get("assigned"))

    released = asyncio.Event()
    customer_writing = asyncio.create_task(write(customer, "c", CUSTOMER_MESSAGES))
    sender_writing = asyncio.create_task(write(sender, "a", 200, chat_id=chat_id, until=released))

    await asyncio.sleep(6 * PAUSE)
    await sender.client.send("transfer", chat_id=chat_id, to_agent_id=ben.pk, note="Refund")
    offer = await receiver.wait_for(lambda f: f["type"] == "transfer_offer")
    await asyncio.sleep(6 * PAUSE)  # both sides write on while it is offered
    await receiver.client.send("transfer_answer", transfer_id=offer["transfer"]["id"], accept=True)
    await receiver.wait_for(lambda f: f["type"] == "chat" and f.get("assigned"))
    receiver_writing = asyncio.create_task(write(receiver, "b", RECEIVER_MESSAGES, chat_id=chat_id))
    await sender.wait_for(lambda f: f["type"] == "chat_released")
    released.set()

    customer_sent, sender_sent, receiver_sent = await asyncio.gather(customer_writing, sender_writing, receiver_writing)
    await answered(customer, customer_sent)
    await answered(sender, sender_sent)
    await answered(receiver, receiver_sent)

    chat = await sync_to_async(Chat.objects.get)(pk=chat_id)
    log = await sync_to_async(list)(
        Message.objects.filter(chat_id=chat_id).order_by("seq").values("seq", "client_id", "event")
    )
    seqs = [m["seq"] for m in log]
    assert seqs == list(range(1, chat.last_seq + 1)), "every number once, none missing"
    stored = [m["client_id"] for m in log if m["client_id"]]
    assert len(stored) == len(set(stored)), "nothing stored twice"

    # Every message sent was stored exactly once, in the order its side sent it;
    # the sender's that came after the handover were refused, and only those.
    assert all(customer.outcome(c) == "ack" for c in customer_sent)
    assert [c for c in stored if c.startswith("c-")] == customer_sent
    assert all(receiver.outcome(c) == "ack" for c in receiver_sent)
    assert [c for c in stored if c.startswith("b-")] == receiver_sent
    handed_over = next(m["seq"] for m in log if m["event"] == "transferred")
    anna_stored = [c for c in stored if c.startswith("a-")]
    assert anna_stored == [c for c in sender_sent if sender.outcome(c) == "ack"]
    assert {sender.outcome(c) for c in sender_sent if c not in anna_stored} <= {"not_your_chat"}
    assert len(anna_stored) >= 6, "the sender wrote on while the chat was offered"
    assert all(m["seq"] < handed_over for m in log if m["client_id"] in anna_stored)
    assert any(m["seq"] > handed_over for m in log if m["client_id"].startswith("c-")), "the customer wrote on"

    # Each side received every message exactly once, in order: the customer
    # and the receiver all of the log, the sender all of it up to the handover.
    await customer.wait_for(lambda f: log_entry(f) and log_entry(f)["seq"] == chat.last_seq)
    await receiver.wait_for(lambda f: log_entry(f) and log_entry(f)["seq"] == chat.last_seq)
    assert customer.message_seqs() == seqs
    assert receiver.message_seqs(chat_id) == seqs
    anna_seen = sender.message_seqs(chat_id)
    assert anna_seen == sorted(set(anna_seen))
    assert [s for s in anna_seen if s <= handed_over] == list(range(1, handed_over + 1))
    for side in (customer, sender, receiver):
        await side.close()
