"""
The channel layer for several processes: Redis publish/subscribe.

Why not channels_redis's RedisChannelLayer: it stores each group message in a
sorted set per receiving process, and every process pops them one at a time,
four Redis round trips per message, one after another on its event loop.
Under load, deliveries queue behind that loop (docs/performance.md). Here
Redis pushes: a group message is one PUBLISH, and each process reads the
messages of all groups its sockets are in from one subscriber connection.

Pub/sub keeps nothing, so a process that is not subscribed when a message is
published never gets it. That is safe because the layer is only a doorbell
(infra.realtime.broadcast) and every possible gap is announced:

- ``group_add`` returns only once Redis has confirmed the subscription, so a
  consumer that joins and then reads the database misses nothing in between;
- when the subscriber connection is lost (Redis restarted, the network, Redis
  cutting a slow reader) or a socket's queue overflows, each channel that may
  have missed something receives ``{"type": "layer.gap"}``; the consumers close
  with 4503 and their clients resume from their last sequence number
  (docs/protocol.md, Reconnecting).

Publishing from the ORM threads (``group_send_blocking``) goes straight to
Redis over a thread-safe connection pool, without a hop through the event loop.
"""

import asyncio
import logging
import threading
import types
import uuid
from collections import defaultdict

import msgpack
import redis
from channels.layers import BaseChannelLayer
from redis import asyncio as aioredis

from infra.realtime.redis_subscriber import Subscriber

logger = logging.getLogger(__name__)

GAP_EVENT_TYPE = "layer.gap"


def pack(message):
    return msgpack.packb(message, use_bin_type=True)


def unpack(data):
    return msgpack.unpackb(data, raw=False)


class RedisPubSubLayer(BaseChannelLayer):
    """Settings: ``CONFIG = {"url": REDIS_URL, "prefix": ..., "capacity": ..., "max_connections": ...}``."""

    extensions = ["groups", "flush"]

    def __init__(
        self, url="redis://127.0.0.1:6379/0", prefix="helpdesk", capacity=1000, max_connections=1000, **kwargs
    ):
        super().__init__(capacity=capacity, **kwargs)
        self.url = url
        self.prefix = prefix
        self.max_connections = max_connections
        self._loop_layers = {}
        self._blocking_client = None
        self._blocking_lock = threading.Lock()

    # Redis channel names ------------------------------------------------------

    def group_key(self, group):
        return f"{self.prefix}:group:{group}"

    def process_key(self, process_id):
        return f"{self.prefix}:process:{process_id}"

    def channel_key(self, channel):
        return f"{self.prefix}:channel:{channel}"

    def _key_for_send(self, channel):
        """Where a message for ``channel`` is published, and what is published there."""
        if "!" in channel:
            process_id = channel[: channel.index("!")].rsplit(".", 1)[-1]
            return self.process_key(process_id), True
        return self.channel_key(channel), False

    # The channel layer API ------------------------------------------------------

    async def new_channel(self, prefix="specific"):
        return await self._loop_layer().new_channel(prefix)

    async def new_channel_for(self, inbox, prefix="specific"):
        """
        A new channel whose messages go straight into ``inbox``
        (infra.realtime.inbox.Inbox: ``put_event``, ``put_gap``) instead of a
        queue of the layer's that receive() reads: one put and one get per
        event, no waiting receive() per socket. ``forget_channel`` ends it.
        """
        return await self._loop_layer().new_channel(prefix, inbox)

    async def forget_channel(self, channel):
        """The channel's consumer ended: its messages and its memberships go (as when its receive() is cancelled)."""
        await self._loop_layer()._forget(channel)

    async def send(self, channel, message):
        self.require_valid_channel_name(channel)
        local = self._loop_layer()
        if local.holds(channel):
            # Through msgpack as from another process: the receiver's own copy,
            # and what Redis could not carry fails here too.
            local.put(channel, unpack(pack(message)))
            return
        key, addressed = self._key_for_send(channel)
        await local.publisher().publish(key, pack([channel, message] if addressed else message))

    async def receive(self, channel):
        self.require_valid_channel_name(channel)
        return await self._loop_layer().receive(channel)

    async def group_add(self, group, channel):
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        await self._loop_layer().group_add(group, channel)

    async def group_discard(self, group, channel):
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        await self._loop_layer().group_discard(group, channel)

    async def group_send(self, group, message):
        self.require_valid_group_name(group)
        await self._loop_layer().publisher().publish(self.group_key(group), pack(message))

    def group_send_blocking(self, group, message):
        """group_send for threads without an event loop (the ORM threads, views)."""
        self.require_valid_group_name(group)
        self._blocking().publish([(self.group_key(group), pack(message))])

    def group_send_many_blocking(self, group_messages):
        """Several group_send_blocking in one round trip (one write of all the PUBLISHes keeps their order)."""
        for group, _message in group_messages:
            self.require_valid_group_name(group)
        self._blocking().publish([(self.group_key(group), pack(message)) for group, message in group_messages])

    async def group_send_many(self, group_messages):
        """group_send for several groups in one round trip, in order (one write, LoopPublisher), from the event loop."""
        for group, _message in group_messages:
            self.require_valid_group_name(group)
        pairs = [(self.group_key(group), pack(message)) for group, message in group_messages]
        await self._loop_layer().many_publisher().publish(pairs)

    async def flush(self):
        loop = asyncio.get_running_loop()
        local = self._loop_layers.pop(loop, None)
        if local is not None:
            await local.close()

    # Per event loop ---------------------------------------------------------------

    def _loop_layer(self):
        """Queues and connections belong to one event loop (tests run several)."""
        loop = asyncio.get_running_loop()
        local = self._loop_layers.get(loop)
        if local is None:
            local = self._loop_layers[loop] = _LoopLayer(self, loop)
            self._close_with(loop)
        return local

    def _close_with(self, loop):
        """Close the loop's connections and tasks before the loop itself closes."""
        original_close = loop.close

        def close(loop_self, *args, **kwargs):
            local = self._loop_layers.pop(loop, None)
            if local is not None and not loop.is_running():
                loop.run_until_complete(local.close())
            loop.close = original_close
            return original_close(*args, **kwargs)

        loop.close = types.MethodType(close, loop)

    def _blocking(self):
        with self._blocking_lock:
            if self._blocking_client is None:
                self._blocking_client = BlockingPublisher(self.url)
            return self._blocking_client


