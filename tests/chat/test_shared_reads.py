"""
One queue read per process for all dashboards (infra.realtime.shared), and
never one that began before the change a dashboard heard of.
"""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async

from chat.conversations import payloads
from infra.realtime.shared import SharedReads
from tests.support.sockets import agent_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


class SlowRead:
    """A read that takes a while and counts its calls (from database threads)."""

    def __init__(self, seconds=0.2):
        self.seconds = seconds
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, value):
        with self.lock:
            self.calls += 1
            call = self.calls
        threading.Event().wait(self.seconds)
        return (value, call)


async def test_callers_at_the_same_moment_share_one_read():
    reads, read = SharedReads(), SlowRead()
    now = asyncio.get_running_loop().time()
    results = await asyncio.gather(*[reads.get("q", read, "x", not_before=now) for _ in range(10)])
    assert read.calls == 1
    assert results == [("x", 1)] * 10


async def test_a_read_that_began_before_the_caller_heard_of_a_change_is_not_shared():
    reads, read = SharedReads(), SlowRead()
    loop = asyncio.get_running_loop()
    early = asyncio.ensure_future(reads.get("q", read, "x", not_before=loop.time()))
    await asyncio.sleep(0.05)  # the first read is under way; now a change is heard of
    late = await reads.get("q", read, "x", not_before=loop.time())
    assert await early == ("x", 1)
    assert late == ("x", 2)


async def test_one_callers_cancellation_does_not_cancel_the_read_of_the_others():
    reads, read = SharedReads(), SlowRead()
    now = asyncio.get_running_loop().time()
    first = asyncio.ensure_future(reads.get("q", read, "x", not_before=now))
    second = asyncio.ensure_future(reads.get("q", read, "x", not_before=now))
    await asyncio.sleep(0.05)
    first.cancel()
    assert await second == ("x", 1)


async def test_a_failed_read_fails_for_its_callers_and_the_next_caller_reads_again():
    reads = SharedReads()
    calls = []

    def failing(value):
        calls.append(value)
        if len(calls) == 1:
            raise RuntimeError("database restarting")
        return value

    now = asyncio.get_running_loop().time()
    with pytest.raises(RuntimeError):
        await reads.get("q", failing, "x", not_before=now)
    assert await reads.get("q", failing, "y", not_before=asyncio.get_running_loop().time()) == "y"


async def test_a_queue_move_costs_one_read_for_all_dashboards_of_the_process(
    make_channel, make_agent, make_chat, monkeypatch
):
    channel = await database_sync_to_async(make_channel)()
    agents = [await database_sync_to_async(make_agent)(channel, username=f"agent{n}") for n in range(5)]
    dashboards = []
    for agent in agents:
        socket = await agent_socket(agent)
        await receive_until(socket, "state")
        dashboards.append(socket)
    reads = []
    real_agent_queue = payloads.agent_queue

    def counted(channel_ids):
        reads.append(tuple(channel_ids))
        return real_agent_queue(channel_ids)

    monkeypatch.setattr(payloads, "agent_queue", counted)
    _chat, _token = await database_sync_to_async(make_chat)(channel, name="Newcomer")
    for socket in dashboards:
        queue = (await receive_until(socket, "queue"))[-1]
        assert [entry["customer_name"] for entry in queue["queue"]] == ["Newcomer"]
    assert len(reads) == 1
    for socket in dashboards:
        await socket.disconnect()


async def test_a_state_change_costs_one_read_for_all_sockets_of_the_chat_on_the_process(
    make_channel, make_agent, make_chat, monkeypatch
):
    from chat.conversations import assignment
    from chat.widget import consumer as widget_consumer
    from tests.support.sockets import customer_socket

    channel = await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(channel)
    chat, token = await database_sync_to_async(make_chat)(channel)
    tabs = []
    for _ in range(3):
        socket = await customer_socket(token, last_seq=1)
        await receive_until(socket, "welcome")
        tabs.append(socket)
    reads = []
    real_read_state = widget_consumer._read_state

    def counted(chat_id):
        # As slow as a read under load: every tab hears the event while it
        # runs. (A fast read may end before the last tab's event is handled,
        # and that tab then reads again, which is correct but not shared.)
        reads.append(chat_id)
        threading.Event().wait(0.3)
        return real_read_state(chat_id)

    monkeypatch.setattr(widget_consumer, "_read_state", counted)
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    for socket in tabs:
        state = (await receive_until(socket, "state"))[-1]
        assert state["state"]["status"] == "active"
    assert reads == [chat.pk]
    for socket in tabs:
        await socket.disconnect()
