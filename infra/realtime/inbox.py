"""
One queue per socket for everything it is to handle, in arrival order: what
the ASGI server passes on (websocket.connect, .receive, .disconnect) and what
the channel layer delivers (group events, layer.gap). Used by
infra.realtime.consumer.FrameConsumer instead of Channels' await_many_dispatch,
which makes a task and an asyncio.wait for every event.

- The server's queue is the inbox where the server hands over one: Daphne
  (and asgiref's ApplicationCommunicator, the tests') pass ``receive`` as the
  bound ``get`` of an asyncio.Queue of the connection's own, helpdesk.server
  that of a ConnectionQueue (infra.realtime.server_queue). Any other
  ``receive`` is read by one long-lived task into a queue of ours.
- Our layers (infra.realtime.layer) put a socket's events straight into its
  inbox (``new_channel_for``); any other layer is read by one long-lived task.

So with Daphne and our layers an event costs a put and a get, and a socket
has no task, no future and no queue beyond the server's own while it waits.

A channel's capacity (the layer's ``capacity``) bounds the layer's events
waiting in an inbox. Past it, the socket is told ``layer.gap`` and the layer's
events queued before it are dropped as they come out: the consumer closes
with 4503 and its client resumes from the database (docs/protocol.md), as when
the layer's queues overflowed before.
"""

import asyncio
import contextlib

from infra.realtime.server_queue import ConnectionQueue

GAP_EVENT = {"type": "layer.gap"}
# Everything an ASGI server sends a websocket application (the ASGI spec).
SERVER_PREFIX = "websocket."


class Inbox:
    """A socket's queue and what feeds it; ``get()`` returns a message or None (a dropped event: nothing to do)."""

    __slots__ = ("queue", "layer", "channel_name", "pending", "gapped", "pumps")

    def __init__(self, queue, layer):
        self.queue = queue
        self.layer = layer
        self.channel_name = None
        self.pending = 0  # layer events put by the layer itself and not yet taken
        self.gapped = False
        self.pumps = ()

    # What the layer calls (infra.realtime.layer) -------------------------------

    def put_event(self, message, capacity):
        if self.gapped:
            return  # told already; the socket is closing
        if self.pending >= capacity:
            self.put_gap()
            return
        if not message["type"].startswith(SERVER_PREFIX):
            self.pending += 1
        self.queue.put_nowait(message)

    def put_gap(self):
        if self.gapped:
            return
        self.gapped = True
        self.pending += 1
        self.queue.put_nowait(dict(GAP_EVENT))

    # What the consumer calls ------------------------------------------------------

    async def get(self):
        message = await self.queue.get()
        if self.pending and not message["type"].startswith(SERVER_PREFIX):
            self.pending -= 1
            if self.gapped and message["type"] != GAP_EVENT["type"]:
                return None  # queued before the gap: the client reads it from the database
        return message

    async def close(self, groups=()):
        """The socket ended: stop reading, leave ``groups`` (Channels' consumer.groups), give the channel back."""
        for pump in self.pumps:
            pump.cancel()
        for pump in self.pumps:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
        self.pumps = ()
        if self.layer is None or self.channel_name is None:
            return
        for group in groups or ():
            await self.layer.group_discard(group, self.channel_name)
        forget = getattr(self.layer, "forget_channel", None)
        if forget is not None:
            await forget(self.channel_name)


async def open_inbox(receive, layer):
    """The inbox of a socket whose server messages come from ``receive``, with a channel of ``layer`` (or None)."""
    owner = getattr(receive, "__self__", None)
    pumps = []
    method = getattr(receive, "__func__", None)
    # asyncio.Queue: Daphne's and asgiref's; ConnectionQueue: helpdesk.server's.
    if (isinstance(owner, asyncio.Queue) and method is asyncio.Queue.get) or (
        type(owner) is ConnectionQueue and method is ConnectionQueue.get
    ):
        inbox = Inbox(owner, layer)
    else:
        inbox = Inbox(asyncio.Queue(), layer)
        pumps.append(asyncio.ensure_future(_pump(receive, inbox.queue)))
    try:
        if layer is not None:
            new_channel_for = getattr(layer, "new_channel_for", None)
            if new_channel_for is not None:
                inbox.channel_name = await new_channel_for(inbox)
            else:
                inbox.channel_name = await layer.new_channel()
                pumps.append(asyncio.ensure_future(_pump_channel(layer, inbox.channel_name, inbox.queue)))
    except BaseException:
        for pump in pumps:
            pump.cancel()
        raise
    inbox.pumps = tuple(pumps)
    return inbox


async def _pump(receive, queue):
    while True:
        queue.put_nowait(await receive())


async def _pump_channel(layer, channel_name, queue):
    while True:
        queue.put_nowait(await layer.receive(channel_name))
