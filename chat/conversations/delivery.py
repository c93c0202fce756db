"""
Sending a chat's log over a socket without gaps or repeats: each socket keeps,
per chat, the highest sequence number it has sent. An event below it is a
repeat and is dropped; a jump above it is a gap, filled from the database
first (docs/protocol.md, Reconnecting).

A sender's own message goes back inside its ack: one frame instead of an ack
and a copy (docs/protocol.md, docs/performance.md). Its announcement usually
arrives before the ack is written (the batch announces, then answers), so
while the socket's message is being stored its own announcement waits for the
ack (``acks_due``) instead of going out; the ack then carries it if it is the
next entry this socket sends (``claim_own``), else it is an ack alone and the
entry comes as a message frame, in order. A seq is always marked sent before
its frame is written, with no await in between, so that the ack, a live event
and a gap fill that resumes after reading the database never send the same
entry twice. Should storing fail after all, the entry is sent with the next
one's gap fill, or with the ack of the client's resend.

Entries out of order are held, not read again. Two processes store a chat's
messages one after the other but announce them each on its own, so under
load the later seq often reaches a socket first (docs/performance.md, "Flat
out at 400 chats"); and a sender's own message can be due in its ack while
the other side's earlier one is still on its way. An entry above the next one
this socket sends waits in ``held`` until the missing ones arrive (a live
event, an ack) and then goes in order; only what is still missing after
HOLD_SECONDS (an announcement that never came: its process went down
between commit and publish) is read from the database, as before.
"""

import asyncio
import logging

from chat.conversations import selectors
from chat.conversations.payloads import message_payload, stored_message_payload
from infra.realtime.db import db_sync_to_async

logger = logging.getLogger(__name__)

# How long an entry waits for the ones before it before they are read from
# the database. Announcements overtake each other by the time between a
# batch's commit and its publish on another process: milliseconds, under
# flat-out load up to a few hundred.
HOLD_SECONDS = 0.5


