"""
A websocket consumer for JSON frames, the ground of the widget's and the
dashboard's sockets: decoding frames safely, limits, turning client errors
into translated error frames, closing once and cleanly when something fails,
giving back what a socket holds however it ends (docs/protocol.md).
Knows nothing of chats: chat.conversations.delivery sends a chat's log.
"""

import asyncio
import functools
import json
import logging

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.utils import translation

from infra import safejson
from infra.errors import ClientError, InvalidFrame, InvalidText, RateLimited, UnknownFrameType
from infra.ratelimit import TokenBucket
from infra.realtime import autobahn_tuning, broadcast
from infra.realtime.inbox import open_inbox
from infra.realtime.redis_subscriber import SubscriptionLost
from infra.realtime.server_queue import ConnectionQueue

logger = logging.getLogger(__name__)

# Autobahn's per-frame log arguments and unmasker, in every process that serves these sockets.
autobahn_tuning.apply()

# A frame carries at most one chat message (chat.conversations.log.MAX_MESSAGE_LENGTH
# characters; JSON escaping can grow that, so the limit leaves room.
MAX_FRAME_BYTES = 32 * 1024

# Close codes (docs/protocol.md). Autobahn, under Daphne, lets an application
# close only with 1000 or 3000-4999: any other code fails inside the server,
# the client sees an abnormal close and the socket's clean-up never runs.
#
# The channel layer's "you may have missed something" (infra.realtime.layer): the
# client reconnects and resumes from its last seq, as after any dropped
# connection (docs/protocol.md, Reconnecting).
CLOSE_RESUME = 4503
# A frame or an event failed in an unexpected way (a bug, the database gone):
# the client reconnects and resends what was not acked.
CLOSE_SERVER_ERROR = 4500
# How long a closed socket's last frames may take before they are given up.
FINISH_FRAMES_SECONDS = 10

# Humans type a few messages a minute; ten frames a second with bursts of
# twenty lets typing indicators and resends through and stops a flood.
FRAME_RATE = 10
FRAME_BURST = 20

# Ids and sequence numbers in frames: the largest integer JavaScript holds
# exactly, and far inside what both databases compare without overflow.
MAX_FRAME_INT = 2**53 - 1


