"""The dashboard's socket, ``/ws/agent/``: the queue, the agent's chats and their messages."""

import asyncio
import logging
import weakref

from django.utils import translation

from chat.conversations import assignment, events, group_commit, housekeeping, payloads, presence, selectors, services
from chat.conversations import requests as chat_requests
from chat.conversations.agents import HEARTBEAT_SECONDS, display_name
from chat.conversations.delivery import LogDelivery
from chat.conversations.models import ChatStatus, Party, PresenceStatus
from chat.dashboard.canned import CannedReplyFrames
from chat.dashboard.customer import CustomerFrames
from chat.dashboard.listening import ListenFrames
from chat.dashboard.live import LiveFrames
from chat.dashboard.notes import NoteFrames
from chat.dashboard.transfers import TransferFrames
from infra.errors import InvalidFrame
from infra.realtime import broadcast
from infra.realtime.consumer import MAX_FRAME_INT, FrameConsumer, require_int, require_str
from infra.realtime.db import db_sync_to_async, run
from infra.realtime.shared import SharedReads

logger = logging.getLogger(__name__)

# Close codes (docs/protocol.md): not logged in (any more: logged out,
# deactivated, password changed), and logged in but an agent of no channel.
CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_AN_AGENT = 4403

# How long a dashboard gathers queue moves before it reads the queue again:
# short enough to look live, long enough that a burst costs one read.
QUEUE_REFRESH_SECONDS = 0.3

# Logging out, deactivation and channel changes reach the agent's sockets at
# once (chat.conversations.access). What no signal reports (a session deleted in the
# database, a password changed by a script) is found by this check, once a
# heartbeat, of all the process's dashboard sockets together (HeartbeatChecks).
ACCESS_CHECK_SECONDS = HEARTBEAT_SECONDS

# A dashboard lists its open chats in hello; an agent has at most a few
# dozen (the channels' limits). Far more is not a dashboard.
MAX_HELLO_CHATS = 200

# The queue as the dashboards of this process read it (_refresh_queue).
shared_queue_reads = SharedReads()


class HeartbeatChecks:
    """
    The check of every dashboard socket of this process once a heartbeat, in
    one round: one hop to a database thread and three queries for all of them
    (selectors.access_agent_sessions) instead of a task, a hop and four
    queries per socket, spread out (docs/performance.md). A socket is first
    checked at most one heartbeat after it connected, as before.
    """

    def __init__(self):
        self.sockets = weakref.WeakKeyDictionary()  # event loop -> its dashboard sockets
        self.rounds = weakref.WeakKeyDictionary()  # event loop -> the task checking them

    def add(self, consumer):
        loop = asyncio.get_running_loop()
        self.sockets.setdefault(loop, set()).add(consumer)
        if loop not in self.rounds:
            self.rounds[loop] = loop.create_task(self._every_heartbeat(loop))

    def discard(self, consumer):
        for sockets in self.sockets.values():
            sockets.discard(consumer)

    async def _every_heartbeat(self, loop):
        try:
            while self.sockets.get(loop):
                await asyncio.sleep(ACCESS_CHECK_SECONDS)
                await self.check_all(list(self.sockets.get(loop, ())))
        finally:
            self.rounds.pop(loop, None)

    async def check_all(self, consumers):
        try:
            accesses = await run(selectors.access_agent_sessions, [c.session_key for c in consumers])
        except Exception:
            # The database may be restarting: the sockets stay, the next round decides.
            logger.warning("Checking the agents' access failed", exc_info=True)
            return
        for consumer in consumers:
            if consumer.released:
                continue
            try:
                await consumer.apply_access(accesses.get(consumer.session_key))
            except Exception:
                logger.warning("Applying an agent's access failed", exc_info=True)


heartbeat_checks = HeartbeatChecks()