class BlockingPublisher:
    """
    PUBLISHes from threads, each call's in one write and one read of the
    replies, over connections of redis-py's (its URL handling, AUTH, TLS,
    reply parser). Why not redis-py's client and pipeline: around one write
    and one read they check the pool's pid, copy the command stack, look up
    response callbacks in a case-insensitive dict, wrap the call in a retry
    and reset the pipeline: about 0.7 ms of CPU per batch of group commit,
    a tenth of a process's time at 200 chats (docs/performance.md).

    A connection is taken for the call from a free list (one per thread that
    publishes at the same moment) and put back after it. One that fails is
    dropped and the call is tried once more on a new one, as redis-py's retry
    does; a PUBLISH that reached Redis before the failure may go out twice
    then, which the consumers drop by seq.
    """

    def __init__(self, url):
        self._pool = redis.ConnectionPool.from_url(url)
        self._free = []
        self._lock = threading.Lock()

    def publish(self, key_data_pairs):
        if not key_data_pairs:
            return
        commands = [("PUBLISH", key, data) for key, data in key_data_pairs]
        try:
            self._publish_once(commands)
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            self._publish_once(commands)

    def _publish_once(self, commands):
        with self._lock:
            connection = self._free.pop() if self._free else self._pool.make_connection()
        try:
            connection.send_packed_command(connection.pack_commands(commands), check_health=False)
            for _ in commands:
                connection.read_response()
        except BaseException:
            # Replies may be left unread on it: never reused.
            connection.disconnect()
            raise
        with self._lock:
            self._free.append(connection)

    def close(self):
        with self._lock:
            free, self._free = self._free, []
        for connection in free:
            connection.disconnect()


class LoopPublisher:
    """
    BlockingPublisher for the event loop: each call's PUBLISHes in one write
    and the replies read after it, over connections of redis-py's asyncio
    client, kept in a free list (one per batch publishing at that moment).
    Why not its pipeline: group commit announces every batch from the loop
    (chat.conversations.group_commit_pg), and the pipeline's command stack,
    response callbacks and connection pool with its lock cost more than the
    write itself (docs/performance.md, "Flat out at 400 chats"). A connection
    that fails is dropped and the call tried once more on a new one, as
    BlockingPublisher does (a repeat is dropped by seq).
    """

    def __init__(self, url):
        self._pool = aioredis.ConnectionPool.from_url(url)
        self._free = []

    async def publish(self, key_data_pairs):
        if not key_data_pairs:
            return
        commands = [("PUBLISH", key, data) for key, data in key_data_pairs]
        try:
            await self._publish_once(commands)
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            await self._publish_once(commands)

    async def _publish_once(self, commands):
        connection = self._free.pop() if self._free else self._pool.make_connection()
        try:
            await connection.send_packed_command(connection.pack_commands(commands), check_health=False)
            for _ in commands:
                await connection.read_response()
        except BaseException:
            # Replies may be left unread on it (a cancelled call too): never reused.
            await connection.disconnect(nowait=True)
            raise
        self._free.append(connection)

    async def close(self):
        free, self._free = self._free, []
        for connection in free:
            await connection.disconnect()


