"""The widget's socket, ``/ws/chat/``. The chat token arrives in the first frame, never in the URL."""

import asyncio
import weakref

from django.conf import settings

from chat.conversations import events, group_commit, housekeeping, payloads, presence, selectors, services
from chat.conversations.delivery import LogDelivery
from chat.conversations.errors import NotHello
from chat.conversations.models import ChatStatus, Party, hash_token
from chat.conversations.texts import customer_language
from infra.errors import InvalidFrame, RateLimited
from infra.ratelimit import KeyedBuckets
from infra.realtime import broadcast
from infra.realtime.consumer import FrameConsumer, require_int, require_str
from infra.realtime.db import db_sync_to_async, run
from infra.realtime.shared import SharedReads

# Close codes (docs/protocol.md).
CLOSE_UNKNOWN_TOKEN = 4401
CLOSE_NO_HELLO = 4408
CLOSE_TOO_MANY_SOCKETS = 4429

# A socket that has not said which chat it belongs to within this time is
# closed, so idle anonymous sockets cannot pile up.
HELLO_TIMEOUT_SECONDS = 10

# Sockets of one chat on one process (HELPDESK_SOCKETS_PER_CHAT, 5): a
# customer with the host site open in a few tabs has one each; more is a
# script multiplying what each message costs (every socket of the chat
# receives every message). Counted per process, where the count is exact and
# a crashed process takes its count with it; a shared counter would keep a
# dead process's sockets until it expired, and lock out the very customers
# who reconnect after the crash.
#
# Messages of one chat from all its sockets on this process
# (HELPDESK_CHAT_MESSAGE_RATE a second after HELPDESK_CHAT_MESSAGE_BURST at
# once; 2 and 20): a person writes a few a minute and may paste several at
# once; a flood from many sockets of one token stops here, not only per
# connection. Read from the settings on first use.
_chat_messages = None

# A state event's read of the chat, shared by the chat's sockets on this process.
shared_state_reads = SharedReads()


class SharedChannels:
    """
    One Channel object for the waiting chats of this process whose reads
    found the same row: each waiting socket keeps its chat (for queue moves),
    and with it, without this, a copy of its channel's every setting and text.
    A channel read with other values (an edit) is kept as the new one; a
    channel object with related objects cached is never shared.
    """

    def __init__(self):
        self.by_pk = weakref.WeakValueDictionary()

    def share(self, chat):
        channel = chat.channel
        known = self.by_pk.get(channel.pk)
        if known is channel:
            return
        if known is not None and not known._state.fields_cache and _values(known) == _values(channel):
            chat.channel = known
        else:
            self.by_pk[channel.pk] = channel


class WaitingChat:
    """
    What a queue move needs of a waiting chat (payloads.queue_place, the
    request offer): a Chat object keeps every column and the row's state,
    several KiB for each of thousands of waiting sockets.
    """

    __slots__ = ("pk", "channel_id", "channel", "language", "status", "queued_at")

    def __init__(self, chat):
        self.pk = chat.pk
        self.channel_id = chat.channel_id
        self.channel = chat.channel
        self.language = chat.language
        self.status = chat.status
        self.queued_at = chat.queued_at

    @classmethod
    def of(cls, chat):
        return chat if isinstance(chat, cls) else cls(chat)


def _values(instance):
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


shared_channels = SharedChannels()


def chat_message_allowed(chat_id):
    global _chat_messages
    if _chat_messages is None:
        _chat_messages = KeyedBuckets(
            rate=settings.HELPDESK_CHAT_MESSAGE_RATE, burst=settings.HELPDESK_CHAT_MESSAGE_BURST
        )
    return _chat_messages.allow(chat_id)


