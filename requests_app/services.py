"""
Creating requests: from the closed view, from the queue, or by an agent from a
chat. Each gets a human-friendly ID (R-2026-00042) and a confirmation e-mail
that leaves after the commit.
"""
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from chat import services as chat_services
from chat.errors import ChatEnded
from chat.models import Chat, ChatStatus, EndReason, Message, MessageKind, Party
from chat.presence import display_name
from requests_app import mail, rendering
from requests_app.models import Request, RequestCounter, RequestSource, RequestStatus


def next_request_number(year):
    """The next ID of the year; the counter row is locked, so IDs are unique and gapless."""
    try:
        with transaction.atomic():
            RequestCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # Another request created the year's counter at the same moment.
    counter = RequestCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"R-{year}-{counter.last_number:05d}"


def create_request(
    channel, *, name, email, question, source, email_verified=True, form_data=None, chat=None, created_by=None, transcript=""
):
    with transaction.atomic():
        request = Request.objects.create(
            number=next_request_number(timezone.now().year),
            channel=channel,
            source=source,
            customer_name=name,
            customer_email=email,
            email_domain_verified=email_verified,
            question=question,
            form_data=form_data or [],
            chat=chat,
            created_by=created_by,
            transcript=transcript,
        )
        _queue_confirmation(request)
    return request


def create_request_from_queue(chat):
    """A waiting customer leaves a request instead: the chat's text becomes the request, the chat ends."""
    with transaction.atomic():
        chat = Chat.objects.select_for_update(of=("self",)).select_related("channel").get(pk=chat.pk)
        if chat.status != ChatStatus.QUEUED:
            raise ChatEnded()
        request = create_request(
            chat.channel,
            name=chat.customer_name,
            email=chat.customer_email,
            email_verified=chat.email_domain_verified,
            question=customer_text(chat),
            form_data=chat.form_data,
            source=RequestSource.QUEUE,
            chat=chat,
        )
        chat_services.post_event(chat, "request_created", request_id=request.number)
        chat_services.end_chat(chat, by=Party.CUSTOMER, reason=EndReason.REQUEST)
    return request


def create_request_from_chat(chat, *, agent):
    """The agent turns the chat into a request: the transcript goes with it, its ID into the chat."""
    with transaction.atomic():
        request = create_request(
            chat.channel,
            name=chat.customer_name,
            email=chat.customer_email,
            email_verified=chat.email_domain_verified,
            question=customer_text(chat),
            form_data=chat.form_data,
            source=RequestSource.CHAT,
            chat=chat,
            created_by=agent,
            transcript=transcript_text(chat),
        )
        chat_services.post_event(chat, "request_created", request_id=request.number)
    return request


def close_request(request):
    Request.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
        status=RequestStatus.CLOSED, closed_at=timezone.now()
    )


def customer_text(chat):
    return "\n".join(
        chat.messages.filter(author=Party.CUSTOMER, kind=MessageKind.TEXT).order_by("seq").values_list("body", flat=True)
    )


def transcript_text(chat):
    """The chat's texts, one line each: time, author, text."""
    zone = timezone.get_current_timezone()
    lines = []
    for message in Message.objects.filter(chat=chat, kind=MessageKind.TEXT).select_related("agent").order_by("seq"):
        author = display_name(message.agent) if message.author == Party.AGENT else chat.customer_name
        lines.append(f"{message.created_at.astimezone(zone):%Y-%m-%d %H:%M} {author}: {message.body}")
    return "\n".join(lines)


def _queue_confirmation(request):
    channel = request.channel
    with translation.override(channel.language):
        template = channel.request_template
        subject = template.subject if template else _("Your request {request_id}")
        body = (
            template.body
            if template
            else _(
                "Hello {customer_name},\n\nthank you for your message. We have received your request "
                "{request_id} and will answer by e-mail as soon as we can.\n\nYour question:\n{question}\n\n"
                "{channel}"
            )
        )
        values = {
            "customer_name": request.customer_name,
            "customer_email": request.customer_email,
            "request_id": request.number,
            "question": request.question,
            "channel": channel.name,
            "date": formats.date_format(timezone.localtime(request.created_at), "DATETIME_FORMAT"),
        }
        subject, text, html = rendering.render(subject, body, values)
    mail.queue_email(
        key=f"request:{request.pk}:confirmation", to=request.customer_email, subject=subject, text=text, html=html, request=request
    )


