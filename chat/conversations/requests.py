"""
Requests made from a chat: a waiting customer leaves one instead of waiting,
or the agent turns the chat into one. The chat's texts become the request
(requests_app.services.create_request), and the chat's log records it.
"""

from django.db import transaction
from django.utils import timezone

from chat.conversations import services
from chat.conversations.agents import display_name
from chat.conversations.errors import ChatEnded, NotYourChat
from chat.conversations.models import Chat, ChatStatus, EndReason, Message, MessageKind, Party
from chat.conversations.texts import customer_language
from chat.conversations.transcript import file_text
from requests_app.models import RequestSource
from requests_app.services import create_request


def create_request_from_queue(chat, *, consent_at=None):
    """
    A waiting customer leaves a request instead: the chat's text becomes the
    request, the chat ends. The request's consent is ``consent_at`` (ticked
    for the request), else the chat's.
    """
    with transaction.atomic():
        chat = Chat.objects.select_for_update(of=("self",)).select_related("channel").get(pk=chat.pk)
        if chat.status != ChatStatus.QUEUED:
            raise ChatEnded()
        request = _request_from(chat, source=RequestSource.QUEUE, consent_at=consent_at or chat.consent_at)
        services.end_chat(chat, by=Party.CUSTOMER, reason=EndReason.REQUEST)
    return request


def create_request_from_chat(chat, *, agent):
    """
    The chat's agent turns their active chat into a request: the transcript
    goes with it, its ID into the chat. Anyone else gets NotYourChat, an ended
    chat ChatEnded.
    """
    if chat.agent_id != agent.pk:
        raise NotYourChat()
    if chat.status != ChatStatus.ACTIVE:
        raise ChatEnded()
    with transaction.atomic():
        return _request_from(
            chat,
            source=RequestSource.CHAT,
            created_by=agent,
            transcript=transcript_text(chat),
            consent_at=chat.consent_at,
        )


def _request_from(chat, *, source, **extra):
    """The request made of the chat's customer, form and texts; its ID goes into the chat's log."""
    request = create_request(
        chat.channel,
        name=chat.customer_name,
        email=chat.customer_email,
        email_verified=chat.email_domain_verified,
        question=customer_text(chat),
        form_data=chat.form_data,
        source=source,
        chat=chat,
        language=customer_language(chat),
        **extra,
    )
    services.post_event(chat, "request_created", request_id=request.number)
    return request


def customer_text(chat):
    return "\n".join(
        chat.messages.filter(author=Party.CUSTOMER, kind=MessageKind.TEXT)
        .order_by("seq")
        .values_list("body", flat=True)
    )


def transcript_text(chat):
    """The chat's texts and files, one line each: time, author, text (a file by its name and size)."""
    zone = timezone.get_current_timezone()
    lines = []
    messages = Message.objects.filter(chat=chat, kind__in=[MessageKind.TEXT, MessageKind.FILE])
    for message in messages.select_related("agent").order_by("seq"):
        author = display_name(message.agent) if message.author == Party.AGENT else chat.customer_name
        text = file_text(message.params or {}) if message.kind == MessageKind.FILE else message.body
        lines.append(f"{message.created_at.astimezone(zone):%Y-%m-%d %H:%M} {author}: {text}")
    return "\n".join(lines)
