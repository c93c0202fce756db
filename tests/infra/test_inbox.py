"""
infra/realtime/inbox.py through FrameConsumer: one queue per socket for the
server's messages and the layer's events (instead of Channels'
await_many_dispatch), with real layers: the Redis one (on a redis-server of
the test's own) and Channels' in-memory one.
"""

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator

from infra.realtime import consumer as frame_consumer
from infra.realtime.consumer import FrameConsumer
from tests.infra.layer_helpers import own_layer


class Recorder(FrameConsumer):
    """A FrameConsumer that joins one group and records what it handles and releases."""

    frame_types = ("hello", "ping")
    released_by_name = {}
    layer = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events = []

    async def connect(self):
        await super().connect()
        await self.channel_layer.group_add("chat.7", self.channel_name)

    async def release(self):
        Recorder.released_by_name[self.channel_name] = Recorder.released_by_name.get(self.channel_name, 0) + 1

    async def frame_ping(self, frame):
        await self.send_frame("pong", n=frame.get("n"))

    async def chat_message(self, event):
        await self.send_frame("message", n=event["n"])


@pytest.fixture
def use_layer(monkeypatch):
    def use(layer):
        monkeypatch.setattr(frame_consumer, "get_channel_layer", lambda alias=None: layer)
        return layer

    Recorder.released_by_name = {}
    return use


async def connected(application=None):
    communicator = WebsocketCommunicator(application or Recorder.as_asgi(), "/ws/test/")
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def until(condition, timeout=3):
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


@pytest.mark.production
async def test_layer_events_go_straight_into_the_servers_queue_without_tasks(own_redis, use_layer):
    layer = use_layer(own_layer(own_redis))
    sockets = [await connected()]  # the layer's subscriber starts its tasks
    before = len(asyncio.all_tasks())
    sockets += [await connected() for _ in range(19)]
    # Each communicator runs its application as one task; the consumer adds
    # none (Channels' loop kept two per socket, and a new one per event).
    assert len(asyncio.all_tasks()) - before == 19
    local = layer._loop_layer()
    assert all(not isinstance(queue, asyncio.Queue) for queue in local.queues.values())

    for n in range(50):
        await layer.group_send("chat.7", {"type": "chat.message", "n": n})
    for socket in sockets:
        assert [(await socket.receive_json_from(timeout=3))["n"] for _ in range(50)] == list(range(50))
    # Frames and events share the one queue and are handled in arrival order.
    await sockets[0].send_json_to({"type": "ping", "n": 1})
    assert await sockets[0].receive_json_from(timeout=3) == {"type": "pong", "n": 1}

    for socket in sockets:
        await socket.disconnect()
    assert sorted(Recorder.released_by_name.values()) == [1] * 20
    assert local.queues == {} and "chat.7" not in local.groups


@pytest.mark.production
async def test_a_socket_too_slow_for_its_events_is_told_to_resume_and_gets_nothing_queued_before(own_redis, use_layer):
    layer = use_layer(own_layer(own_redis, capacity=5))
    socket = await connected()
    (inbox,) = layer._loop_layer().queues.values()
    # The consumer is busy (its event loop does not come round) while eight arrive.
    for n in range(8):
        layer._loop_layer().put(next(iter(layer._loop_layer().queues)), {"type": "chat.message", "n": n})
    assert inbox.gapped
    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": frame_consumer.CLOSE_RESUME}
    assert await socket.receive_nothing(timeout=0.2), "the five queued before the gap are dropped, not sent"
    await socket.disconnect()
    assert list(Recorder.released_by_name.values()) == [1]


@pytest.mark.production
async def test_a_lost_subscriber_connection_closes_every_socket_with_4503(own_redis, use_layer):
    layer = use_layer(own_layer(own_redis))
    sockets = [await connected() for _ in range(3)]
    layer._loop_layer().gap_everywhere()
    for socket in sockets:
        assert await socket.receive_output(timeout=3) == {
            "type": "websocket.close",
            "code": frame_consumer.CLOSE_RESUME,
        }
        await socket.disconnect()
    assert sorted(Recorder.released_by_name.values()) == [1, 1, 1]


@pytest.mark.production
async def test_a_cancelled_consumer_releases_once_and_gives_its_channel_back(own_redis, use_layer):
    """Daphne cancels a consumer that does not end in time after its client went."""
    layer = use_layer(own_layer(own_redis))
    socket = await connected()
    socket.future.cancel()
    with pytest.raises(asyncio.CancelledError):
        await socket.future
    assert list(Recorder.released_by_name.values()) == [1]
    assert layer._loop_layer().queues == {} and "chat.7" not in layer._loop_layer().groups


async def test_channels_in_memory_layer_and_a_receive_of_another_kind_are_read_by_one_task_each(use_layer):
    """Any other layer or server: one long-lived task per source, not one per event."""
    layer = use_layer(InMemoryChannelLayer())
    recorder = Recorder.as_asgi()

    async def wrapped(scope, receive, send):
        async def receive_through():  # not a queue's get: what another server might pass
            return await receive()

        await recorder(scope, receive_through, send)

    before = len(asyncio.all_tasks())
    socket = await connected(wrapped)
    assert len(asyncio.all_tasks()) - before == 3  # the application, its receive, its channel
    for n in range(30):
        await layer.group_send("chat.7", {"type": "chat.message", "n": n})
    assert [(await socket.receive_json_from(timeout=3))["n"] for _ in range(30)] == list(range(30))
    await socket.send_json_to({"type": "ping", "n": 2})
    assert await socket.receive_json_from(timeout=3) == {"type": "pong", "n": 2}
    await socket.disconnect()
    await until(lambda: len(asyncio.all_tasks()) == before)
    assert list(Recorder.released_by_name.values()) == [1]
