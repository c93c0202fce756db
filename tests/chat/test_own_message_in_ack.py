"""
The sender's own message comes back inside its ack (docs/protocol.md, "send"):
one frame instead of an ack and a copy, never twice, never out of order.
"""

import asyncio
import types

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chat.conversations import assignment, events, selectors, services
from chat.conversations.delivery import LogDelivery
from chat.conversations.models import Party
from tests.support.sockets import agent_socket, customer_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def talking_chat(make_channel, make_chat, make_agent):
    channel = make_channel(language="en")
    chat, token = make_chat(channel)
    agent = make_agent(channel, first_name="Anna")
    assignment.accept_chat(chat, agent=agent)
    return chat, token, agent


async def quiet_for(communicator, seconds=0.5):
    """The frames that arrive within ``seconds``."""
    frames = []
    # Not a receive that times out: the test communicator cancels the consumer then.
    while not await communicator.receive_nothing(timeout=seconds):
        frames.append(await communicator.receive_json_from())
    return frames


async def test_the_customer_gets_their_message_in_the_ack_once_and_the_agent_and_a_second_tab_as_a_message(
    talking_chat,
):
    chat, token, agent = talking_chat
    first_tab = await customer_socket(token)
    await receive_until(first_tab, "welcome")
    second_tab = await customer_socket(token)
    await receive_until(second_tab, "welcome")
    dashboard = await agent_socket(agent, chats={str(chat.pk): 0})
    await receive_until(dashboard, "state")
    for socket in (first_tab, second_tab, dashboard):
        await quiet_for(socket)  # the log up to now

    await first_tab.send_json_to({"type": "send", "client_id": "c-1", "body": "My parcel is late"})
    ack = (await receive_until(first_tab, "ack"))[-1]
    assert ack["client_id"] == "c-1" and ack["chat_id"] == chat.pk
    assert ack["message"]["seq"] == ack["seq"]
    assert ack["message"]["body"] == "My parcel is late" and ack["message"]["author"] == "customer"
    assert ack["message"]["client_id"] == "c-1" and ack["message"]["author_name"] == chat.customer_name
    assert [f for f in await quiet_for(first_tab) if f["type"] == "message"] == [], "not a second time"

    for other in (second_tab, dashboard):
        frames = await receive_until(other, "message")
        assert frames[-1]["message"] == ack["message"]
    for socket in (first_tab, second_tab, dashboard):
        await socket.disconnect()


async def test_the_agent_gets_their_message_in_the_ack_and_the_customer_as_a_message(talking_chat):
    chat, token, agent = talking_chat
    customer = await customer_socket(token)
    await receive_until(customer, "welcome")
    dashboard = await agent_socket(agent, chats={str(chat.pk): 0})
    await receive_until(dashboard, "state")
    await quiet_for(customer)
    await quiet_for(dashboard)

    await dashboard.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-1", "body": "On its way"})
    ack = (await receive_until(dashboard, "ack"))[-1]
    assert ack["message"]["body"] == "On its way" and ack["message"]["author_name"] == "Anna"
    assert [f for f in await quiet_for(dashboard) if f["type"] == "message"] == []
    assert (await receive_until(customer, "message"))[-1]["message"] == ack["message"]
    await customer.disconnect()
    await dashboard.disconnect()


async def test_a_resend_is_acked_with_its_seq_and_never_delivered_again(talking_chat):
    chat, token, _agent = talking_chat
    customer = await customer_socket(token)
    await receive_until(customer, "welcome")
    await quiet_for(customer)
    await customer.send_json_to({"type": "send", "client_id": "c-1", "body": "Hello"})
    first = (await receive_until(customer, "ack"))[-1]
    await customer.send_json_to({"type": "send", "client_id": "c-1", "body": "Hello"})
    again = (await receive_until(customer, "ack"))[-1]
    assert again["seq"] == first["seq"]
    assert "message" not in again, "this socket has sent it already"
    assert [f for f in await quiet_for(customer) if f["type"] == "message"] == []
    await customer.disconnect()


