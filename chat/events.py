"""
The one place that talks to the channel layer.

Services call ``send_on_commit`` so that a live event goes out only once the
change it announces is in the database. The channel layer is a doorbell: a
client that misses an event heals the gap from the database by sequence number.
"""
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def chat_group(chat_id):
    return f"chat.{chat_id}"


def queue_group(channel_id):
    return f"queue.{channel_id}"


def agent_group(user_id):
    return f"agent.{user_id}"


def send_on_commit(group, event):
    """Send ``event`` to ``group`` after the current transaction commits."""
    transaction.on_commit(lambda: _send_blocking(group, event))


def send_built_on_commit(group, build_event):
    """Like send_on_commit, with the event built after the commit, from what was committed."""
    transaction.on_commit(lambda: _send_blocking(group, build_event()))


def _send_blocking(group, event):
    """From a thread: Redis directly where the layer can (chat/layer.py), else through an event loop."""
    layer = get_channel_layer()
    if hasattr(layer, "group_send_blocking"):
        layer.group_send_blocking(group, event)
    else:
        async_to_sync(layer.group_send)(group, event)


async def send_now(group, event):
    """For events with no state behind them, such as typing indicators."""
    await get_channel_layer().group_send(group, event)


async def join(consumer, group):
    await consumer.channel_layer.group_add(group, consumer.channel_name)


async def leave(consumer, group):
    await consumer.channel_layer.group_discard(group, consumer.channel_name)
