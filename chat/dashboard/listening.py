"""
The dashboard socket's part for listening in (docs/protocol.md, "Listening
in"): a manager who may listen in on a channel gets its active chats in
"All active chats" and follows one of them read-only, live, then may
whisper to its agent, join it or take it over.

A listened chat is followed on the chat's two groups, as the agent's own
chats are, but its events leave as ``listen_*`` frames (the consumer asks
``listens_only`` before its own handling), so that the page never mistakes
it for one of the manager's chats. Listening sends nothing anywhere: no read
mark, no typing, no presence. Each frame checks the right again in the
database; a change of the memberships reaches ``check_listening`` through
the consumer's access check, which drops what the manager may no longer see.

The overview is read again every OVERVIEW_REFRESH_SECONDS, one read per
process for the listeners of the same channels (SharedReads), rather than
from every message's event: the message path (group_commit) stays as it is,
and a list that is two seconds late is live enough for a manager's view.
"""

import asyncio
import logging

from chat.conversations import events, listening, notes, payloads
from chat.conversations.errors import ChatError
from infra.errors import RateLimited
from infra.ratelimit import TokenBucket
from infra.realtime import broadcast
from infra.realtime.consumer import require_int, require_str
from infra.realtime.db import run
from infra.realtime.shared import SharedReads

logger = logging.getLogger(__name__)

OVERVIEW_REFRESH_SECONDS = 2

# The overview as the listeners of this process read it, keyed by their channels.
shared_overview_reads = SharedReads()

# Joining, leaving and taking over put events into a customer's log: a person
# does that a few times a minute, a script in a loop would flood the log.
LOG_EVENTS_BURST = 5
LOG_EVENTS_PER_SECOND = 0.5


