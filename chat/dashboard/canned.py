"""The dashboard socket's part for the agent's workspace. Canned replies: listing, inserting (usage counted) and managing them from the dashboard."""

from django.utils import translation

from chat.conversations import canned_replies, payloads
from infra.errors import InvalidFrame
from infra.realtime.consumer import require_int
from infra.realtime.db import run

# Text fields of canned_save: strings, longer than any field may be so that
# the domain can name the field that is too long; the frame limit
# (MAX_FRAME_BYTES) bounds them anyway.
MAX_FIELD_CHARS = 16_000


def required_id(frame, key):
    """An id that must be there: require_int alone takes a missing field for its minimum."""
    if key not in frame:
        raise InvalidFrame()
    return require_int(frame, key, minimum=1)


def optional_id(frame, key):
    """An id, or None where the field is missing or null (a new reply, a personal one)."""
    if frame.get(key) is None:
        return None
    return require_int(frame, key, minimum=1)


def text_field(frame, key, *, required=True):
    value = frame.get(key, None if required else "")
    if not isinstance(value, str) or len(value) > MAX_FIELD_CHARS:
        raise InvalidFrame()
    return value


class CannedReplyFrames:
    """Mixed into AgentConsumer; frame_<type> and event handlers of this feature live here."""

    workspace_frame_types = ("canned_replies", "canned_used", "canned_manage", "canned_save", "canned_delete")

    async def frame_canned_replies(self, frame):
        """The replies the agent may use in a chat, filled in for it."""
        chat_id = required_id(frame, "chat_id")
        replies = await run(self._canned_replies_in_chat, chat_id)
        await self.send_frame("canned_replies", chat_id=chat_id, replies=replies)

    def _canned_replies_in_chat(self, chat_id):
        _chat, entries = canned_replies.access_replies_for_chat(self.user, chat_id)
        return [payloads.canned_reply_in_chat_payload(entry) for entry in entries]

    async def frame_canned_used(self, frame):
        """The agent sent a text with this reply in it: one use more. Nothing is answered."""
        chat_id = required_id(frame, "chat_id")
        reply_id = required_id(frame, "reply_id")
        await run(canned_replies.count_use, self.user, chat_id=chat_id, reply_id=reply_id)

    async def frame_canned_manage(self, frame):
        await self._send_manageable()

    async def frame_canned_save(self, frame):
        fields = {
            "reply_id": optional_id(frame, "id"),
            "channel_id": optional_id(frame, "channel_id"),
            "shortcut": text_field(frame, "shortcut"),
            "title": text_field(frame, "title", required=False),
            "body": text_field(frame, "body"),
            "language": text_field(frame, "language", required=False),
        }
        try:
            reply = await run(canned_replies.check_save_reply, self.user, **fields)
        except canned_replies.CannedReplyError as error:
            await self._send_invalid(error)
            return
        await self._send_manageable(saved_id=reply.pk)

    async def frame_canned_delete(self, frame):
        reply_id = required_id(frame, "id")
        try:
            await run(canned_replies.check_delete_reply, self.user, reply_id=reply_id)
        except canned_replies.CannedReplyError as error:
            await self._send_invalid(error)
            return
        await self._send_manageable(deleted_id=reply_id)

    async def _send_manageable(self, **extra):
        manage = await run(self._manageable)
        await self.send_frame("canned_manage", **manage, **extra)

    def _manageable(self):
        return payloads.canned_manage_payload(
            canned_replies.manageable_replies(self.user), canned_replies.managed_channels(self.user)
        )

    async def _send_invalid(self, error):
        """A refused save or delete, for the dialog to show next to its field (docs/protocol.md)."""
        with translation.override(self.language):
            message = str(error.message)
        await self.send_frame("canned_invalid", code=error.code, message=message, field=error.field)
