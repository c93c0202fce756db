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
from requests_app.models import RequestSource
from requests_app.services import create_request


def create_request_from_queue(chat):
    """A waiting customer leaves a request instead: the chat's text becomes the request, the chat ends."""
    with transaction.atomic():
        chat = Chat.objects.select_for_update(of=("self",)).select_related("channel").get(pk=chat.pk)
        if chat.status != ChatStatus.QUEUED:
            raise ChatEnded()
        request = _request_from(chat, source=RequestSource.QUEUE)
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
        return _request_from(chat, source=RequestSource.CHAT, created_by=agent, transcript=transcript_text(chat))


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
    """The chat's texts, one line each: time, author, text."""
    zone = timezone.get_current_timezone()
    lines = []
    for message in Message.objects.filter(chat=chat, kind=MessageKind.TEXT).select_related("agent").order_by("seq"):
        author = display_name(message.agent) if message.author == Party.AGENT else chat.customer_name
        lines.append(f"{message.created_at.astimezone(zone):%Y-%m-%d %H:%M} {author}: {message.body}")
    return "\n".join(lines)
