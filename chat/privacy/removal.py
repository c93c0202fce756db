"""
Taking a person's data out of chats, requests and the outbox: the one way
both retention (chat.privacy.retention) and erasure (chat.privacy.erasure)
do it, so that the two can never disagree on what "removed" means.

The chat and request rows stay, with their times, status, agent, rating and
request number: the statistics count those (docs/statistics.md) and keep
their figures. What goes is listed in chat.configuration.models.RetentionAction
and docs/privacy.md. Full-text search reads the messages themselves (an
expression index over chat_message.body, chat/migrations/0007_search.py):
a deleted or rewritten message leaves the index with its row, so there is no
separate copy to clean.

The callers hold the transaction and have locked the rows they pass in.
"""

import re
from dataclasses import asdict, dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, Value
from django.db.models.functions import Concat

from chat.configuration.models import RetentionAction
from chat.conversations.models import Attachment, Chat, ChatNote, ChatTransfer, Message, MessageKind
from infra.outbox.models import OutgoingEmail
from requests_app.models import Request

# What a name or an address is replaced by in an anonymised text.
REDACTED = "[…]"
# Parts of a name shorter than this ("Li", "de") are left in texts: blanking
# every "de" would garble the conversation without hiding anyone.
SHORTEST_NAME_PART = 3

CHAT_PERSONAL_FIELDS = {
    "customer_name": "",
    "customer_email": "",
    "form_data": [],
    "rating_comment": "",
    "page_url": "",
    "page_title": "",
    "user_agent": "",
    "customer_time_zone": "",
}


@dataclass
class Removed:
    """How much was removed, per kind; added up over batches."""

    chats: int = 0
    messages: int = 0
    notes: int = 0
    files: int = 0
    requests: int = 0
    emails: int = 0

    def __add__(self, other):
        return Removed(**{name: value + getattr(other, name) for name, value in asdict(self).items()})

    def as_dict(self):
        return asdict(self)

    @property
    def total(self):
        return sum(asdict(self).values())


def scrubber(name, email, *others):
    """A function that blanks the person's address, whole name, name parts and ``others`` in a text (case ignored)."""
    terms = [email.strip(), name.strip(), *others]
    terms += [part for part in re.split(r"\W+", name) if len(part) >= SHORTEST_NAME_PART]
    terms = sorted({term for term in terms if term}, key=len, reverse=True)
    if not terms:
        return lambda text: text
    # Whole words only: the customer "Max" leaves "maximum" alone.
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(term) for term in terms) + r")(?!\w)", re.IGNORECASE)
    return lambda text: pattern.sub(REDACTED, text) if text else text


def remove_from_chats(chat_ids, *, action, now):
    """Remove the personal data of these chats (locked by the caller), their requests and their e-mails."""
    chat_ids = list(chat_ids)
    if not chat_ids:
        return Removed()
    # The requests first: an anonymised one loses the names of the chat's
    # files from its transcript, which are read from the files still there.
    request_ids = list(
        Request.objects.select_for_update()
        .filter(chat_id__in=chat_ids, personal_data_removed_at__isnull=True)
        .values_list("pk", flat=True)
    )
    removed = remove_from_requests(request_ids, action=action, now=now)
    if action == RetentionAction.ANONYMISE:
        removed += _anonymise_conversations(chat_ids)
    else:
        _total, deleted = Message.objects.filter(chat_id__in=chat_ids).delete()
        removed.messages += deleted.get("chat.Message", 0)
        removed.files += deleted.get("chat.Attachment", 0)
        removed.notes += ChatNote.objects.filter(chat_id__in=chat_ids).delete()[0]
        ChatTransfer.objects.filter(chat_id__in=chat_ids).exclude(note="").update(note="")
    # Files not announced by a message (an upload cut short) go too; the
    # stored bytes follow each row after the commit (attachments.attachment_deleted).
    removed.files += Attachment.objects.filter(chat_id__in=chat_ids).delete()[0]
    removed.emails += OutgoingEmail.objects.filter(chat_id__in=chat_ids).delete()[0]
    removed.chats += Chat.objects.filter(pk__in=chat_ids).update(**CHAT_PERSONAL_FIELDS, personal_data_removed_at=now)
    _forget_in_admin_log(Chat, chat_ids)
    return removed


def _anonymise_conversations(chat_ids):
    """Keep the texts without who wrote them; files (and their messages, which name them) go."""
    removed = Removed()
    _total, deleted = Message.objects.filter(chat_id__in=chat_ids, kind=MessageKind.FILE).delete()
    removed.messages += deleted.get("chat.Message", 0)
    removed.files += deleted.get("chat.Attachment", 0)
    chats = Chat.objects.filter(pk__in=chat_ids).only("pk", "customer_name", "customer_email")
    for chat in chats:
        scrub = scrubber(chat.customer_name, chat.customer_email)
        changed = []
        for message in Message.objects.filter(chat=chat).exclude(body="").only("pk", "body"):
            body = scrub(message.body)
            if body != message.body:
                message.body = body
                changed.append(message)
        Message.objects.bulk_update(changed, ["body"], batch_size=500)
        removed.messages += len(changed)
        for model in (ChatNote, ChatTransfer):
            field = "body" if model is ChatNote else "note"
            rows = []
            for row in model.objects.filter(chat=chat).exclude(**{field: ""}).only("pk", field):
                text = scrub(getattr(row, field))
                if text != getattr(row, field):
                    setattr(row, field, text)
                    rows.append(row)
            model.objects.bulk_update(rows, [field], batch_size=500)
            if model is ChatNote:
                removed.notes += len(rows)
    return removed


def remove_from_requests(request_ids, *, action, now):
    """Remove the personal data of these requests (locked by the caller) and delete their e-mails."""
    request_ids = list(request_ids)
    if not request_ids:
        return Removed()
    removed = Removed()
    blank = {"customer_name": "", "customer_email": "", "form_data": [], "personal_data_removed_at": now}
    if action == RetentionAction.ANONYMISE:
        requests = Request.objects.filter(pk__in=request_ids).only(
            "pk", "customer_name", "customer_email", "question", "transcript", "chat_id"
        )
        for request in requests:
            # The transcript names the chat's files, which go.
            file_names = Attachment.objects.filter(chat_id=request.chat_id).values_list("name", flat=True)
            scrub = scrubber(request.customer_name, request.customer_email, *file_names)
            Request.objects.filter(pk=request.pk).update(
                question=scrub(request.question), transcript=scrub(request.transcript), **blank
            )
            removed.requests += 1
    else:
        removed.requests += Request.objects.filter(pk__in=request_ids).update(question="", transcript="", **blank)
    # Sent e-mails need not be kept, and a pending one would carry the data out after all.
    removed.emails += OutgoingEmail.objects.filter(request_id__in=request_ids).delete()[0]
    return removed


def remove_emails_to(address):
    """Every outbox e-mail to the address, whatever caused it (an erasure)."""
    return OutgoingEmail.objects.filter(to__iexact=address).delete()[0]


def _forget_in_admin_log(model, ids):
    """The admin's history names a chat by its customer ("Chat 12 with Erika"): it keeps the number only."""
    content_type = ContentType.objects.get_for_model(model)
    LogEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in ids]).update(
        object_repr=Concat(Value("#"), "object_id")
    )


def chats_of(address):
    return Chat.objects.filter(customer_email__iexact=address)


def requests_of(address, chat_ids):
    return Request.objects.filter(Q(customer_email__iexact=address) | Q(chat_id__in=chat_ids))