class CustomerConsumer(LogDelivery, FrameConsumer):
    frame_types = ("hello", "send", "typing", "end", "ping")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chat_id = None
        self.token_hash = None
        self.chat = None
        self.in_queue_group = False
        self.hello_timer = None

    async def connect(self):
        await super().connect()
        housekeeping.ensure_started()
        self.hello_timer = asyncio.get_running_loop().call_later(HELLO_TIMEOUT_SECONDS, self._close_without_hello)

    def _close_without_hello(self):
        if self.chat_id is None:
            asyncio.ensure_future(self.close(code=CLOSE_NO_HELLO))

    async def release(self):
        if self.hello_timer is not None:
            self.hello_timer.cancel()
        if self.chat_id is not None:
            housekeeping.registry.remove_chat(self.chat_id, self.channel_name, self.token_hash)
            await broadcast.leave(self, events.chat_group(self.chat_id))
            if self.in_queue_group:
                await broadcast.leave(self, events.queue_group(self.channel_id))

    async def frame_hello(self, frame):
        if self.chat_id is not None:
            raise InvalidFrame()
        last_seq = require_int(frame, "last_seq")
        token = frame.get("token")
        token_hash = hash_token(token) if isinstance(token, str) else None
        known = housekeeping.registry.chat_of_token.get(token_hash)
        if known is not None and self._at_socket_limit(known):
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        chat = await db_sync_to_async(selectors.access_chat_by_token)(token)
        if chat is None:
            await self.close(code=CLOSE_UNKNOWN_TOKEN)
            return
        if self._at_socket_limit(chat.pk):
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        self.hello_timer.cancel()
        self.hello_timer = None
        self.chat_id = chat.pk
        self.token_hash = token_hash
        self.channel_id = chat.channel_id
        self.language = customer_language(chat)
        housekeeping.registry.add_chat(chat.pk, self.channel_name, token_hash)
        # Join before reading the log, so that nothing falls between the two;
        # what arrives twice is dropped by sequence number.
        await broadcast.join(self, events.chat_group(chat.pk))
        await db_sync_to_async(presence.touch_customers)([chat.pk])
        await self.send_frame("welcome", state=await self._state())
        await self._follow_queue(chat.status)
        await self.catch_up(chat.pk, last_seq)

    @staticmethod
    def _at_socket_limit(chat_id):
        return housekeeping.registry.chat_sockets(chat_id) >= settings.HELPDESK_SOCKETS_PER_CHAT

    async def frame_send(self, frame):
        if self.chat_id is None:
            raise NotHello()
        client_id = require_str(frame, "client_id", max_length=64)
        if not chat_message_allowed(self.chat_id):
            raise RateLimited()
        # Stored together with the other messages of this moment (chat.conversations.group_commit).
        await self.store_and_ack(
            self.chat_id,
            client_id,
            group_commit.post(group_commit.PendingMessage(self.chat_id, Party.CUSTOMER, frame.get("body"), client_id)),
        )

    async def frame_typing(self, frame):
        await self._chat()
        await events.send_typing(self.chat_id, party=Party.CUSTOMER, active=frame.get("active"))

    async def frame_end(self, frame):
        chat = await self._chat()
        await db_sync_to_async(services.end_chat)(chat, by=Party.CUSTOMER)

    async def frame_ping(self, frame):
        await self.send_frame("pong")

    # Group events -------------------------------------------------------------

    async def chat_message(self, event):
        await self.deliver(self.chat_id, event["message"])

    async def chat_typing(self, event):
        if event["party"] != Party.CUSTOMER:
            await self.send_frame("typing", party=event["party"], active=event["active"], name=event.get("name", ""))

    async def chat_state(self, event):
        # The chat's sockets on this process (a customer's tabs) receive the
        # same event at about the same moment and share one read: keyed by
        # the event's state, so that a later change never joins a read begun
        # for an earlier one.
        key = (self.chat_id, tuple(sorted(event["state"].items())))
        chat, state = await shared_state_reads.get(key, _read_state, self.chat_id, not_before=0)
        shared_channels.share(chat)
        if chat.channel_id != self.channel_id:
            # Transferred to another channel's queue (chat.conversations.transfers): wait in that one.
            await self._follow_queue(None)
            self.channel_id = chat.channel_id
        self.chat = chat
        await self.send_frame("state", state=state)
        await self._follow_queue(event["state"]["status"])

    async def queue_changed(self, event):
        # The event carries the queue's order (selectors.queue_snapshot); with
        # the chat as last read, the place needs no query per waiting customer.
        place = payloads.queue_place(self.chat, event["queue"]) if self.chat is not None else None
        if place is not None:
            await self.send_frame("queue", **place)

    # Helpers -----------------------------------------------------------------

    async def _chat(self):
        if self.chat_id is None:
            raise NotHello()
        return await db_sync_to_async(selectors.access_chat_by_id)(self.chat_id)

    async def _follow_queue(self, status):
        """Hear about queue moves only while waiting in it."""
        waiting = status == ChatStatus.QUEUED
        if waiting and not self.in_queue_group:
            await broadcast.join(self, events.queue_group(self.channel_id))
        elif not waiting and self.in_queue_group:
            await broadcast.leave(self, events.queue_group(self.channel_id))
        self.in_queue_group = waiting
        # Only queue moves need the chat, and only what WaitingChat keeps of
        # it; a state event reads it again.
        self.chat = WaitingChat.of(self.chat) if waiting and self.chat is not None else None

    async def _state(self):
        # The chat is kept for queue moves: status, channel and queued_at
        # change only with a state event, which reads the chat again.
        self.chat, state = await run(_read_state, self.chat_id)
        shared_channels.share(self.chat)
        return state


def _read_state(chat_id):
    """The chat as read now, and what the widget draws of it (read-only: the sockets of a chat may share both)."""
    chat = selectors.access_chat_by_id(chat_id)
    return chat, payloads.customer_state(chat)
