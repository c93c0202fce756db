"""
The outbound shapes of conversations, as they travel in frames and in the
widget's JSON answers (docs/protocol.md, docs/api.md). Views, consumers and
events build them only here.
"""

from chat.conversations import rules, selectors
from chat.conversations.agents import display_name
from chat.conversations.models import PresenceStatus
from chat.conversations.texts import queue_text

# What the dashboard's queue shows of a chat's first question.
QUESTION_PREVIEW_LENGTH = 200


def message_payload(message):
    """One entry of a chat's log; ``message.chat`` gives the customer's name."""
    if message.author == "agent":
        author_name = display_name(message.agent)
    elif message.author == "customer":
        author_name = message.chat.customer_name
    else:
        author_name = ""
    return {
        "seq": message.seq,
        "kind": message.kind,
        "author": message.author,
        "author_name": author_name,
        "body": message.body,
        "event": message.event,
        "params": message.params,
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
    }


def chat_state_payload(chat):
    return {
        "chat_id": chat.pk,
        "status": chat.status,
        "agent_name": display_name(chat.agent),
        "ended_by": chat.ended_by,
        "end_reason": chat.end_reason,
        "last_seq": chat.last_seq,
    }


def customer_state(chat):
    """What the widget needs to draw a chat: status, agent, place in the queue, what may follow the chat."""
    state = chat_state_payload(chat)
    position = selectors.queue_position(chat)
    wait = selectors.wait_estimate_seconds(chat, position)
    state.update(
        request_offer_in_seconds=selectors.request_offer_delay_seconds(chat),
        position=position,
        wait_seconds=wait,
        queue_text=queue_text(chat.channel, position=position, wait_seconds=wait) if position else "",
        # After the chat (chat.conversations.postchat): whether writing again
        # reopens it, whether the post-chat form was sent, whether a transcript
        # may be asked for and the address it would go to.
        can_reopen=rules.may_reopen(chat),
        postchat_done=chat.postchat_submitted_at is not None,
        transcript_available=rules.transcript_available(chat),
        customer_email=chat.customer_email,
    )
    return state


def queue_place(chat, snapshot):
    """One waiting chat's place, wait, text and request offer, from a queue snapshot; None when not waiting."""
    try:
        position = snapshot["order"].index(chat.pk) + 1
    except ValueError:
        return None
    per_place = snapshot["wait_per_place"]
    wait = round(per_place * position) if per_place is not None else None
    return {
        "position": position,
        "wait_seconds": wait,
        "text": queue_text(chat.channel, position=position, wait_seconds=wait),
        "request_offer_in_seconds": selectors.request_offer_delay_seconds(chat, waiting=len(snapshot["order"])),
    }


def queue_entry(chat):
    """A waiting chat on the dashboard (selectors.queue_for_agents annotates the question)."""
    return {
        "id": chat.pk,
        "channel": chat.channel.name,
        "customer_name": chat.customer_name,
        "question": (chat.question or "")[:QUESTION_PREVIEW_LENGTH],
        "queued_at": chat.queued_at.isoformat(),
    }


def agent_queue(channel_ids):
    """The dashboard's queue of these channels."""
    return [queue_entry(chat) for chat in selectors.queue_for_agents(channel_ids)]


def agent_chat_summary(chat, unread=None):
    """One of the agent's chats on the dashboard: its state, the customer, the pre-chat form, what is unread."""
    summary = chat_state_payload(chat)
    summary.update(
        id=chat.pk,
        channel=chat.channel.name,
        customer_name=chat.customer_name,
        customer_email=chat.customer_email,
        email_domain_verified=chat.email_domain_verified,
        form_data=chat.form_data,
        queued_at=chat.queued_at.isoformat() if chat.queued_at else None,
        accepted_at=chat.accepted_at.isoformat() if chat.accepted_at else None,
        unread=getattr(chat, "unread", 0) if unread is None else unread,
        read_seq=chat.agent_read_seq,
    )
    return summary


def agent_state(agent, channel_ids):
    """The dashboard's whole picture: presence, channels, queue, open chats."""
    presence = getattr(agent, "presence", None)
    return {
        "presence": presence.status if presence else PresenceStatus.AWAY,
        "agent_name": display_name(agent),
        "channels": [{"id": c.pk, "name": c.name} for c in agent.chat_channels.all()],
        "queue": agent_queue(channel_ids),
        "chats": [agent_chat_summary(chat) for chat in selectors.agent_open_chats(agent)],
    }
