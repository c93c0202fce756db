"""
After the chat: the post-chat form (rating, comment, transcript by e-mail)
and reopening a chat that the agent ended when the customer writes again.
State changes only; the widget's endpoint is chat.views.postchat.
"""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat import events, selectors, services
from infra.realtime import broadcast
from chat.errors import ChatError
from chat.models import Chat, ChatStatus, Message, MessageKind, Party
from chat.presence import available_agents_q, display_name

# A customer who writes again after the agent ended the chat reopens it only
# within this time: long enough for "one more question" after lunch or the
# next morning, short enough that an old chat is not woken up weeks later
# (a new question after that starts a new chat).
REOPEN_WINDOW = timedelta(hours=24)

# A few sentences of feedback; the same order of size as a chat message.
MAX_COMMENT_LENGTH = 2000


class InvalidPostchat(ChatError):
    code = "invalid_form"
    message = _("Please correct the marked fields.")

    def __init__(self, fields):
        self.fields = fields
        super().__init__()


def transcript_key(chat):
    """The outbox key of a chat's transcript: one e-mail per chat however often it is asked for."""
    return f"transcript:{chat.pk}"


def may_reopen(chat, now=None):
    """
    Whether a message from the customer reopens this ended chat: only when the
    agent ended it (not the customer, nor the system because the customer was
    gone), recently, and the customer has not sent the post-chat form.
    """
    now = now or timezone.now()
    return (
        chat.status == ChatStatus.ENDED
        and chat.ended_by == Party.AGENT
        and chat.postchat_submitted_at is None
        and chat.ended_at is not None
        and chat.ended_at >= now - REOPEN_WINDOW
    )


def check_postchat_values(*, rating, comment, send_transcript):
    """Validate what the widget sent; raises InvalidPostchat with per-field messages."""
    errors = {}
    if rating is not None and (not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5):
        errors["rating"] = str(_("Choose a rating from 1 to 5."))
    if not isinstance(comment, str):
        errors["comment"] = str(_("The comment must be text."))
    elif len(comment.strip()) > MAX_COMMENT_LENGTH:
        errors["comment"] = str(
            _("The comment is too long (at most %(limit)d characters).") % {"limit": MAX_COMMENT_LENGTH}
        )
    if not isinstance(send_transcript, bool):
        errors["transcript"] = str(_("Invalid choice."))
    if errors:
        raise InvalidPostchat(errors)
    return rating, comment.strip(), send_transcript


def submit_postchat(chat, *, rating, comment, send_transcript):
    """
    The customer sent the post-chat form: the chat ends if it is still open
    (ended by the customer), rating and comment are kept, and the transcript
    is queued when asked for and available (transcript_available). All or
    nothing: the values are checked first, and ending, keeping and queueing
    happen in one transaction, so a form that cannot be stored leaves the
    chat as it was. Sending the form again (a double click, a retried
    request) changes nothing and queues no second e-mail. Returns (chat,
    transcript_email or None).
    """
    rating, comment, send_transcript = check_postchat_values(
        rating=rating, comment=comment, send_transcript=send_transcript
    )
    with transaction.atomic():
        locked = Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").get(pk=chat.pk)
        if locked.is_open:
            locked = services.end_chat(locked, by=Party.CUSTOMER)
        if locked.postchat_submitted_at is None:
            locked.rating = rating
            locked.rating_comment = comment
            locked.postchat_submitted_at = timezone.now()
            locked.save(update_fields=["rating", "rating_comment", "postchat_submitted_at"])
        email = None
        if send_transcript and transcript_available(locked):
            email = queue_transcript(locked)
    return locked, email


def transcript_available(chat):
    """
    Whether the customer may have the chat's transcript by e-mail: the channel
    offers it, there is an address, and an agent answered (a text of theirs
    other than the channel's automatic welcome). A chat nobody answered holds
    only what the sender typed, and a transcript of it would let anyone send
    their own text, from this site, to any address they enter.
    """
    if not (chat.channel.transcript_enabled and chat.customer_email):
        return False
    answers = Message.objects.filter(chat=chat, author=Party.AGENT, kind=MessageKind.TEXT)
    welcome = chat.channel.welcome_message.strip()
    if welcome:
        answers = answers.exclude(client_id="", body=welcome)
    return answers.exists()


def queue_transcript(chat):
    """Queue the chat's transcript for its customer once; returns the outbox entry."""
    from requests_app.mail import queue_email
    from requests_app.models import OutgoingEmail
    from requests_app.transcript import render_transcript

    existing = OutgoingEmail.objects.filter(key=transcript_key(chat)).first()
    if existing is not None:
        return existing
    subject, text, html = render_transcript(chat)
    email, _created = queue_email(
        key=transcript_key(chat), to=chat.customer_email, subject=subject, text=text, html=html, chat=chat
    )
    return email


def transcript_email(chat):
    """The chat's transcript in the outbox, or None."""
    from requests_app.models import OutgoingEmail

    return OutgoingEmail.objects.filter(key=transcript_key(chat)).first()


def reopen_chat(chat):
    """
    Open an ended chat again: back to the same agent when that agent is
    available, else into the channel's queue. Returns the chat; a chat that is
    open already is returned unchanged.
    """
    with transaction.atomic():
        locked = Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").get(pk=chat.pk)
        if locked.status != ChatStatus.ENDED:
            return locked
        do_reopen(locked)
    after_reopen(locked)
    return locked


def do_reopen(chat, now=None):
    """
    Reopen ``chat``. Expects the chat row locked inside a transaction
    (services.post_message, reopen_chat) and trusts that it may be reopened;
    call after_reopen once the transaction is over.
    """
    now = now or timezone.now()
    agent = chat.agent
    # The agent's own conversation comes back to them even at the channel's
    # limit: they know it, and they can end it again.
    back_to_agent = (
        agent is not None
        and chat.channel.members.filter(available_agents_q(now), pk=agent.pk).exists()
    )
    chat.reopened_count += 1
    chat.ended_at = None
    chat.ended_by = ""
    chat.end_reason = ""
    # The customer is here (they just wrote): the sweep for gone customers
    # must not end the chat at once because of an old timestamp.
    chat.customer_seen_at = now
    fields = ["status", "agent", "queued_at", "accepted_at", "reopened_count", "ended_at", "ended_by",
              "end_reason", "customer_seen_at"]
    if back_to_agent:
        chat.status = ChatStatus.ACTIVE
    else:
        chat.status = ChatStatus.QUEUED
        chat.agent = None
        chat.queued_at = now
        chat.accepted_at = None
    chat.save(update_fields=fields)
    if not back_to_agent:
        chat.initial_position = selectors.queue_position(chat)
        chat.save(update_fields=["initial_position"])
    services._append_event(
        chat, "reopened", by=Party.CUSTOMER, to="agent" if back_to_agent else "queue", agent=display_name(agent) if back_to_agent else ""
    )
    services._notify_state(chat)
    if back_to_agent:
        # The dashboard shows the chat again, with its log, as when it was assigned.
        broadcast.send_on_commit(events.agent_group(agent.pk), {"type": "agent.assigned", "chat_id": chat.pk})
    else:
        services._notify_queue_changed(chat.channel_id)


def after_reopen(chat):
    """What follows a reopen outside its transaction: automatic assignment of the queued chat."""
    if chat.status == ChatStatus.QUEUED and chat.channel.assign_automatically:
        services.assign_waiting_chats(chat.channel)
