"""
After the chat: the post-chat form (rating, comment, transcript by e-mail).
Reopening a chat when the customer writes again is chat.conversations.reopen;
the widget's endpoint is chat.widget.postchat.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.conversations import events, rules, services
from chat.conversations.errors import ChatError
from chat.conversations.models import Chat, Party
from chat.conversations.transcript import email_attachments, render_transcript, transcript_files
from infra.outbox.mail import queue_email
from infra.outbox.models import OutgoingEmail

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
    is queued when asked for and available (rules.transcript_available). All or
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
            events.notify_rated(locked)
        email = None
        if send_transcript and rules.transcript_available(locked):
            email = queue_transcript(locked)
    return locked, email


def queue_transcript(chat):
    """Queue the chat's transcript for its customer once; returns the outbox entry."""
    existing = OutgoingEmail.objects.filter(key=transcript_key(chat)).first()
    if existing is not None:
        return existing
    attached, listed = transcript_files(chat)
    subject, text, html = render_transcript(chat, not_attached=listed)
    email, _created = queue_email(
        key=transcript_key(chat),
        to=chat.customer_email,
        subject=subject,
        text=text,
        html=html,
        chat=chat,
        attachments=email_attachments(attached),
    )
    return email


def transcript_email(chat):
    """The chat's transcript in the outbox, or None."""
    return OutgoingEmail.objects.filter(key=transcript_key(chat)).first()