class RecordingDelivery(LogDelivery):
    """LogDelivery over a list instead of a socket, with a database read that waits until let go."""

    def __init__(self, log):
        super().__init__()
        self.log = log
        self.frames = []
        self.read_started = asyncio.Event()
        self.let_read_finish = asyncio.Event()
        self.failed = False

    async def fail(self):
        self.failed = True

    async def send_frame(self, frame_type, **fields):
        self.frames.append(fields["message"]["seq"] if "message" in fields else (frame_type, fields.get("seq")))

    def _payloads_between(self, chat_id, after_seq, up_to_seq):
        raise AssertionError("replaced by read_between")

    async def read_between(self, after_seq, up_to_seq):
        self.read_started.set()
        await self.let_read_finish.wait()
        last = max(self.log) if up_to_seq is None else up_to_seq
        return [self.log[seq] for seq in range(after_seq + 1, last + 1)]


@pytest.fixture
def delivery(monkeypatch):
    log = {seq: {"seq": seq} for seq in range(1, 10)}
    socket = RecordingDelivery(log)

    def reading(function):
        async def read(chat_id, after_seq, up_to_seq):
            return await socket.read_between(after_seq, up_to_seq)

        return read

    monkeypatch.setattr("chat.conversations.delivery.db_sync_to_async", reading)
    socket.sent_seq[7] = 2
    return socket


async def test_an_ack_carries_its_message_only_when_it_is_the_next_one_the_socket_sends(delivery):
    assert not delivery.claim_own(7, 4), "3 has not been sent: 4 inside an ack would overtake it"
    assert not delivery.claim_own(8, 1), "a chat whose log this socket does not send"
    assert delivery.claim_own(7, 3)
    await delivery.deliver(7, {"seq": 3})
    assert delivery.frames == [], "the live copy of what the ack carried is a repeat"
    await delivery.deliver(7, {"seq": 4})
    assert delivery.frames == [4]


async def test_an_ack_while_a_gap_is_being_read_is_never_sent_twice_or_out_of_order(delivery, monkeypatch):
    monkeypatch.setattr("chat.conversations.delivery.HOLD_SECONDS", 0.01)
    # A live event for 5 finds 3 and 4 missing; neither comes, so after the
    # hold they are read from the database...
    await delivery.deliver(7, {"seq": 5})
    assert delivery.frames == [], "held: what is missing may be on its way"
    await asyncio.wait_for(delivery.read_started.wait(), 2)
    # ...meanwhile the socket's own message 3 is stored: its ack may carry it...
    assert delivery.claim_own(7, 3)
    delivery.frames.append(3)  # what send_ack writes
    # ...and the read, done, sends only what is left, in order.
    delivery.let_read_finish.set()
    await asyncio.gather(*delivery.gap_reads)
    assert delivery.frames == [3, 4, 5]
    assert delivery.sent_seq[7] == 5
    assert not delivery.held and not delivery.hold_timers


def stored(seq, client_id):
    """What group_commit hands the socket: a stored message with its payload built."""
    return types.SimpleNamespace(seq=seq, _log_payload={"seq": seq, "client_id": client_id})


async def acked(message):
    return message


async def test_the_own_message_s_announcement_waits_for_the_ack_but_never_holds_up_what_follows(delivery):
    delivery.sent_seq[7] = 2
    delivery.acks_due.add((7, "c-1"))
    await delivery.deliver(7, {"seq": 3, "client_id": "c-1"})
    assert delivery.frames == [], "the ack on its way carries it"
    # The other side's 4 arrives before the ack: it waits for the ack, which carries 3.
    await delivery.deliver(7, {"seq": 4, "client_id": "a-9"})
    assert delivery.frames == []
    delivery.acks_due.discard((7, "c-1"))
    await delivery.store_and_ack(7, "c-1", acked(stored(3, "c-1")))
    assert delivery.frames == [3, 4], "the ack with 3, then 4 as a message"
    assert not delivery.read_started.is_set(), "nothing read from the database"
    assert not delivery.held and not delivery.hold_timers


async def test_a_later_entry_that_arrives_first_waits_for_the_earlier_one_without_a_database_read(delivery):
    # Two processes announce 3 and 4 each on its own; 4 is here first.
    await delivery.deliver(7, {"seq": 4})
    await delivery.deliver(7, {"seq": 5})
    assert delivery.frames == []
    await delivery.deliver(7, {"seq": 3})
    assert delivery.frames == [3, 4, 5]
    await delivery.deliver(7, {"seq": 4})
    assert delivery.frames == [3, 4, 5], "a repeat is dropped"
    assert not delivery.read_started.is_set()
    assert not delivery.held and not delivery.hold_timers


