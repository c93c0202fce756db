"""
Live events, sent through the channel layer (infra.realtime.layer).

Actions call ``send_on_commit`` so that a live event goes out only once the
change it announces is in the database. The channel layer is a doorbell: a
client that misses an event heals the gap from the database by sequence number.
"""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from infra.realtime.db import run


def send_on_commit(group, event):
    """Send ``event`` to ``group`` after the current transaction commits."""
    transaction.on_commit(lambda: _send_blocking(group, event))


def send_coalesced_on_commit(group, build_event):
    """
    For events that describe a state which changes often, such as a queue:
    within one process, changes of one group within COALESCE_SECONDS go out
    as one event, built when it is sent, so that it carries the latest state.
    A busy queue moves many times a second (each new chat, each take), and
    each move reaches every dashboard and every waiting customer of the channel.
    """
    transaction.on_commit(lambda: _coalesce(group, build_event))


# Coalescing needs the process's event loop (Daphne's), which the sockets
# register when they connect; without one (a command, a plain test) events go
# out at once.
COALESCE_SECONDS = 0.25
_event_loop = None
_pending_groups = set()


def use_event_loop(loop):
    global _event_loop
    _event_loop = loop


def _coalesce(group, build_event):
    loop = _event_loop
    if loop is None or not loop.is_running():
        _send_blocking(group, build_event())
        return
    loop.call_soon_threadsafe(_schedule, loop, group, build_event)


def _schedule(loop, group, build_event):
    if group in _pending_groups:
        return  # the event already scheduled will carry this change too
    _pending_groups.add(group)
    loop.call_later(COALESCE_SECONDS, lambda: loop.create_task(_send_coalesced(group, build_event)))


async def _send_coalesced(group, build_event):
    # A change from here on schedules another event, so none is missed.
    _pending_groups.discard(group)
    await get_channel_layer().group_send(group, await run(build_event))


def _send_blocking(group, event):
    """From a thread: Redis directly where the layer can (infra.realtime.layer), else through an event loop."""
    layer = get_channel_layer()
    if hasattr(layer, "group_send_blocking"):
        layer.group_send_blocking(group, event)
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(layer.group_send)(group, event)
        return
    # Plain code on an event loop's own thread (a test driving a browser), with
    # the in-memory layer: async_to_sync cannot run here, the loop can.
    task = loop.create_task(layer.group_send(group, event))
    _sending.add(task)
    task.add_done_callback(_sending.discard)


_sending = set()  # the event loop keeps only weak references to tasks


def send_many_blocking(group_events):
    """From a thread, after the commit: several (group, event) pairs, in order, in one trip to Redis where the layer can."""
    layer = get_channel_layer()
    if hasattr(layer, "group_send_many_blocking"):
        layer.group_send_many_blocking(group_events)
    else:
        for group, event in group_events:
            _send_blocking(group, event)


async def send_many_now(group_events):
    """send_many_blocking from the event loop (after the commit): in order, in one trip to Redis where the layer can."""
    layer = get_channel_layer()
    if hasattr(layer, "group_send_many"):
        await layer.group_send_many(group_events)
    else:
        for group, event in group_events:
            await layer.group_send(group, event)


async def send_now(group, event):
    """For events with no state behind them, such as typing indicators."""
    await get_channel_layer().group_send(group, event)


async def join(consumer, group):
    await consumer.channel_layer.group_add(group, consumer.channel_name)


async def leave(consumer, group):
    await consumer.channel_layer.group_discard(group, consumer.channel_name)