# The agent's workspace, one mixin per feature (each with its frames and events).
WORKSPACE = (CannedReplyFrames, NoteFrames, TransferFrames, CustomerFrames, LiveFrames, ListenFrames)


class AgentConsumer(*WORKSPACE, LogDelivery, FrameConsumer):
    frame_types = (
        "hello",
        "presence",
        "take",
        "take_next",
        "send",
        "typing",
        "read",
        "end",
        "create_request",
        "ping",
    ) + tuple(frame_type for part in WORKSPACE for frame_type in part.workspace_frame_types)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = None
        self.session_key = None
        self.channel_ids = []
        self.chat_ids = set()
        self.said_hello = False
        self.queue_refresh = None

    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or not user.is_authenticated or not user.is_active or session is None:
            await self.accept()
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        channel_ids = await run(selectors.agent_channel_ids, user)
        if not channel_ids:
            await self.accept()
            await self.close(code=CLOSE_NOT_AN_AGENT)
            return
        self.user, self.session_key, self.channel_ids = user, session.session_key, channel_ids
        await super().connect()
        housekeeping.ensure_started()
        self.language = translation.get_supported_language_variant(self.scope.get("language", "en") or "en")
        housekeeping.registry.add_agent(self.user.pk, self.channel_name)
        await run(presence.touch_agents, [self.user.pk])
        await broadcast.join(self, events.agent_group(self.user.pk))
        for channel_id in self.channel_ids:
            await broadcast.join(self, events.queue_group(channel_id))
        await self.follow_request_groups(joined=self.channel_ids, left=())
        heartbeat_checks.add(self)

    async def release(self):
        if self.user is None:
            return
        heartbeat_checks.discard(self)
        if self.queue_refresh is not None:
            self.queue_refresh.cancel()
        housekeeping.registry.remove_agent(self.user.pk, self.channel_name)
        await broadcast.leave(self, events.agent_group(self.user.pk))
        for channel_id in self.channel_ids:
            await broadcast.leave(self, events.queue_group(channel_id))
        await self.follow_request_groups(joined=(), left=self.channel_ids)
        for chat_id in self.chat_ids:
            await broadcast.leave(self, events.chat_group(chat_id))
            await broadcast.leave(self, events.chat_agents_group(chat_id))
        await self.release_team()
        await self.release_listening()

    # Access ----------------------------------------------------------------------

    async def check_access(self):
        """Close when the session or the user is no longer valid; follow changes of the agent's channels."""
        await self.apply_access(await run(selectors.access_agent_session, self.session_key))

    async def apply_access(self, access):
        """What check_access does with the session's access as just read (also from the heartbeat round)."""
        if self.closing:
            return
        if access is None or access.user.pk != self.user.pk:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
        elif not access.channel_ids:
            await self.close(code=CLOSE_NOT_AN_AGENT)
        else:
            if set(access.channel_ids) != set(self.channel_ids):
                await self._follow_channels(access.channel_ids)
            # Manager and "may listen in" are per membership: they change without the channels changing.
            await self.check_listening(access.listen_channel_ids)

    async def _follow_channels(self, channel_ids):
        """The agent's channels changed: follow the new queues, drop chats no longer theirs, send the new picture."""
        for channel_id in set(self.channel_ids) - set(channel_ids):
            await broadcast.leave(self, events.queue_group(channel_id))
        for channel_id in set(channel_ids) - set(self.channel_ids):
            await broadcast.join(self, events.queue_group(channel_id))
        await self.follow_request_groups(
            joined=set(channel_ids) - set(self.channel_ids), left=set(self.channel_ids) - set(channel_ids)
        )
        self.channel_ids = list(channel_ids)
        state = await run(self._state)
        still_open = {chat["id"] for chat in state["chats"]}
        for chat_id in self.chat_ids - still_open:
            await broadcast.leave(self, events.chat_group(chat_id))
            await broadcast.leave(self, events.chat_agents_group(chat_id))
            self.sent_seq.pop(chat_id, None)
        self.chat_ids &= still_open
        # The dashboard marks chats the state no longer lists as ended.
        await self.send_frame("state", **state)

    async def agent_access(self, event):
        if event.get("session_key") and event["session_key"] == self.session_key:
            await self.close(code=CLOSE_NOT_LOGGED_IN)  # this browser logged out
            return
        await self.check_access()

    # Frames --------------------------------------------------------------------

    async def frame_hello(self, frame):
        """Send the whole picture, then each open chat's log after what the client has."""
        if self.said_hello:
            raise InvalidFrame()
        seen = frame.get("chats") or {}
        if not isinstance(seen, dict) or len(seen) > MAX_HELLO_CHATS:
            raise InvalidFrame()
        if not all(
            key.isdigit()
            and len(key) <= 16
            and isinstance(v, int)
            and not isinstance(v, bool)
            and 0 <= v <= MAX_FRAME_INT
            for key, v in seen.items()
        ):
            raise InvalidFrame()
        self.said_hello = True
        state = await db_sync_to_async(self._state)()
        await self.send_frame("state", **state)
        open_ids = set()
        for chat in state["chats"]:
            open_ids.add(chat["id"])
            await self._follow_chat(chat["id"])
            await self.catch_up(chat["id"], seen.get(str(chat["id"]), 0))
            await self.send_notes(chat["id"])
        # Chats the client holds that ended while it was away: the rest of
        # their log (the customer's last words, the end itself) and their state.
        for chat_id, summary in await db_sync_to_async(self._ended_since)(seen, open_ids):
            await self.send_frame("chat_state", chat_id=chat_id, state=summary)
            await self.catch_up(chat_id, seen[str(chat_id)])

    async def frame_presence(self, frame):
        status = frame.get("status")
        if status not in PresenceStatus.values:
            raise InvalidFrame()
        await db_sync_to_async(presence.set_presence)(self.user, status=status)

    async def frame_take(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        await db_sync_to_async(assignment.take_chat)(self.user, chat_id)

    async def frame_take_next(self, frame):
        await db_sync_to_async(assignment.take_next)(self.user)

    async def frame_send(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        client_id = require_str(frame, "client_id", max_length=64)
        if chat_id not in self.chat_ids:
            # Not one this socket follows (of a channel the agent has left, say):
            # the database says whether it may see it at all.
            await run(selectors.access_chat_for_agent, self.user, chat_id)
        # Stored together with the other messages of this moment (chat.conversations.group_commit),
        # which locks and reads the chat itself and refuses anyone but its agent.
        await self.store_and_ack(
            chat_id,
            client_id,
            group_commit.post(
                group_commit.PendingMessage(chat_id, Party.AGENT, frame.get("body"), client_id, agent=self.user)
            ),
            # A chat only listened in on gets its log as listen_message frames, never inside an ack.
            carry=not self.listens_only(chat_id),
        )

    async def frame_typing(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        if chat_id not in self.chat_ids and not await self.typing_as_participant(chat_id):
            await db_sync_to_async(selectors.access_chat_for_agent)(self.user, chat_id)
            raise InvalidFrame()
        await events.send_typing(
            chat_id, party=Party.AGENT, active=frame.get("active"), name=display_name(self.user), agent_id=self.user.pk
        )

    async def frame_read(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        seq = require_int(frame, "seq")
        chat = await db_sync_to_async(selectors.access_chat_for_agent)(self.user, chat_id)
        await db_sync_to_async(services.mark_read)(chat, agent=self.user, seq=seq)

    async def frame_end(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        chat = await db_sync_to_async(selectors.access_chat_for_agent)(self.user, chat_id)
        await db_sync_to_async(services.end_chat)(chat, by=Party.AGENT, agent=self.user)

    async def frame_create_request(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        await db_sync_to_async(self._create_request)(chat_id)

    def _create_request(self, chat_id):
        chat_requests.create_request_from_chat(selectors.access_chat_for_agent(self.user, chat_id), agent=self.user)

    async def frame_ping(self, frame):
        await self.send_frame("pong")

    # Group events ----------------------------------------------------------------

    async def agent_assigned(self, event):
        chat_id = event["chat_id"]
        summary = await db_sync_to_async(self._summary)(chat_id)
        await self.send_frame("chat", chat=summary, assigned=True)
        await self._follow_chat(chat_id)
        self.listen_became_own(chat_id)  # a chat the manager listened in on and took over
        # A reopened chat may have been closed on the dashboard: send its whole
        # log again (the dashboard drops what it has by seq).
        self.sent_seq.pop(chat_id, None)
        await self.catch_up(chat_id, 0)
        await self.send_notes(chat_id)

    async def agent_read(self, event):
        await self.send_frame("read", chat_id=event["chat_id"], seq=event["seq"])

    async def agent_presence(self, event):
        await self.send_frame("presence", status=event["status"])

    async def queue_changed(self, event):
        # Coalesced: a busy queue moves many times a second, and every
        # dashboard re-reading it each time would multiply the load by the
        # number of agents. One read per QUEUE_REFRESH_SECONDS is enough.
        if self.queue_refresh is None or self.queue_refresh.done():
            self.queue_refresh = asyncio.get_running_loop().create_task(self._refresh_queue())

    async def _refresh_queue(self):
        asked_at = asyncio.get_running_loop().time()
        await asyncio.sleep(QUEUE_REFRESH_SECONDS)
        # Every dashboard of this process with the same channels gets the
        # same queue: one read for all of them (a read that began before this
        # socket heard of the change is not shared, it may miss the change).
        queue = await shared_queue_reads.get(
            tuple(sorted(self.channel_ids)), payloads.agent_queue, self.channel_ids, not_before=asked_at
        )
        await self.send_frame("queue", queue=queue)

    async def chat_message(self, event):
        if self.listens_only(event["chat_id"]):
            await self.listen_message(event)  # a chat the manager listens in on (chat.dashboard.listening)
            return
        await self.deliver(event["chat_id"], event["message"])

    async def chat_typing(self, event):
        if self.listens_only(event["chat_id"]):
            await self.listen_typing(event)
        elif event["party"] == Party.CUSTOMER:
            await self.send_frame("typing", chat_id=event["chat_id"], party=event["party"], active=event["active"])

    async def chat_note(self, event):
        if self.listens_only(event["chat_id"]):
            await self.listen_note(event)
        else:
            await super().chat_note(event)

    async def chat_state(self, event):
        state = event["state"]
        if self.listens_only(state["chat_id"]):
            await self.listen_state(event)
            return
        await self.send_frame("chat_state", chat_id=state["chat_id"], state=state)
        if state["status"] == ChatStatus.ENDED:
            self.chat_ids.discard(state["chat_id"])
            await broadcast.leave(self, events.chat_group(state["chat_id"]))
            await broadcast.leave(self, events.chat_agents_group(state["chat_id"]))
            await self.send_recent()

    # Helpers -------------------------------------------------------------------

    async def _follow_chat(self, chat_id):
        if chat_id not in self.chat_ids:
            self.chat_ids.add(chat_id)
            await broadcast.join(self, events.chat_group(chat_id))
            await broadcast.join(self, events.chat_agents_group(chat_id))

    def _state(self):
        return payloads.agent_state(self.user, self.channel_ids)

    def _ended_since(self, seen, open_ids):
        asked = [int(key) for key in seen if int(key) not in open_ids]
        return [(chat.pk, payloads.chat_state_payload(chat)) for chat in selectors.agent_ended_chats(self.user, asked)]

    def _summary(self, chat_id):
        return payloads.agent_chat_summary(selectors.access_chat_for_agent(self.user, chat_id), unread=0)