class _LoopLayer:
    """One event loop's sockets: their queues, their groups, one subscriber connection."""

    def __init__(self, layer, loop):
        self.layer = layer
        self.process_id = uuid.uuid4().hex
        # channel name -> asyncio.Queue of messages that receive() reads, or
        # the consumer's inbox (new_channel_for) that the layer fills itself
        self.queues = {}
        self.groups = defaultdict(set)  # group -> local channel names
        self.subscriber = Subscriber(layer.url, loop, self.dispatch, self.gap_everywhere)
        self._publisher = None
        self._many_publisher = None

    def many_publisher(self):
        if self._many_publisher is None:
            self._many_publisher = LoopPublisher(self.layer.url)
        return self._many_publisher

    def publisher(self):
        if self._publisher is None:
            self._publisher = aioredis.Redis.from_url(self.layer.url, max_connections=self.layer.max_connections)
        return self._publisher

    def holds(self, channel):
        return channel in self.queues

    async def new_channel(self, prefix, inbox=None):
        channel = f"{prefix.rstrip('.')}.{self.process_id}!{uuid.uuid4().hex}"
        self.queues[channel] = asyncio.Queue() if inbox is None else inbox
        # Messages sent to one channel (layer.send) come through the process's key.
        await self.subscriber.subscribe(self.layer.process_key(self.process_id), keep=True)
        return channel

    async def receive(self, channel):
        queue = self.queues.get(channel)
        if queue is None and "!" in channel:
            # A specific channel's messages come through its process's key.
            if self.layer._key_for_send(channel)[0] != self.layer.process_key(self.process_id):
                raise RuntimeError("receive() takes a channel of this process (from its new_channel())")
            queue = self.queues[channel] = asyncio.Queue()
        elif queue is None:
            queue = self.queues[channel] = asyncio.Queue()
            await self.subscriber.subscribe(self.layer.channel_key(channel))
        elif not isinstance(queue, asyncio.Queue):
            raise RuntimeError(
                "receive() on a channel that goes into an inbox (new_channel_for): its consumer reads it"
            )
        try:
            return await queue.get()
        except asyncio.CancelledError:
            # Channels cancels receive() when the consumer ends: its channel goes.
            await self._forget(channel)
            raise

    async def group_add(self, group, channel):
        if channel not in self.queues:
            raise RuntimeError("group_add() takes a channel of this process (consumer.channel_name)")
        if channel in self.groups[group]:
            return
        self.groups[group].add(channel)
        try:
            await self.subscriber.subscribe(self.layer.group_key(group))
        except BaseException:
            # Undone as a leave, unless one came first (it undid the join already).
            await self.group_discard(group, channel)
            raise

    async def group_discard(self, group, channel):
        members = self.groups.get(group)
        if not members or channel not in members:
            return
        members.discard(channel)
        if not members:
            del self.groups[group]
        await self.subscriber.unsubscribe(self.layer.group_key(group))

    async def _forget(self, channel):
        self.queues.pop(channel, None)
        for group in [group for group, members in self.groups.items() if channel in members]:
            await self.group_discard(group, channel)
        if not channel.count("!"):
            await self.subscriber.unsubscribe(self.layer.channel_key(channel))

    # What the subscriber connection reads -----------------------------------------

    def dispatch(self, key, data):
        prefix = self.layer.prefix
        if key.startswith(f"{prefix}:group:"):
            for channel in self.groups.get(key[len(prefix) + 7 :], ()):
                self.put(channel, unpack(data))  # each member its own copy
        elif key.startswith(f"{prefix}:process:"):
            channel, message = unpack(data)
            self.put(channel, message)
        elif key.startswith(f"{prefix}:channel:"):
            self.put(key[len(prefix) + 9 :], unpack(data))

    def put(self, channel, message):
        queue = self.queues.get(channel)
        if queue is None:
            return
        if not isinstance(queue, asyncio.Queue):
            queue.put_event(message, self.layer.capacity)  # an inbox: it keeps the capacity itself
            return
        if queue.qsize() >= self.layer.capacity:
            # A socket too slow to keep up: what it missed is announced, not lost.
            logger.warning("Channel %s is full; it will resume from the database", channel)
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait({"type": GAP_EVENT_TYPE})
            return
        queue.put_nowait(message)

    def gap_everywhere(self):
        for queue in self.queues.values():
            if isinstance(queue, asyncio.Queue):
                queue.put_nowait({"type": GAP_EVENT_TYPE})
            else:
                queue.put_gap()

    async def close(self):
        await self.subscriber.close()
        if self._publisher is not None:
            await self._publisher.aclose(close_connection_pool=True)
            self._publisher = None
        if self._many_publisher is not None:
            await self._many_publisher.close()
            self._many_publisher = None
