"""
The live events of conversations: their groups (one per chat, per channel's
queue and per agent; Channels restricts group names, they are made only here)
and one builder per event type. Every event leaves through the ``notify_*``
functions, after the commit of the change it reports (infra.realtime.broadcast);
the consumers of the two faces handle them by type (``chat.message`` →
``chat_message``).
"""

from chat.conversations import selectors
from chat.conversations.payloads import chat_state_payload, message_payload
from infra.realtime import broadcast


def chat_group(chat_id):
    return f"chat.{chat_id}"


def queue_group(channel_id):
    return f"queue.{channel_id}"


def agent_group(user_id):
    return f"agent.{user_id}"


# Builders ---------------------------------------------------------------------


def message_event(message):
    """A message of the chat's log; ``message.chat`` must be set (its customer's name goes along)."""
    return {"type": "chat.message", "chat_id": message.chat_id, "message": message_payload(message)}


def state_event(chat):
    return {"type": "chat.state", "state": chat_state_payload(chat)}


def typing_event(chat_id, *, party, active, name=""):
    return {"type": "chat.typing", "chat_id": chat_id, "party": party, "active": bool(active), "name": name}


def queue_changed_event(channel_id):
    """The queue's order, read when the event leaves (coalesced: one read for a burst of moves)."""
    return {"type": "queue.changed", "channel_id": channel_id, "queue": selectors.queue_snapshot(channel_id)}


def assigned_event(chat_id):
    return {"type": "agent.assigned", "chat_id": chat_id}


def read_event(chat_id, seq):
    return {"type": "agent.read", "chat_id": chat_id, "seq": seq}


def presence_event(status):
    return {"type": "agent.presence", "status": status}


def access_event(ended_session_key=""):
    return {"type": "agent.access", "session_key": ended_session_key}


# Sending after the commit -----------------------------------------------------


def notify_message(message):
    broadcast.send_on_commit(chat_group(message.chat_id), message_event(message))


def notify_messages_blocking(messages):
    """Announce stored messages at once, in one pipelined publish (chat.conversations.group_commit, after its commit)."""
    broadcast.send_many_blocking([(chat_group(m.chat_id), message_event(m)) for m in messages])


def notify_state(chat):
    broadcast.send_on_commit(chat_group(chat.pk), state_event(chat))


def notify_queue_changed(channel_id):
    broadcast.send_coalesced_on_commit(queue_group(channel_id), lambda: queue_changed_event(channel_id))


def notify_assigned(agent_id, chat_id):
    broadcast.send_on_commit(agent_group(agent_id), assigned_event(chat_id))


def notify_read(agent_id, chat_id, seq):
    broadcast.send_on_commit(agent_group(agent_id), read_event(chat_id, seq))


def notify_presence(agent_id, status):
    broadcast.send_on_commit(agent_group(agent_id), presence_event(status))


def notify_access_changed(agent_id, ended_session_key=""):
    broadcast.send_on_commit(agent_group(agent_id), access_event(ended_session_key))


async def send_typing(chat_id, *, party, active, name=""):
    """Typing is not stored: it goes out at once, and a lost one is not missed."""
    await broadcast.send_now(chat_group(chat_id), typing_event(chat_id, party=party, active=active, name=name))