class ListenFrames:
    """Mixed into AgentConsumer; frame_<type> and event handlers of this feature live here."""

    workspace_frame_types = ("listen_chats", "listen", "listen_stop", "whisper", "join", "leave", "take_over")

    # One listened chat per socket (the page shows one): chat id -> its channel id.
    listened = None
    listen_channel_ids = ()
    listen_overview = None
    listen_asked = False
    listen_overview_sent = None
    listen_log_events = None

    def listens_only(self, chat_id):
        """Whether the chat's events go out as ``listen_*`` frames: listened, and not one of the agent's own."""
        return bool(self.listened) and chat_id in self.listened and chat_id not in self.chat_ids

    def _allow_log_event(self):
        if self.listen_log_events is None:
            self.listen_log_events = TokenBucket(rate=LOG_EVENTS_PER_SECOND, burst=LOG_EVENTS_BURST)
        if not self.listen_log_events.allow():
            raise RateLimited()

    # Frames ----------------------------------------------------------------------

    async def frame_listen_chats(self, frame):
        """Send "All active chats" now and keep it live; ``allowed`` false for an agent who may listen nowhere."""
        self.listen_asked = True
        self.listen_channel_ids = tuple(await run(listening.listen_channel_ids, self.user))
        await self._follow_overview()

    async def _follow_overview(self):
        await self._send_overview(force=True)
        if self.listen_channel_ids and (self.listen_overview is None or self.listen_overview.done()):
            self.listen_overview = asyncio.get_running_loop().create_task(self._refresh_overview())

    async def frame_listen(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        await self._start_listening(chat_id)

    async def frame_listen_stop(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        if self.listened and chat_id in self.listened:
            await self._stop_listening(chat_id, "stopped")

    async def frame_whisper(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        client_id = require_str(frame, "client_id", max_length=64)
        note = await run(self._whisper, chat_id, client_id, frame.get("body"))
        await self.send_frame("whisper_ack", chat_id=chat_id, client_id=client_id, id=note.pk)

    def _whisper(self, chat_id, client_id, body):
        note, _created = listening.whisper(self.user, chat_id, body=body, client_id=client_id)
        return note

    async def frame_join(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        self._allow_log_event()
        await run(listening.join, self.user, chat_id)
        if self.listened and chat_id in self.listened:
            await self.send_frame("listen_chat", chat=await run(listening.open_listen, self.user, chat_id))
        else:
            await self._start_listening(chat_id)

    async def frame_leave(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        self._allow_log_event()
        await run(listening.leave, self.user, chat_id)
        if self.listens_only(chat_id):
            try:
                await self.send_frame("listen_chat", chat=await run(listening.open_listen, self.user, chat_id))
            except ChatError:
                await self._stop_listening(chat_id, "not_allowed")

    async def frame_take_over(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        self._allow_log_event()
        await run(listening.take_over, self.user, chat_id)
        # The chat is the manager's now: it arrives as theirs (agent.assigned,
        # which follows the same groups, so they stay joined). Until then its
        # events stay listen_* frames: a `message` frame before the chat's
        # summary would make the page take the whole log after it for repeats.
        await self.send_frame("listen_stopped", chat_id=chat_id, reason="taken_over")

    def listen_became_own(self, chat_id):
        """The chat was assigned to this agent (AgentConsumer.agent_assigned): its events are theirs from now on."""
        if self.listened and chat_id in self.listened:
            del self.listened[chat_id]

    # Events of a listened chat (the consumer hands them over) --------------------

    async def listen_message(self, event):
        await self.deliver(event["chat_id"], event["message"], frame_type="listen_message")

    async def typing_as_participant(self, chat_id):
        """Whether this socket may type in a chat not its own: one it listens to and has joined (checked again)."""
        if not (self.listened and chat_id in self.listened):
            return False
        return await run(listening.is_participant_in, self.user, chat_id)

    async def listen_typing(self, event):
        if event.get("agent_id") == self.user.pk:
            return  # the manager's own, from a chat they joined
        await self.send_frame(
            "listen_typing", chat_id=event["chat_id"], party=event["party"], active=event["active"], name=event["name"]
        )

    async def listen_note(self, event):
        await self.send_frame("listen_note", chat_id=event["chat_id"], note=event["note"])

    async def listen_state(self, event):
        state = event["state"]
        await self.send_frame("listen_state", chat_id=state["chat_id"], state=state)
        if state["status"] != "active":
            # Ended, or back in a queue (moved to another channel): nothing to follow any more.
            await self._stop_listening(state["chat_id"], "ended" if state["status"] == "ended" else "moved")

    # Access ------------------------------------------------------------------------

    async def check_listening(self, channel_ids=None):
        """
        The agent's memberships may have changed (AgentConsumer.check_access): drop what is no longer allowed.
        ``channel_ids``: the channels the user may listen in on, as the access check has just read them.
        """
        if channel_ids is None:
            channel_ids = await run(listening.listen_channel_ids, self.user)
        channel_ids = tuple(channel_ids)
        # Against the listened chats themselves, not the channels last seen:
        # a page may listen without ever having asked for the overview.
        for chat_id, channel_id in list((self.listened or {}).items()):
            if channel_id not in channel_ids:
                await self._stop_listening(chat_id, "not_allowed")
        if channel_ids == self.listen_channel_ids:
            return
        self.listen_channel_ids = channel_ids
        if self.listen_asked:
            # The right granted or taken away: the page shows or hides "All active chats" at once.
            await self._follow_overview()

    async def release_listening(self):
        """On disconnect (AgentConsumer.release)."""
        if self.listen_overview is not None:
            self.listen_overview.cancel()
        for chat_id in list(self.listened or ()):
            if chat_id not in self.chat_ids:
                await self._leave_groups(chat_id)
        self.listened = None

    # Helpers -----------------------------------------------------------------------

    async def _start_listening(self, chat_id):
        chat = await run(listening.open_listen, self.user, chat_id)
        for other in list(self.listened or ()):
            if other != chat_id:
                await self._stop_listening(other, "stopped")
        if self.listened is None:
            self.listened = {}
        if chat_id not in self.listened and chat_id not in self.chat_ids:
            await broadcast.join(self, events.chat_group(chat_id))
            await broadcast.join(self, events.chat_agents_group(chat_id))
        self.listened[chat_id] = chat["channel_id"]
        await self.send_frame("listen_chat", chat=chat)
        # The whole log, then the notes: the page draws the chat afresh.
        self.sent_seq.pop(chat_id, None)
        await self.catch_up(chat_id, 0, frame_type="listen_message")
        found = await run(self._listened_notes, chat_id)
        await self.send_frame("listen_notes", chat_id=chat_id, notes=found)

    @staticmethod
    def _listened_notes(chat_id):
        return [payloads.note_payload(note) for note in notes.chat_notes(chat_id)]

    async def _stop_listening(self, chat_id, reason):
        if not self.listened or chat_id not in self.listened:
            return
        del self.listened[chat_id]
        if chat_id not in self.chat_ids:
            await self._leave_groups(chat_id)
            self.sent_seq.pop(chat_id, None)
        await self.send_frame("listen_stopped", chat_id=chat_id, reason=reason)

    async def _leave_groups(self, chat_id):
        await broadcast.leave(self, events.chat_group(chat_id))
        await broadcast.leave(self, events.chat_agents_group(chat_id))

    async def _refresh_overview(self):
        while self.listen_channel_ids:
            await asyncio.sleep(OVERVIEW_REFRESH_SECONDS)
            try:
                await self._send_overview()
            except Exception:
                # The database may be restarting: the list stays, the next round decides.
                logger.warning("Reading the listeners' overview failed", exc_info=True)

    async def _send_overview(self, force=False):
        if not self.listen_channel_ids:
            chats = []
        else:
            key = tuple(sorted(self.listen_channel_ids))
            loop = asyncio.get_running_loop()
            found = await shared_overview_reads.get(key, listening.overview, key, not_before=loop.time() - 0.5)
            chats = [chat for chat in found if chat["agent_id"] != self.user.pk]
        if force or chats != self.listen_overview_sent:
            self.listen_overview_sent = chats
            await self.send_frame("listen_chats", allowed=bool(self.listen_channel_ids), chats=chats)