async def test_an_ack_that_may_not_carry_its_message_sends_it_after_the_one_before(delivery):
    # The socket's own 4 is stored while the other side's 3 is still on its way.
    delivery.acks_due.add((7, "c-1"))
    await delivery.deliver(7, {"seq": 4, "client_id": "c-1"})
    delivery.acks_due.discard((7, "c-1"))
    await delivery.store_and_ack(7, "c-1", acked(stored(4, "c-1")))
    assert delivery.frames == [("ack", 4)], "an ack alone: 4 inside it would overtake 3"
    await delivery.deliver(7, {"seq": 3})
    assert delivery.frames == [("ack", 4), 3, 4]
    assert not delivery.read_started.is_set()


async def test_nothing_held_is_read_or_sent_once_the_socket_closes(delivery, monkeypatch):
    monkeypatch.setattr("chat.conversations.delivery.HOLD_SECONDS", 0.01)
    await delivery.deliver(7, {"seq": 5})
    delivery.closing = True
    await asyncio.sleep(0.05)
    assert not delivery.read_started.is_set() and delivery.frames == []


async def test_announcements_out_of_order_reach_a_real_socket_in_order_with_no_read(talking_chat, monkeypatch):
    """Two messages announced in the wrong order, through the channel layer to a customer's socket."""
    chat, token, agent = talking_chat
    customer = await customer_socket(token)
    await receive_until(customer, "welcome")
    await quiet_for(customer)
    announced = []
    monkeypatch.setattr(events, "notify_message", announced.append)
    # Long enough that only a missing announcement, never a busy machine, would make the read.
    monkeypatch.setattr("chat.conversations.delivery.HOLD_SECONDS", 5)
    first, _ = await database_sync_to_async(services.post_message)(chat, author=Party.AGENT, body="One", agent=agent)
    second, _ = await database_sync_to_async(services.post_message)(chat, author=Party.AGENT, body="Two", agent=agent)
    reads = []
    real_read = selectors.messages_between
    monkeypatch.setattr(selectors, "messages_between", lambda *a, **k: reads.append(a) or real_read(*a, **k))
    layer = get_channel_layer()
    for message in (second, first):
        await layer.group_send(events.chat_group(chat.pk), await database_sync_to_async(events.message_event)(message))
    frames = [f for f in await quiet_for(customer) if f["type"] == "message"]
    assert [f["message"]["seq"] for f in frames] == [first.seq, second.seq]
    assert [f["message"]["body"] for f in frames] == ["One", "Two"]
    assert reads == []
    await customer.disconnect()


async def test_what_arrives_during_a_catch_up_follows_it_at_once(delivery):
    # A resuming socket reads 3..4 from the database; a live 5 arrives meanwhile.
    catching_up = asyncio.create_task(delivery.catch_up(7, 2))
    await delivery.read_started.wait()
    await delivery.deliver(7, {"seq": 5})
    assert delivery.frames == []
    delivery.log = {3: {"seq": 3}, 4: {"seq": 4}}
    delivery.let_read_finish.set()
    await catching_up
    assert delivery.frames == [3, 4, 5], "5 right after the read, not after HOLD_SECONDS"
    assert not delivery.held and not delivery.hold_timers


async def test_entries_sent_while_the_read_after_the_hold_waits_are_not_sent_again(delivery, monkeypatch):
    monkeypatch.setattr("chat.conversations.delivery.HOLD_SECONDS", 0.01)
    await delivery.deliver(7, {"seq": 4})
    await asyncio.wait_for(delivery.read_started.wait(), 2)
    await delivery.deliver(7, {"seq": 3})  # late, but before the read returns: 3 and the held 4 go now
    assert delivery.frames == [3, 4]
    delivery.let_read_finish.set()
    await asyncio.gather(*delivery.gap_reads)
    assert delivery.frames == [3, 4] and not delivery.failed
    assert not delivery.held and not delivery.hold_timers
