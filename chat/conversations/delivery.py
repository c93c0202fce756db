"""
Sending a chat's log over a socket without gaps or repeats: each socket keeps,
per chat, the highest sequence number it has sent. An event below it is a
repeat and is dropped; a jump above it is a gap, filled from the database
first (docs/protocol.md, Reconnecting).
"""

from chat.conversations import selectors
from chat.conversations.payloads import message_payload
from infra.realtime.db import db_sync_to_async


class LogDelivery:
    """A mixin for a FrameConsumer that sends chats' logs as ``message`` frames."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent_seq = {}

    async def deliver(self, chat_id, payload, frame_type="message"):
        """Send one message of a chat's log, first filling any gap before it (a listener's: ``listen_message``)."""
        last = self.sent_seq.get(chat_id, 0)
        seq = payload["seq"]
        if seq <= last:
            return
        if seq > last + 1:
            missing = await db_sync_to_async(self._payloads_between)(chat_id, last, seq - 1)
            for earlier in missing:
                await self.send_frame(frame_type, chat_id=chat_id, message=earlier)
        await self.send_frame(frame_type, chat_id=chat_id, message=payload)
        self.sent_seq[chat_id] = seq

    async def catch_up(self, chat_id, after_seq, frame_type="message"):
        """Send everything of the chat's log after ``after_seq``."""
        self.sent_seq[chat_id] = max(self.sent_seq.get(chat_id, 0), after_seq)
        missing = await db_sync_to_async(self._payloads_between)(chat_id, self.sent_seq[chat_id], None)
        for payload in missing:
            await self.send_frame(frame_type, chat_id=chat_id, message=payload)
            self.sent_seq[chat_id] = payload["seq"]

    @staticmethod
    def _payloads_between(chat_id, after_seq, up_to_seq):
        return [
            message_payload(m) for m in selectors.messages_between(chat_id, after_seq=after_seq, up_to_seq=up_to_seq)
        ]
