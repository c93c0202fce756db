"""The dashboard socket's part for the agent's workspace. Transfers to another agent or channel, and a manager's reassignments and view of the team's load."""

import asyncio

from chat.conversations import events, transfers
from infra.errors import InvalidFrame, RateLimited
from infra.ratelimit import TokenBucket
from infra.realtime import broadcast
from infra.realtime.consumer import require_int
from infra.realtime.db import run
from infra.realtime.shared import SharedReads

# Like the queue (consumer.QUEUE_REFRESH_SECONDS): a burst of presence changes
# and assignments is one read of the team per dashboard.
TEAM_REFRESH_SECONDS = 0.3

# The team as the dashboards of this process read it: one read for all the
# dashboards of one agent's view (managers see more, so the key is the agent).
shared_team_reads = SharedReads()

# Offers, moves and reassignments per socket: a person hands on a few chats a
# minute; a script offering and withdrawing in a loop would ring a colleague's
# dashboard ten times a second without this.
MOVES_BURST = 5
MOVES_PER_SECOND = 0.5


def _optional_id(frame, key):
    """An id the frame may leave out (None), else a positive int."""
    if frame.get(key) is None:
        return None
    return require_int(frame, key, minimum=1)


class TransferFrames:
    """Mixed into AgentConsumer; frame_<type> and event handlers of this feature live here."""

    workspace_frame_types = ("transfer", "transfer_answer", "transfer_cancel", "reassign", "team")

    team_refresh = None
    team_channel_ids = ()
    moves = None

    def _allow_move(self):
        if self.moves is None:
            self.moves = TokenBucket(rate=MOVES_PER_SECOND, burst=MOVES_BURST)
        if not self.moves.allow():
            raise RateLimited()

    # Frames ----------------------------------------------------------------------

    async def frame_transfer(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        to_agent_id = _optional_id(frame, "to_agent_id")
        to_channel_id = _optional_id(frame, "to_channel_id")
        if (to_agent_id is None) == (to_channel_id is None):
            raise InvalidFrame()  # exactly one destination
        note = frame.get("note") or ""
        self._allow_move()
        if to_agent_id is not None:
            await run(transfers.offer_to_agent, self.user, chat_id, to_agent_id, note)
        else:
            await run(transfers.move_to_channel, self.user, chat_id, to_channel_id, note)

    async def frame_transfer_answer(self, frame):
        transfer_id = require_int(frame, "transfer_id", minimum=1)
        accept = frame.get("accept")
        if not isinstance(accept, bool):
            raise InvalidFrame()
        await run(transfers.answer, self.user, transfer_id, accept)

    async def frame_transfer_cancel(self, frame):
        await run(transfers.cancel, self.user, require_int(frame, "transfer_id", minimum=1))

    async def frame_reassign(self, frame):
        chat_id = require_int(frame, "chat_id", minimum=1)
        agent_id = require_int(frame, "agent_id", minimum=1)
        self._allow_move()
        await run(transfers.reassign, self.user, chat_id, agent_id, frame.get("note") or "")

    async def frame_team(self, frame):
        """Send the team now, and follow its changes from here on."""
        await self._follow_team()
        await self.send_frame("team", **await run(transfers.team, self.user, self.channel_ids))
        for offer in await run(transfers.pending_offers_for, self.user):
            await self.send_frame("transfer_offer", transfer=offer)

    # Group events ----------------------------------------------------------------

    async def agent_transfer(self, event):
        seen = await run(transfers.transfer_for, self.user, event["transfer_id"])
        if seen is None:
            return
        transfer = seen["transfer"]
        if seen["released"]:
            await self._release_chat(transfer["chat"]["id"])
        if seen["receiver"] and transfer["status"] == "pending":
            await self.send_frame("transfer_offer", transfer=transfer)
        else:
            await self.send_frame(
                "transfer_result",
                transfer_id=transfer["id"],
                chat_id=transfer["chat"]["id"],
                status=transfer["status"],
                released=seen["released"],
                receiver=seen["receiver"],
                transfer=transfer,
            )

    async def team_changed(self, event):
        if self.team_refresh is None or self.team_refresh.done():
            self.team_refresh = asyncio.get_running_loop().create_task(self._refresh_team())

    # Helpers -----------------------------------------------------------------------

    async def _refresh_team(self):
        asked_at = asyncio.get_running_loop().time()
        await asyncio.sleep(TEAM_REFRESH_SECONDS)
        if set(self.team_channel_ids) != set(self.channel_ids):
            await self._follow_team()  # the agent's channels changed meanwhile
        team = await shared_team_reads.get(
            (self.user.pk, tuple(sorted(self.channel_ids))),
            transfers.team,
            self.user,
            self.channel_ids,
            not_before=asked_at,
        )
        await self.send_frame("team", **team)

    async def _follow_team(self):
        wanted = set(self.channel_ids)
        for channel_id in set(self.team_channel_ids) - wanted:
            await broadcast.leave(self, events.team_group(channel_id))
        for channel_id in wanted - set(self.team_channel_ids):
            await broadcast.join(self, events.team_group(channel_id))
        self.team_channel_ids = tuple(wanted)

    async def release_team(self):
        """On disconnect (AgentConsumer.release)."""
        if self.team_refresh is not None:
            self.team_refresh.cancel()
        for channel_id in self.team_channel_ids:
            await broadcast.leave(self, events.team_group(channel_id))
        self.team_channel_ids = ()

    async def _release_chat(self, chat_id):
        """The chat left this agent: stop following it, and the dashboard drops it from "My chats"."""
        if chat_id in self.chat_ids:
            self.chat_ids.discard(chat_id)
            # sent_seq stays: a message already on its way here when the socket
            # left the group must not look like a gap (and resend the whole log).
            await broadcast.leave(self, events.chat_group(chat_id))
        await self.send_frame("chat_released", chat_id=chat_id)
