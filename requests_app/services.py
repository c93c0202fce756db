"""
Creating requests. Each gets a human-friendly ID (R-2026-00042) and a
confirmation e-mail that leaves after the commit. A request made from a chat
is put together by chat.conversations.requests, which passes the chat's
texts in: this app knows chats only by their app label.
"""

from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from infra.outbox import mail
from requests_app import rendering
from requests_app.models import Request, RequestCounter, RequestStatus
from requests_app.signals import request_closed


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
    channel,
    *,
    name,
    email,
    question,
    source,
    email_verified=True,
    form_data=None,
    chat=None,
    created_by=None,
    transcript="",
    consent_at=None,
    language="",
):
    """
    ``consent_at``: when the customer ticked the channel's consent checkbox for
    it (or for its chat); ``language``: the customer's, the confirmation's.
    """
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
            consent_at=consent_at,
            language=language or "",
        )
        _queue_confirmation(request)
    return request


def close_request(request):
    closed = Request.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
        status=RequestStatus.CLOSED, closed_at=timezone.now()
    )
    if closed:
        request_closed.send(sender=Request, channel_id=request.channel_id)


def _queue_confirmation(request):
    channel = request.channel
    language = request.language or channel.language
    with translation.override(language):
        template = rendering.template_for(channel.request_template, language, channel.language)
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
        key=f"request:{request.pk}:confirmation",
        to=request.customer_email,
        subject=subject,
        text=text,
        html=html,
        request=request,
    )