class LogDelivery:
    """A mixin for a FrameConsumer that sends chats' logs as ``message`` frames."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent_seq = {}
        # (chat id, client_id) of this socket's messages being stored: their ack will carry them.
        self.acks_due = set()
        # chat id -> {seq: (payload, frame type)} that arrived before an earlier entry (see above).
        self.held = {}
        self.hold_timers = {}  # chat id -> the call that reads what is still missing
        self.gap_reads = set()  # their tasks (the event loop keeps only weak references)

    async def deliver(self, chat_id, payload, frame_type="message"):
        """Send one message of a chat's log in order, holding it if an earlier one is missing (a listener's: ``listen_message``)."""
        seq = payload["seq"]
        if seq <= self.sent_seq.get(chat_id, 0):
            return
        if seq == self.sent_seq.get(chat_id, 0) + 1 and (chat_id, payload.get("client_id")) in self.acks_due:
            return  # this socket's own message: its ack, on its way, carries it
        if seq > self.sent_seq.get(chat_id, 0) + 1:
            if chat_id in self.sent_seq:
                self._hold(chat_id, payload, frame_type)  # what is missing is most likely on its way
                return
            missing = await db_sync_to_async(self._payloads_between)(chat_id, 0, seq - 1)
            await self._send_entries(chat_id, missing, frame_type)
        await self._send_entries(chat_id, [payload], frame_type)

    async def catch_up(self, chat_id, after_seq, frame_type="message"):
        """Send everything of the chat's log after ``after_seq``."""
        self.sent_seq[chat_id] = max(self.sent_seq.get(chat_id, 0), after_seq)
        missing = await db_sync_to_async(self._payloads_between)(chat_id, self.sent_seq[chat_id], None)
        await self._send_entries(chat_id, missing, frame_type)

    async def store_and_ack(self, chat_id, client_id, storing, *, carry=True):
        """
        Await ``storing`` (this socket's message being stored), then ack it;
        the ack carries the message when ``claim_own`` allows and ``carry``
        (a chat only listened in on takes its log as other frames).
        """
        key = (chat_id, client_id)
        if carry:
            self.acks_due.add(key)
        try:
            message = await storing
        finally:
            self.acks_due.discard(key)
        fields = {"chat_id": chat_id, "client_id": client_id, "seq": message.seq}
        if carry and self.claim_own(chat_id, message.seq):
            fields["message"] = stored_message_payload(message)
        elif carry and message.seq > self.sent_seq.get(chat_id, message.seq):
            # An earlier entry is still on its way: this one follows it as a message frame.
            self._hold(chat_id, stored_message_payload(message), "message")
        await self.send_frame("ack", **fields)
        if self.held:
            await self._send_held(chat_id)

    def claim_own(self, chat_id, seq):
        """
        Whether the sender's ack may carry its message ``seq``: only when it is
        the next one this socket sends, so that it cannot overtake an earlier
        entry still on its way. Marks it sent.
        """
        if chat_id not in self.sent_seq or seq != self.sent_seq[chat_id] + 1:
            return False
        self.sent_seq[chat_id] = seq
        return True

    async def _send_entries(self, chat_id, payloads, frame_type):
        for entry in payloads:
            # Another path (the ack, a live event) may have sent it while this one read the database.
            if entry["seq"] <= self.sent_seq.get(chat_id, 0):
                continue
            self.sent_seq[chat_id] = entry["seq"]
            await self.send_frame(frame_type, chat_id=chat_id, message=entry)
        if chat_id in self.held:  # what waited for these (a catch-up's read, a live event) follows them
            await self._send_held(chat_id)

    def _hold(self, chat_id, payload, frame_type):
        self.held.setdefault(chat_id, {})[payload["seq"]] = (payload, frame_type)
        self._read_missing_in_a_while(chat_id)

    def _read_missing_in_a_while(self, chat_id):
        if chat_id not in self.hold_timers:
            self.hold_timers[chat_id] = asyncio.get_running_loop().call_later(
                HOLD_SECONDS, self._read_missing_later, chat_id
            )

    async def _send_held(self, chat_id):
        """Send the held entries that are next in order; stops before one that this socket's ack is to carry."""
        held = self.held.get(chat_id)
        while held:
            if chat_id not in self.sent_seq:  # no longer this socket's chat
                held.clear()
                break
            after = self.sent_seq[chat_id]
            for seq in [seq for seq in held if seq <= after]:
                del held[seq]  # sent meanwhile (an ack, a gap read)
            entry = held.get(after + 1)
            if entry is None or (chat_id, entry[0].get("client_id")) in self.acks_due:
                break
            del held[after + 1]
            self.sent_seq[chat_id] = after + 1
            await self.send_frame(entry[1], chat_id=chat_id, message=entry[0])
        if not held:
            self.held.pop(chat_id, None)
            timer = self.hold_timers.pop(chat_id, None)
            if timer is not None:
                timer.cancel()

    def _ended(self):
        # A FrameConsumer closing or released: held entries are not worth a read any more.
        return getattr(self, "closing", False) or getattr(self, "released", False)

    def _read_missing_later(self, chat_id):
        self.hold_timers.pop(chat_id, None)
        if self._ended() or not self.held.get(chat_id):
            return
        task = asyncio.get_running_loop().create_task(self._read_missing(chat_id))
        self.gap_reads.add(task)
        task.add_done_callback(self.gap_reads.discard)

    async def _read_missing(self, chat_id):
        """What held entries of the chat still wait for, after HOLD_SECONDS: from the database, as any gap."""
        try:
            held = self.held.get(chat_id) or {}
            if chat_id in self.sent_seq and held:
                top = max(held)
                frame_type = held[top][1]  # before the read: a live event may send the held ones meanwhile
                missing = await db_sync_to_async(self._payloads_between)(chat_id, self.sent_seq[chat_id], top - 1)
                if self._ended():
                    return
                await self._send_entries(chat_id, missing, frame_type)
            await self._send_held(chat_id)
            if self.held.get(chat_id):
                self._read_missing_in_a_while(chat_id)
        except Exception:
            logger.exception("Reading a chat's missing entries failed; closing the socket")
            fail = getattr(self, "fail", None)
            if fail is not None:
                await fail()

    @staticmethod
    def _payloads_between(chat_id, after_seq, up_to_seq):
        return [
            message_payload(m) for m in selectors.messages_between(chat_id, after_seq=after_seq, up_to_seq=up_to_seq)
        ]
