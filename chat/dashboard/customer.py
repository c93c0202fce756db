"""The dashboard socket's part for the agent's workspace. What the agent knows of the customer: previous chats and requests, where and with what the chat started."""

from django.utils import translation

from chat.conversations import selectors
from chat.conversations.customer_context import customer_payload
from infra.realtime.consumer import require_int
from infra.realtime.db import run


class CustomerFrames:
    """Mixed into AgentConsumer; frame_<type> and event handlers of this feature live here."""

    workspace_frame_types = ("customer",)

    async def frame_customer(self, frame):
        """``customer {chat_id}``: the customer panel of a chat of the agent's channels, read when it is opened."""
        chat_id = require_int(frame, "chat_id", minimum=1)
        payload = await run(self._customer_payload, chat_id)
        await self.send_frame("customer", **payload)

    def _customer_payload(self, chat_id):
        chat = selectors.access_chat_for_agent(self.user, chat_id)
        # The channels as the database has them now, not as this socket last
        # heard: an agent removed from a channel sees none of its history.
        with translation.override(self.language):  # the statuses' labels
            return customer_payload(chat, selectors.agent_channel_ids(self.user))
