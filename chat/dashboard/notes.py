"""
The dashboard socket's part for internal notes and FAQ entries sent into a
chat (docs/protocol.md, "Internal notes and FAQ entries"). Notes arrive on
the chat's agents-only group (events.chat_agents_group), never on the chat's
group, which the customer's sockets share.
"""

from chat.conversations import faq_entries, notes, payloads, selectors
from chat.conversations.errors import NotYourChat
from infra.errors import InvalidFrame
from infra.realtime.consumer import require_int, require_str
from infra.realtime.db import run

# Notes go to a dashboard in frames of this many: a chat's notes after a
# reconnect never make one huge frame.
NOTES_PER_FRAME = 20


class NoteFrames:
    """Mixed into AgentConsumer; frame_<type> and event handlers of this feature live here."""

    workspace_frame_types = ("note", "faq_search", "send_faq")

    # Notes -------------------------------------------------------------------

    async def frame_note(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        client_id = require_str(frame, "client_id", max_length=64)
        note = await run(self._write_note, chat_id, client_id, frame.get("body"))
        await self.send_frame("note_ack", chat_id=chat_id, client_id=client_id, id=note.pk)

    def _write_note(self, chat_id, client_id, body):
        # Of one of the agent's channels now (else NotYourChat), then its agent's only.
        chat = selectors.access_chat_for_agent(self.user, chat_id)
        note, _created = notes.write_note(self.user, chat, body=body, client_id=client_id)
        return note

    async def chat_note(self, event):
        await self.send_frame("note", chat_id=event["chat_id"], note=event["note"])

    async def send_notes(self, chat_id):
        """The chat's notes, after its log (hello, a chat assigned): who receives a chat sees what was noted."""
        found = await run(self._notes_of, chat_id)
        for start in range(0, len(found), NOTES_PER_FRAME):
            await self.send_frame("notes", chat_id=chat_id, notes=found[start : start + NOTES_PER_FRAME])

    def _notes_of(self, chat_id):
        return [payloads.note_payload(note) for note in notes.chat_notes(chat_id)]

    # FAQ entries -------------------------------------------------------------

    async def frame_faq_search(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        query = frame.get("q", "")
        if not isinstance(query, str) or len(query) > faq_entries.MAX_QUERY_LENGTH:
            raise InvalidFrame()
        results = await run(self._search_faq, chat_id, query)
        await self.send_frame("faq_results", chat_id=chat_id, q=query, entries=results)

    def _search_faq(self, chat_id, query):
        chat = selectors.access_chat_for_agent(self.user, chat_id)
        if chat.agent_id != self.user.pk:
            raise NotYourChat()
        return [faq_entries.entry_result(entry) for entry in faq_entries.search(chat, query)]

    async def frame_send_faq(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        client_id = require_str(frame, "client_id", max_length=64)
        entry_id = require_int(frame, "entry_id", minimum=1)
        message = await run(self._send_faq, chat_id, client_id, entry_id)
        await self.send_frame("ack", chat_id=chat_id, client_id=client_id, seq=message.seq)

    def _send_faq(self, chat_id, client_id, entry_id):
        chat = selectors.access_chat_for_agent(self.user, chat_id)
        message, _created = faq_entries.send_entry(chat, agent=self.user, entry_id=entry_id, client_id=client_id)
        return message
