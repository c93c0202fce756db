"""
Everything stored about one e-mail address, for the person who asks for it
(the admin's privacy page): their chats in every channel with messages,
the agents' internal notes about them, form data, rating and comment, the
files' names and sizes, their requests and the e-mails sent to them. One
structure, written out as JSON or shown as a page.

The files themselves are listed, not included: the export is a page and a
JSON document an administrator hands on, which stored photos and PDFs would
make large and binary; an administrator sends a file on request from the
chat's page.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from chat.conversations.models import Attachment, ChatNote, Message, MessageKind
from chat.privacy import removal
from infra.outbox.models import OutgoingEmail


def _agent_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def collect(address, now=None):
    """The export's content as plain data (dicts, lists, strings, numbers, datetimes)."""
    chats = list(removal.chats_of(address).select_related("channel", "agent").order_by("created_at", "pk"))
    chat_ids = [chat.pk for chat in chats]
    messages = {}
    for message in Message.objects.filter(chat_id__in=chat_ids).select_related("agent").order_by("chat", "seq"):
        messages.setdefault(message.chat_id, []).append(_message(message))
    notes = {}
    for note in ChatNote.objects.filter(chat_id__in=chat_ids).select_related("agent"):
        notes.setdefault(note.chat_id, []).append(
            {
                "written_at": note.created_at,
                "agent": _agent_name(note.agent),
                "text": note.body,
                "whisper": note.is_whisper,
            }
        )
    files = {}
    for attachment in Attachment.objects.filter(chat_id__in=chat_ids):
        files.setdefault(attachment.chat_id, []).append(
            {
                "name": attachment.name,
                "type": attachment.content_type,
                "size": attachment.size,
                "sent_at": attachment.created_at,
                "sent_by": attachment.author,
            }
        )
    requests = removal.requests_of(address, chat_ids).select_related("channel").order_by("created_at", "pk")
    emails = (
        OutgoingEmail.objects.filter(to__iexact=address)
        | OutgoingEmail.objects.filter(chat_id__in=chat_ids)
        | OutgoingEmail.objects.filter(request__in=requests)
    )
    return {
        "address": address,
        "exported_at": now or timezone.now(),
        "chats": [
            {
                "id": chat.pk,
                "channel": chat.channel.name,
                "status": chat.status,
                "created_at": chat.created_at,
                "ended_at": chat.ended_at,
                "name": chat.customer_name,
                "email": chat.customer_email,
                "language": chat.language,
                "form": chat.form_data,
                "page_url": chat.page_url,
                "page_title": chat.page_title,
                "browser": chat.user_agent,
                "time_zone": chat.customer_time_zone,
                "consent_at": chat.consent_at,
                "agent": _agent_name(chat.agent),
                "rating": chat.rating,
                "comment": chat.rating_comment,
                "messages": messages.get(chat.pk, []),
                "notes": notes.get(chat.pk, []),
                "files": files.get(chat.pk, []),
            }
            for chat in chats
        ],
        "requests": [
            {
                "number": request.number,
                "channel": request.channel.name,
                "status": request.status,
                "source": request.source,
                "created_at": request.created_at,
                "closed_at": request.closed_at,
                "name": request.customer_name,
                "email": request.customer_email,
                "question": request.question,
                "form": request.form_data,
                "transcript": request.transcript,
                "consent_at": request.consent_at,
            }
            for request in requests
        ],
        "emails": [
            {
                "to": email.to,
                "subject": email.subject,
                "status": email.status,
                "created_at": email.created_at,
                "sent_at": email.sent_at,
                "text": email.body_text,
            }
            for email in emails.distinct().order_by("created_at", "pk")
        ],
    }


def _message(message):
    entry = {"number": message.seq, "sent_at": message.created_at, "author": message.author, "kind": message.kind}
    if message.kind == MessageKind.EVENT:
        entry["event"] = message.event
    elif message.kind == MessageKind.FILE:
        entry["file"] = message.params.get("name", "")
    else:
        entry["text"] = message.body
    if message.agent is not None:
        entry["agent"] = _agent_name(message.agent)
    return entry


def as_json(data):
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
