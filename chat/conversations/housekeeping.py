"""
Upkeep that runs in every server process: refresh "seen" for the customers and
agents connected to this process, end the chats of customers who are gone, and
assign chats that no event assigned, retry e-mails that are due, and the steps that
parts above this one add (add_step: the channels' retention, chat.privacy.retention,
added by chat.apps). Every step is decided in the database, so
any number of processes may run it at once; the registry below only says which
connections this process holds.
"""

import asyncio
import logging

from django.conf import settings

from chat.conversations import assignment, presence, transfers
from chat.conversations.agents import HEARTBEAT_SECONDS
from infra.outbox import mail
from infra.realtime.db import db_sync_to_async

logger = logging.getLogger(__name__)


class ConnectionRegistry:
    """
    The open sockets of this process, per chat and per agent, by the name
    Channels gives each socket (its ``channel_name``; not a helpdesk
    channel): what presence refreshes. A set, not a count, so that adding or
    removing one socket twice cannot leave a ghost that keeps a gone customer
    in the queue or a gone agent present.
    """

    def __init__(self):
        self.chats = {}
        self.agents = {}
        # The token hashes of the chats that have sockets here: a chat at its
        # socket limit refuses more without asking the database (a script
        # reconnecting a hundred sockets a second costs little).
        self.chat_of_token = {}

    @staticmethod
    def _add(sockets, key, socket):
        sockets.setdefault(key, set()).add(socket)

    @staticmethod
    def _remove(sockets, key, socket):
        held = sockets.get(key)
        if held is not None:
            held.discard(socket)
            if not held:
                del sockets[key]

    def add_chat(self, chat_id, socket, token_hash):
        self._add(self.chats, chat_id, socket)
        self.chat_of_token[token_hash] = chat_id

    def remove_chat(self, chat_id, socket, token_hash):
        self._remove(self.chats, chat_id, socket)
        if chat_id not in self.chats:
            self.chat_of_token.pop(token_hash, None)

    def chat_sockets(self, chat_id):
        return len(self.chats.get(chat_id, ()))

    def add_agent(self, user_id, socket):
        self._add(self.agents, user_id, socket)

    def remove_agent(self, user_id, socket):
        self._remove(self.agents, user_id, socket)


registry = ConnectionRegistry()
_task = None
# Steps of the parts above chat.conversations, which this module must not import (docs/architecture.md).
_added_steps = []


def add_step(step):
    """Run ``step()`` after the own steps of every round (once, however often it is added)."""
    if step not in _added_steps:
        _added_steps.append(step)


def run_upkeep_once():
    presence.touch_customers(list(registry.chats))
    presence.touch_agents(list(registry.agents))
    presence.close_presence_periods_of_gone_agents()
    presence.end_chats_of_gone_customers()
    assignment.assign_in_all_channels()
    transfers.expire_due()
    mail.send_due_emails()
    # Last: a step that may take a while (retention's first run over a long history) holds up no other.
    for step in _added_steps:
        step()


async def _loop():
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        try:
            await db_sync_to_async(run_upkeep_once)()
        except Exception:
            # One failed round (database restarting, say) must not end upkeep
            # for the life of the process; the next round tries again.
            logger.exception("Housekeeping round failed")


def ensure_started():
    """Start the loop in this process's event loop, once."""
    global _task
    if not settings.HELPDESK_HOUSEKEEPING:
        return
    if _task is None or _task.done():
        _task = asyncio.get_running_loop().create_task(_loop())
