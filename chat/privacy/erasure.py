"""
Erasure of one person by e-mail address (the admin's privacy page): every
chat and request with that address (in any channel, the address compared
without case), their messages, notes, files and e-mails, and every outbox
e-mail to the address, as RetentionAction.DELETE removes them
(chat.privacy.removal). The chat and request rows stay, blank, so the
statistics keep their counts. The erasure is recorded without the address
(chat.privacy.models.ErasureRecord).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.configuration.models import RetentionAction
from chat.conversations.models import Attachment, ChatNote, ChatStatus, Message
from chat.privacy import removal
from chat.privacy.models import ErasureRecord, address_digest
from infra.outbox.models import OutgoingEmail
from requests_app.models import Request

MAX_ADDRESS_LENGTH = 254


class ErasureRefused(Exception):
    """The erasure cannot be done now; the message says why, for the administrator."""


def clean_address(value):
    """The address as compared: trimmed; a clear error for what is no address."""
    address = (value or "").strip()
    if not address:
        raise ValidationError(_("Enter an e-mail address."))
    if len(address) > MAX_ADDRESS_LENGTH:
        raise ValidationError(_("An e-mail address has at most %(count)d characters.") % {"count": MAX_ADDRESS_LENGTH})
    validate_email(address)
    return address


@dataclass(frozen=True)
class Found:
    """What is stored about an address, as counts per kind (what the confirmation shows)."""

    chats: int
    open_chats: int
    messages: int
    notes: int
    files: int
    requests: int
    emails: int

    @property
    def nothing(self):
        return not (self.chats or self.requests or self.emails)


def find(address):
    chat_ids = list(removal.chats_of(address).values_list("pk", flat=True))
    requests = removal.requests_of(address, chat_ids)
    request_ids = list(requests.values_list("pk", flat=True))
    emails = OutgoingEmail.objects.filter(to__iexact=address)
    emails = (
        emails
        | OutgoingEmail.objects.filter(chat_id__in=chat_ids)
        | OutgoingEmail.objects.filter(request_id__in=request_ids)
    )
    return Found(
        chats=len(chat_ids),
        open_chats=removal.chats_of(address).exclude(status=ChatStatus.ENDED).count(),
        messages=Message.objects.filter(chat_id__in=chat_ids).count(),
        notes=ChatNote.objects.filter(chat_id__in=chat_ids).count(),
        files=Attachment.objects.filter(chat_id__in=chat_ids).count(),
        requests=len(request_ids),
        emails=emails.distinct().count(),
    )


def erase(address, *, by, now=None):
    """Erase everything stored about the address; returns (what was removed, the record). Refused while a chat is open."""
    now = now or timezone.now()
    with transaction.atomic():
        chats = removal.chats_of(address).select_for_update()
        chat_ids = list(chats.values_list("pk", flat=True))
        if chats.exclude(status=ChatStatus.ENDED).exists():
            raise ErasureRefused(
                _("A chat with this address is still open. End it in the dashboard, then erase the data.")
            )
        removed = removal.remove_from_chats(chat_ids, action=RetentionAction.DELETE, now=now)
        # The requests of those chats are done; left are those with the address and
        # no chat of it (the closed-hours form, or a chat under another address).
        request_ids = list(
            Request.objects.filter(customer_email__iexact=address).select_for_update().values_list("pk", flat=True)
        )
        removed += removal.remove_from_requests(request_ids, action=RetentionAction.DELETE, now=now)
        removed.emails += removal.remove_emails_to(address)
        record = ErasureRecord.objects.create(
            erased_by=by, address_hash=address_digest(address), counts=removed.as_dict()
        )
    return removed, record
