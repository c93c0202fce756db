"""The dashboard socket's part for the agent's workspace. Everything live on the dashboard: channels, recent chats, open requests, alerts."""

from chat.conversations import events, payloads, selectors
from chat.conversations.errors import NotYourChat
from infra.realtime import broadcast
from infra.realtime.consumer import require_int
from infra.realtime.db import run


class LiveFrames:
    """
    Mixed into AgentConsumer. The channels, the queue's alert thresholds and
    the first recent chats and open requests come in ``state``
    (payloads.agent_state); this part keeps the two lists live and opens an
    ended chat again, read-only.
    """

    workspace_frame_types = ("recent_open",)

    async def frame_recent_open(self, frame):
        """An ended chat of the agent's, shown read-only: its summary, then its whole log."""
        chat_id = require_int(frame, "chat_id", minimum=1)
        summary = await run(self._ended_summary, chat_id)
        await self.send_frame("recent_chat", chat=summary)
        # The whole log again: the dashboard may have let go of this chat.
        self.sent_seq.pop(chat_id, None)
        await self.catch_up(chat_id, 0)
        await self.send_notes(chat_id)

    def _ended_summary(self, chat_id):
        # Only the agent's own ended chats, of channels the agent still belongs to;
        # anything else looks like no chat at all.
        chats = selectors.agent_ended_chats(self.user, [chat_id])
        if not chats:
            raise NotYourChat()
        return payloads.agent_chat_summary(chats[0], unread=0)

    async def send_recent(self):
        """One of the agent's chats ended (AgentConsumer.chat_state): it moves into "Recent chats"."""
        await self.send_frame("recent", recent=await run(payloads.agent_recent, self.user))

    async def agent_rated(self, event):
        # The customer sent the post-chat form after the chat left "My chats": its rating joins "Recent chats".
        await self.send_recent()

    async def follow_request_groups(self, *, joined, left):
        """The requests of the agent's channels (AgentConsumer.connect, release, _follow_channels)."""
        for channel_id in left:
            await broadcast.leave(self, events.requests_group(channel_id))
        for channel_id in joined:
            await broadcast.join(self, events.requests_group(channel_id))

    async def requests_changed(self, event):
        # A request of one of the agent's channels was made or closed. Requests
        # come at the pace of people filling in forms: one read per event.
        await self.send_frame("requests", requests=await run(payloads.agent_open_requests, self.user))
