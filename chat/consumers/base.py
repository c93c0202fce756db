"""
What the customer's and the agent's sockets share: decoding frames, limits,
turning errors into error frames, and sending a chat's log without gaps or
repeats (docs/protocol.md).
"""
import asyncio
import json
import logging

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.consumer import get_handler_name
from django.utils import translation

from chat import events, selectors
from chat.db import db_sync_to_async
from chat.errors import ChatError, FrameTooLarge, InvalidFrame, InvalidJSON, RateLimited, UnknownFrameType
from chat.ratelimit import TokenBucket
from chat.serializers import message_payload

logger = logging.getLogger(__name__)

# A frame carries at most one message of services.MAX_MESSAGE_LENGTH
# characters; JSON escaping can grow that, so the limit leaves room.
MAX_FRAME_BYTES = 32 * 1024

# The channel layer's "you may have missed something" (chat/layer.py): the
# socket closes with "service restart" and its client resumes from its last
# seq, as after any dropped connection (docs/protocol.md, Reconnecting).
CLOSE_LAYER_GAP = 1012
# A frame that failed in an unexpected way (a bug, the database gone): the
# client reconnects and resends what was not acked.
CLOSE_INTERNAL_ERROR = 1011
# How long a closed socket's last frames may take before they are given up.
FINISH_FRAMES_SECONDS = 10

# Humans type a few messages a minute; ten frames a second with bursts of
# twenty lets typing indicators and resends through and stops a flood.
FRAME_RATE = 10
FRAME_BURST = 20


class FrameConsumer(AsyncWebsocketConsumer):
    """Maps a frame ``{"type": "x.y"}`` to the method ``frame_x_y``."""

    frame_types = ()
    language = "en"

    async def connect(self):
        self.bucket = TokenBucket(rate=FRAME_RATE, burst=FRAME_BURST)
        # Frames after hello are handled one at a time, in order, by a task
        # of their own, so that a frame waiting for the database (a message
        # being stored) does not hold up the events this socket should pass
        # on meanwhile (the other side's messages). The frame rate limit
        # bounds this queue.
        self.frames = asyncio.Queue()
        self.frame_worker = None
        # Per chat: the highest sequence number this socket has sent. Frames
        # below it are repeats and are dropped; a jump above it is a gap and is
        # filled from the database first.
        self.sent_seq = {}
        events.use_event_loop(asyncio.get_running_loop())
        await self.accept()

    async def dispatch(self, message):
        """
        Channels' dispatch, without its close_old_connections before every
        message: that is a hop to a thread for each frame and event (a fifth
        of a process's time under load), and these sockets touch the database
        only through chat/db.py, which does the same around each call.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def layer_gap(self, event):
        await self.close(code=CLOSE_LAYER_GAP)

    async def receive(self, text_data=None, bytes_data=None):
        frame = {}
        try:
            raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
            if len(raw.encode("utf-8")) > MAX_FRAME_BYTES:
                raise FrameTooLarge()
            if not self.bucket.allow():
                raise RateLimited()
            try:
                frame = json.loads(raw)
            except ValueError:
                raise InvalidJSON() from None
            if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                frame = {}
                raise InvalidFrame()
            if frame["type"] not in self.frame_types:
                raise UnknownFrameType()
        except ChatError as error:
            await self.send_error(error, frame)
            return
        if frame["type"] == "hello":
            # Before anything else: events wait until the socket knows its chats.
            await self.handle_frame(frame)
            return
        self.frames.put_nowait(frame)
        if self.frame_worker is None:
            self.frame_worker = asyncio.get_running_loop().create_task(self._work_through_frames())

    async def _work_through_frames(self):
        while True:
            frame = await self.frames.get()
            if frame is None:
                return  # the socket closed and every frame before it is done
            try:
                await self.handle_frame(frame)
            except Exception:
                logger.exception("Frame %s failed; closing the socket", frame.get("type"))
                await self.close(code=CLOSE_INTERNAL_ERROR)
                return

    async def handle_frame(self, frame):
        handler = getattr(self, "frame_" + frame["type"].replace(".", "_"))
        try:
            await handler(frame)
        except ChatError as error:
            await self.send_error(error, frame)

    async def websocket_disconnect(self, message):
        # What the client sent before it went (its last message, "end") still counts.
        worker = getattr(self, "frame_worker", None)
        if worker is not None:
            self.frames.put_nowait(None)
            try:
                await asyncio.wait_for(worker, FINISH_FRAMES_SECONDS)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
        await super().websocket_disconnect(message)

    async def send_frame(self, frame_type, **fields):
        await self.send(text_data=json.dumps({"type": frame_type, **fields}))

    async def send_error(self, error, frame=None):
        with translation.override(self.language):
            message = str(error.message)
        extra = {}
        if frame:
            for key in ("client_id", "chat_id"):
                if key in frame and isinstance(frame[key], (str, int)):
                    extra[key] = frame[key]
        await self.send_frame("error", code=error.code, message=message, **extra)

    async def deliver(self, chat_id, payload):
        """Send one message of a chat's log, first filling any gap before it."""
        last = self.sent_seq.get(chat_id, 0)
        seq = payload["seq"]
        if seq <= last:
            return
        if seq > last + 1:
            missing = await db_sync_to_async(self._payloads_between)(chat_id, last, seq - 1)
            for earlier in missing:
                await self.send_frame("message", chat_id=chat_id, message=earlier)
        await self.send_frame("message", chat_id=chat_id, message=payload)
        self.sent_seq[chat_id] = seq

    async def catch_up(self, chat_id, after_seq):
        """Send everything of the chat's log after ``after_seq``."""
        self.sent_seq[chat_id] = max(self.sent_seq.get(chat_id, 0), after_seq)
        missing = await db_sync_to_async(self._payloads_between)(chat_id, self.sent_seq[chat_id], None)
        for payload in missing:
            await self.send_frame("message", chat_id=chat_id, message=payload)
            self.sent_seq[chat_id] = payload["seq"]

    @staticmethod
    def _payloads_between(chat_id, after_seq, up_to_seq):
        return [message_payload(m) for m in selectors.messages_between(chat_id, after_seq=after_seq, up_to_seq=up_to_seq)]


def require_int(frame, key, *, minimum=0):
    value = frame.get(key, minimum)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidFrame()
    return value


def require_str(frame, key, *, max_length):
    value = frame.get(key)
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidFrame()
    return value
