"""
Redis restarts: Redis keeps the channel layer's group memberships, and a
restarted Redis (no persistence) has none. channels_redis raises the
connection error in only one consumer of the process (the one holding its
receive lock); every other socket stays open, silently deaf to its chats. So
each process watches Redis's run_id and, when it changes, closes all its
sockets with 1012 (service restart): clients reconnect and resume from their
last seq, as after any dropped connection (docs/protocol.md, Reconnecting).
"""
import asyncio
import logging
import weakref

logger = logging.getLogger(__name__)

CLOSE_LAYER_RESTARTED = 1012
# Often enough that a restart is noticed within a couple of seconds, rarely
# enough to cost Redis nothing.
LAYER_WATCH_SECONDS = 2

_live_consumers = weakref.WeakSet()
_watch = None


def register(consumer):
    """Close this consumer's socket when Redis restarts; starts the process's watch on first use."""
    global _watch
    _live_consumers.add(consumer)
    layer = consumer.channel_layer
    if not (hasattr(layer, "connection") and hasattr(layer, "hosts")):
        return  # the in-memory layer lives and dies with the process
    if _watch is None or _watch.done():
        _watch = asyncio.get_running_loop().create_task(_watch_layer(layer))


async def _run_ids(layer):
    return tuple([(await layer.connection(index).info("server"))["run_id"] for index in range(len(layer.hosts))])


async def _watch_layer(layer):
    known = None
    while True:
        try:
            run_ids = await asyncio.wait_for(_run_ids(layer), timeout=LAYER_WATCH_SECONDS)
        except Exception:  # noqa: BLE001 - Redis down: try again; consumers that need it fail on their own
            # redis-py may turn a cancellation into its own error: a task
            # being cancelled (process or event loop shutting down) must end.
            if asyncio.current_task().cancelling():
                raise asyncio.CancelledError() from None
            run_ids = None
        if run_ids is not None:
            if known is not None and run_ids != known:
                logger.warning("Redis restarted; closing %d sockets so that they resume", len(_live_consumers))
                for consumer in list(_live_consumers):
                    asyncio.ensure_future(consumer.close(code=CLOSE_LAYER_RESTARTED))
            known = run_ids
        await asyncio.sleep(LAYER_WATCH_SECONDS)
