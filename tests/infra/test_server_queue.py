"""infra/realtime/server_queue.py: helpdesk.server's queue behind ``receive`` behaves as asyncio.Queue does for it, and the inbox reads it itself."""

import asyncio

import pytest

from infra.realtime.inbox import open_inbox
from infra.realtime.server_queue import ConnectionQueue


@pytest.fixture(params=[ConnectionQueue, asyncio.Queue])
def make_queue(request):
    """Each test runs against asyncio.Queue too: what ConnectionQueue replaces."""
    return request.param


async def test_items_come_out_in_order_and_a_waiting_reader_is_woken(make_queue):
    queue = make_queue()
    reader = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait(1)
    queue.put_nowait(2)
    assert await reader == 1
    assert queue.qsize() == 1 and not queue.empty()
    assert queue.get_nowait() == 2
    assert queue.empty()
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()


async def test_readers_wait_in_turn_and_a_reader_cancelled_after_its_wake_up_passes_it_on(make_queue):
    queue = make_queue()
    first = asyncio.ensure_future(queue.get())
    second = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("a")
    first.cancel()
    assert await asyncio.wait_for(second, 1) == "a"
    assert first.cancelled()

    third = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    third.cancel()
    await asyncio.sleep(0)
    queue.put_nowait("b")
    assert await asyncio.wait_for(queue.get(), 1) == "b"


async def test_the_inbox_is_the_connection_queue_itself_without_a_task():
    queue = ConnectionQueue()
    inbox = await open_inbox(queue.get, None)
    assert inbox.queue is queue
    assert inbox.pumps == ()
    queue.put_nowait({"type": "websocket.connect"})
    assert await inbox.get() == {"type": "websocket.connect"}
