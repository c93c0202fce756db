"""
The outbound shapes of conversations, as they travel in frames and in the
widget's JSON answers (docs/protocol.md, docs/api.md). Views, consumers and
events build them only here.
"""

from django.utils import timezone

from chat.conversations import rules, selectors
from chat.conversations.agents import display_name
from chat.conversations.file_checks import file_limits
from chat.conversations.models import PresenceStatus
from chat.conversations.texts import customer_language, queue_text
from requests_app import selectors as request_selectors

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


def stored_message_payload(message):
    """
    ``message_payload`` built once per stored message: its announcement and
    its sender's ack carry the same entry (chat.conversations.group_commit
    builds it on the database thread, where ``message.chat`` may be read).
    """
    payload = getattr(message, "_log_payload", None)
    if payload is None:
        payload = message._log_payload = message_payload(message)
    return payload


def note_payload(note):
    """An internal note, for the dashboards only (chat.conversations.notes)."""
    return {
        "id": note.pk,
        "author_name": display_name(note.agent),
        "body": note.body,
        "created_at": note.created_at.isoformat(),
        "client_id": note.client_id,
        # A manager's whisper from listening in (chat.conversations.listening).
        "whisper": note.is_whisper,
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
    # Who could take the chat counts only while it waits.
    agents = selectors.available_agent_count_in(chat.channel_id) if position else None
    wait = selectors.wait_estimate_seconds(chat, position, agents=agents)
    nobody = position is not None and not agents
    state.update(
        request_offer_in_seconds=selectors.request_offer_delay_seconds(chat, agents=agents),
        position=position,
        wait_seconds=wait,
        # Waiting, and none of the channel's agents is there (docs/protocol.md).
        nobody_available=nobody,
        queue_text=(
            queue_text(
                chat.channel,
                position=position,
                wait_seconds=wait,
                language=customer_language(chat),
                nobody_available=nobody,
            )
            if position
            else ""
        ),
        # After the chat (chat.conversations.postchat): whether writing again
        # reopens it, whether the post-chat form was sent, whether a transcript
        # may be asked for and the address it would go to.
        can_reopen=rules.may_reopen(chat),
        # Seconds until the token stops working (None while the chat goes
        # on): the widget forgets a stored ended chat after that
        # (docs/privacy-widget.md). Seconds, not a time: the browser's clock may be wrong.
        token_expires_in_seconds=_seconds_until(rules.token_expires_at(chat)),
        consent_at=chat.consent_at.isoformat() if chat.consent_at else None,
        postchat_done=chat.postchat_submitted_at is not None,
        transcript_available=rules.transcript_available(chat),
        customer_email=chat.customer_email,
        # What the file picker may offer (chat.conversations.file_checks); the server checks again.
        files=file_limits(chat.channel).payload(),
    )
    return state


def _seconds_until(moment):
    if moment is None:
        return None
    return max(0, round((moment - timezone.now()).total_seconds()))


def queue_place(chat, snapshot):
    """One waiting chat's place, wait, text and request offer, from a queue snapshot; None when not waiting."""
    try:
        position = snapshot["order"].index(chat.pk) + 1
    except ValueError:
        return None
    # A snapshot from a process of the version before lacks the count: read then.
    agents = snapshot.get("agents")
    if agents is None:
        agents = selectors.available_agent_count_in(chat.channel_id)
    # The wait per place is for the agents of the snapshot (selectors.wait_per_place_seconds).
    per_place = snapshot["wait_per_place"] if agents else None
    wait = round(per_place * position) if per_place is not None else None
    nobody = not agents
    return {
        "position": position,
        "wait_seconds": wait,
        "nobody_available": nobody,
        "text": queue_text(
            chat.channel,
            position=position,
            wait_seconds=wait,
            language=customer_language(chat),
            nobody_available=nobody,
        ),
        "request_offer_in_seconds": selectors.request_offer_delay_seconds(
            chat, waiting=len(snapshot["order"]), agents=agents
        ),
    }


def queue_entry(chat):
    """A waiting chat on the dashboard (selectors.queue_for_agents annotates the question)."""
    return {
        "id": chat.pk,
        "channel": chat.channel.name,
        "customer_name": chat.customer_name,
        "question": (chat.question or "")[:QUESTION_PREVIEW_LENGTH],
        "queued_at": chat.queued_at.isoformat(),
        **alert_thresholds(chat.channel),
    }


def alert_thresholds(channel):
    """The channel's alert settings, which the dashboard's timer compares waits against (static/dashboard/live.js)."""
    return {
        "wait_alert_minutes": channel.wait_alert_minutes,
        "unanswered_alert_minutes": channel.unanswered_alert_minutes,
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
        channel_id=chat.channel_id,
        customer_name=chat.customer_name,
        customer_email=chat.customer_email,
        email_domain_verified=chat.email_domain_verified,
        form_data=chat.form_data,
        queued_at=chat.queued_at.isoformat() if chat.queued_at else None,
        accepted_at=chat.accepted_at.isoformat() if chat.accepted_at else None,
        unread=getattr(chat, "unread", 0) if unread is None else unread,
        read_seq=chat.agent_read_seq,
        files=file_limits(chat.channel).payload(),
        **alert_thresholds(chat.channel),
    )
    return summary


def recent_chat_entry(chat):
    """An ended chat of the agent's in "Recent chats", with what the customer said of it afterwards."""
    return {
        "id": chat.pk,
        "channel": chat.channel.name,
        "customer_name": chat.customer_name,
        "ended_at": chat.ended_at.isoformat() if chat.ended_at else None,
        "ended_by": chat.ended_by,
        "rating": chat.rating,
        "rating_comment": chat.rating_comment,
    }


def agent_recent(agent):
    return [recent_chat_entry(chat) for chat in selectors.agent_recent_chats(agent)]


# What the dashboard shows of an open request's question.
REQUEST_PREVIEW_LENGTH = 140


def open_request_entry(request):
    return {
        "id": request.pk,
        "number": request.number,
        "channel": request.channel.name,
        "customer_name": request.customer_name,
        "customer_email": request.customer_email,
        "question": request.question[:REQUEST_PREVIEW_LENGTH],
        "created_at": request.created_at.isoformat(),
    }


def agent_open_requests(agent):
    return [open_request_entry(request) for request in request_selectors.open_requests_for_agent(agent)]


def agent_state(agent, channel_ids):
    """The dashboard's whole picture: presence, channels, queue, open chats."""
    presence = getattr(agent, "presence", None)
    return {
        "presence": presence.status if presence else PresenceStatus.AWAY,
        "agent_name": display_name(agent),
        "channels": [{"id": c.pk, "name": c.name} for c in agent.chat_channels.all()],
        "queue": agent_queue(channel_ids),
        "chats": [agent_chat_summary(chat) for chat in selectors.agent_open_chats(agent)],
        "recent": agent_recent(agent),
        "requests": agent_open_requests(agent),
    }


def canned_reply_in_chat_payload(entry):
    """A reply as the composer offers it in one chat: ``entry`` is a canned_replies.ReplyInChat, text filled in."""
    reply = entry.reply
    return {
        "id": reply.pk,
        "shortcut": reply.shortcut,
        "title": reply.title,
        "text": entry.text,
        "personal": reply.is_personal,
        "language": reply.language,
    }


def canned_manage_payload(replies, channels):
    """What the dashboard's dialog lists: the replies an agent keeps (raw text) and the channels they manage."""
    return {
        "replies": [
            {
                "id": reply.pk,
                "channel_id": reply.channel_id,
                "channel_name": reply.channel.name if reply.channel_id else "",
                "shortcut": reply.shortcut,
                "title": reply.title,
                "body": reply.body,
                "language": reply.language,
                "personal": reply.is_personal,
                "usage_count": reply.usage_count,
            }
            for reply in replies
        ],
        "channels": [{"id": channel.pk, "name": channel.name} for channel in channels],
    }
