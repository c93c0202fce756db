"""
The live events of conversations: their groups (one per chat, per channel's
queue and per agent; Channels restricts group names, they are made only here)
and one builder per event type. Every event leaves through the ``notify_*``
functions, after the commit of the change it reports (infra.realtime.broadcast);
the consumers of the two faces handle them by type (``chat.message`` →
``chat_message``).
"""

from chat.conversations import selectors
from chat.conversations.payloads import chat_state_payload, note_payload, stored_message_payload
from infra.realtime import broadcast


def chat_group(chat_id):
    return f"chat.{chat_id}"


def chat_agents_group(chat_id):
    """The dashboards that follow the chat, without its customer: internal notes travel here only."""
    return f"chat_agents.{chat_id}"


def queue_group(channel_id):
    return f"queue.{channel_id}"


def requests_group(channel_id):
    # Only dashboards join it (waiting customers are in the queue group, and have no business with requests).
    return f"requests.{channel_id}"


def agent_group(user_id):
    return f"agent.{user_id}"


def team_group(channel_id):
    """The dashboards that show the channel's team and its load (chat.dashboard.transfers)."""
    return f"team.{channel_id}"


# Builders ---------------------------------------------------------------------


def message_event(message):
    """A message of the chat's log; ``message.chat`` must be set (its customer's name goes along)."""
    return {"type": "chat.message", "chat_id": message.chat_id, "message": stored_message_payload(message)}


def state_event(chat):
    return {"type": "chat.state", "state": chat_state_payload(chat)}


def typing_event(chat_id, *, party, active, name="", agent_id=None):
    return {
        "type": "chat.typing",
        "chat_id": chat_id,
        "party": party,
        "active": bool(active),
        "name": name,
        "agent_id": agent_id,
    }


def note_event(note):
    return {"type": "chat.note", "chat_id": note.chat_id, "note": note_payload(note)}


def queue_changed_event(channel_id):
    """The queue's order, read when the event leaves (coalesced: one read for a burst of moves)."""
    return {"type": "queue.changed", "channel_id": channel_id, "queue": selectors.queue_snapshot(channel_id)}


def assigned_event(chat_id):
    return {"type": "agent.assigned", "chat_id": chat_id}


def read_event(chat_id, seq):
    return {"type": "agent.read", "chat_id": chat_id, "seq": seq}


def presence_event(status):
    return {"type": "agent.presence", "status": status}


def rated_event(chat_id):
    """The customer rated an ended chat of the agent's: "Recent chats" shows the rating."""
    return {"type": "agent.rated", "chat_id": chat_id}


def requests_changed_event(channel_id):
    """A request of the channel was made or closed: its dashboards read their open requests again."""
    return {"type": "requests.changed", "channel_id": channel_id}


def access_event(ended_session_key=""):
    return {"type": "agent.access", "session_key": ended_session_key}


def transfer_event(transfer_id):
    """A transfer was offered or decided: each socket reads what it may see of it (chat.conversations.transfers)."""
    return {"type": "agent.transfer", "transfer_id": transfer_id}


def team_changed_event(channel_id):
    return {"type": "team.changed", "channel_id": channel_id}


# Sending after the commit -----------------------------------------------------


def notify_message(message):
    broadcast.send_on_commit(chat_group(message.chat_id), message_event(message))


def notify_messages_blocking(messages):
    """Announce stored messages at once, in one pipelined publish (chat.conversations.group_commit, after its commit)."""
    broadcast.send_many_blocking([(chat_group(m.chat_id), message_event(m)) for m in messages])


async def notify_messages(messages):
    """notify_messages_blocking from the event loop (group_commit's batch on PostgreSQL, after its commit)."""
    await broadcast.send_many_now([(chat_group(m.chat_id), message_event(m)) for m in messages])


def notify_state(chat):
    broadcast.send_on_commit(chat_group(chat.pk), state_event(chat))
    # A chat changed hands or status: the team's load may have changed.
    notify_team_changed(chat.channel_id)


def notify_note(note, chat):
    """
    To the dashboards following the open chat; an ended chat has no followers
    left, so a note for its follow-up goes to its agent's dashboards instead.
    Never to chat_group, which reaches the customer's sockets.
    """
    group = chat_agents_group(chat.pk) if chat.is_open else agent_group(chat.agent_id)
    broadcast.send_on_commit(group, note_event(note))


def notify_rated(chat):
    if chat.agent_id is not None:
        broadcast.send_on_commit(agent_group(chat.agent_id), rated_event(chat.pk))


def notify_queue_changed(channel_id):
    broadcast.send_coalesced_on_commit(queue_group(channel_id), lambda: queue_changed_event(channel_id))


def notify_assigned(agent_id, chat_id):
    broadcast.send_on_commit(agent_group(agent_id), assigned_event(chat_id))


def notify_read(agent_id, chat_id, seq):
    broadcast.send_on_commit(agent_group(agent_id), read_event(chat_id, seq))


def notify_presence(agent_id, status):
    broadcast.send_on_commit(agent_group(agent_id), presence_event(status))
    for channel_id in selectors.agent_channel_ids_by_pk(agent_id):
        notify_team_changed(channel_id)


def notify_access_changed(agent_id, ended_session_key=""):
    broadcast.send_on_commit(agent_group(agent_id), access_event(ended_session_key))


def notify_requests_changed(channel_id):
    broadcast.send_on_commit(requests_group(channel_id), requests_changed_event(channel_id))


def notify_transfer(user_ids, transfer_id):
    for user_id in sorted({pk for pk in user_ids if pk is not None}):
        broadcast.send_on_commit(agent_group(user_id), transfer_event(transfer_id))


def notify_team_changed(channel_id):
    """Coalesced: a burst of presence changes and assignments is one event, and each dashboard reads the team once."""
    broadcast.send_coalesced_on_commit(team_group(channel_id), lambda: team_changed_event(channel_id))


async def send_typing(chat_id, *, party, active, name="", agent_id=None):
    """Typing is not stored: it goes out at once, and a lost one is not missed."""
    event = typing_event(chat_id, party=party, active=active, name=name, agent_id=agent_id)
    await broadcast.send_now(chat_group(chat_id), event)