class FrameConsumer(AsyncWebsocketConsumer):
    """
    Maps a frame ``{"type": "x.y"}`` to the method ``frame_x_y``. Channels
    names each socket ``self.channel_name``; that word is Channels', and the
    chat consumers call a helpdesk channel ``channel_id``. Subclasses
    put what a socket holds (groups, presence) back in ``release()``, which
    runs exactly once however the socket ends: a disconnect, an exception in a
    frame or an event, or Daphne cancelling the consumer.
    """

    frame_types = ()
    language = "en"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bucket = TokenBucket(rate=FRAME_RATE, burst=FRAME_BURST)
        # Frames after hello are handled one at a time, in order, by a task
        # of their own, so that a frame waiting for the database (a message
        # being stored) does not hold up the events this socket should pass
        # on meanwhile (the other side's messages). The frame rate limit
        # bounds this queue. Both come with the first such frame: most
        # widget sockets say hello and then wait.
        self.frames = None
        self.frame_worker = None
        self.closing = False
        self.released = False

    async def __call__(self, scope, receive, send):
        """
        Channels' AsyncConsumer.__call__ without its await_many_dispatch,
        which makes a task and an asyncio.wait for every event. Here the
        socket's events, the server's and the channel layer's, arrive in one
        inbox (infra.realtime.inbox): an event costs a put and a get. As in
        Channels: the socket gets a channel of the layer, handlers run one at
        a time in arrival order, websocket.disconnect or StopConsumer ends it,
        and the layer's channel and the groups go with it.
        """
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        inbox = None
        try:
            inbox = await open_inbox(receive, self.channel_layer)
            if inbox.channel_name is not None:
                self.channel_name = inbox.channel_name
            while True:
                message = await inbox.get()
                if message is not None:
                    await self.dispatch(message)
        except StopConsumer:
            pass
        finally:
            # Release before the channel goes: what release() leaves, it
            # leaves as a member (a cancellation by Daphne comes here too).
            try:
                await self._release_once()
            finally:
                if inbox is not None:
                    await inbox.close(self.groups)

    @property
    def channel_receive(self):
        """Channels' receive from this socket's channel; the inbox reads it already, so only for a consumer that reads no inbox."""
        return functools.partial(self.channel_layer.receive, self.channel_name)

    async def release(self):
        """Give back what the socket holds; called once, also after a failure."""

    async def _release_once(self):
        if self.released:
            return
        self.released = True
        try:
            await self.release()
        except Exception:
            logger.exception("Releasing a socket failed")

    async def connect(self):
        broadcast.use_event_loop(asyncio.get_running_loop())
        await self.accept()

    async def dispatch(self, message):
        """
        Channels' dispatch, without its close_old_connections before every
        message: that is a hop to a thread for each frame and event (a fifth
        of a process's time under load), and these sockets touch the database
        only through infra.realtime.db, which does the same around each call.

        Nothing a handler raises escapes: an exception would end the consumer
        without its clean-up and leave Daphne to close with a code of its own.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            logger.warning("No handler for %r; ignored", message["type"])
            return
        try:
            await handler(message)
        except StopConsumer:
            raise
        except ClientError as error:
            # An event about something this socket may no longer see (a chat
            # taken away meanwhile): nothing to pass on.
            logger.info("Event %s refused: %s", message["type"], error.code)
        except SubscriptionLost:
            # A join the channel layer could not confirm: as after any gap, the client resumes.
            await self.close(code=CLOSE_RESUME)
        except Exception:
            logger.exception("Socket failed on %s; closing it", message["type"])
            await self.fail()

    async def close(self, code=None, reason=None):
        """Close once: a second close (a check and an event deciding at the same moment) has nothing to add."""
        if self.closing:
            return
        self.closing = True
        await super().close(code=code, reason=reason)

    async def fail(self):
        """Close with CLOSE_SERVER_ERROR; the disconnect that follows releases the socket as any other."""
        try:
            await self.close(code=CLOSE_SERVER_ERROR)
        except Exception:
            logger.exception("Closing a failed socket failed")
            raise StopConsumer() from None

    async def layer_gap(self, event):
        await self.close(code=CLOSE_RESUME)

    async def receive(self, text_data=None, bytes_data=None):
        frame = {}
        try:
            if not self.bucket.allow():
                raise RateLimited()
            frame = safejson.loads(text_data if text_data is not None else bytes_data or b"", max_bytes=MAX_FRAME_BYTES)
            if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                frame = {}
                raise InvalidFrame()
            if frame["type"] not in self.frame_types:
                raise UnknownFrameType()
        except InvalidText as error:
            # The error names the message it refuses, so the client can mark it.
            await self.send_error(error, error.decoded if isinstance(error.decoded, dict) else None)
            return
        except ClientError as error:
            await self.send_error(error, frame)
            return
        if frame["type"] == "hello":
            # Before anything else: events wait until the socket knows its chats.
            await self.handle_frame(frame)
            return
        if self.frames is None:
            # A ConnectionQueue: asyncio.Queue's get and put_nowait, without its
            # loop check and deques on every frame (infra.realtime.server_queue).
            self.frames = ConnectionQueue()
            self.frame_worker = asyncio.get_running_loop().create_task(self._work_through_frames())
        self.frames.put_nowait(frame)

    async def _work_through_frames(self):
        while True:
            frame = await self.frames.get()
            if frame is None:
                return  # the socket closed and every frame before it is done
            try:
                await self.handle_frame(frame)
            except SubscriptionLost:
                await self.close(code=CLOSE_RESUME)
                return
            except Exception:
                logger.exception("Frame %s failed; closing the socket", frame.get("type"))
                await self.fail()
                return

    async def handle_frame(self, frame):
        handler = getattr(self, "frame_" + frame["type"].replace(".", "_"))
        try:
            await handler(frame)
        except ClientError as error:
            await self.send_error(error, frame)

    async def websocket_disconnect(self, message):
        # What the client sent before it went (its last message, "end") still counts.
        if self.frame_worker is not None:
            self.frames.put_nowait(None)
            try:
                await asyncio.wait_for(self.frame_worker, FINISH_FRAMES_SECONDS)
            except (TimeoutError, asyncio.CancelledError):
                pass
        await self._release_once()
        raise StopConsumer()

    async def send_frame(self, frame_type, **fields):
        # What Channels' send(text_data=...) hands the server, without its two coroutines in between.
        await self.base_send({"type": "websocket.send", "text": json.dumps({"type": frame_type, **fields})})

    async def send_error(self, error, frame=None):
        with translation.override(self.language):
            message = str(error.message)
        extra = {}
        for key in ("client_id", "chat_id"):
            value = (frame or {}).get(key)
            if isinstance(value, str) and len(value) <= 64 and not safejson.has_forbidden_text(value):
                extra[key] = value
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_FRAME_INT:
                extra[key] = value
        await self.send_frame("error", code=error.code, message=message, **extra)


def require_int(frame, key, *, minimum=0):
    value = frame.get(key, minimum)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= MAX_FRAME_INT:
        raise InvalidFrame()
    return value


def require_str(frame, key, *, max_length):
    value = frame.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= max_length:
        raise InvalidFrame()
    return value
