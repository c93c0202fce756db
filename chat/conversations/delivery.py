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
"""

from chat.conversations import selectors
from chat.conversations.payloads import message_payload, stored_message_payload
from infra.realtime.db import db_sync_to_async


class LogDelivery:
    """A mixin for a FrameConsumer that sends chats' logs as ``message`` frames."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent_seq = {}
        # (chat id, client_id) of this socket's messages being stored: their ack will carry them.
        self.acks_due = set()

    async def deliver(self, chat_id, payload, frame_type="message"):
        """Send one message of a chat's log, first filling any gap before it (a listener's: ``listen_message``)."""
        seq = payload["seq"]
        if seq <= self.sent_seq.get(chat_id, 0):
            return
        if seq == self.sent_seq.get(chat_id, 0) + 1 and (chat_id, payload.get("client_id")) in self.acks_due:
            return  # this socket's own message: its ack, on its way, carries it
        if seq > self.sent_seq.get(chat_id, 0) + 1:
            missing = await db_sync_to_async(self._payloads_between)(chat_id, self.sent_seq.get(chat_id, 0), seq - 1)
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
        await self.send_frame("ack", **fields)

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

    @staticmethod
    def _payloads_between(chat_id, after_seq, up_to_seq):
        return [
            message_payload(m) for m in selectors.messages_between(chat_id, after_seq=after_seq, up_to_seq=up_to_seq)
        ]
