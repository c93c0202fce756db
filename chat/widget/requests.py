"""
The widget's request endpoint: from the closed view, or from the queue
instead of waiting (docs/api.md). "Request" is the domain's word here (a
requests_app.Request, the ticket the customer leaves); the HTTP request is
``http_request``.
"""

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat.configuration.consent import ConsentRequired, consent_missing
from chat.configuration.models import FormKind
from chat.configuration.prechat import validate_prechat
from chat.conversations import requests as chat_requests
from chat.conversations import selectors, transfers
from chat.widget.endpoint import form_refused, widget_endpoint
from infra import throttle
from infra.errors import ClientError
from infra.jsonapi import client_error_response, error_response
from requests_app import services
from requests_app.models import RequestSource

MAX_QUESTION_LENGTH = 4000
REQUEST_WINDOW_SECONDS = 3600

# The honeypot: a field people never see (hidden from sight and from screen
# readers) and bots fill in.
HONEYPOT_FIELD = "website"


@widget_endpoint("POST", body=True)
async def submit_request(http_request, channel, data):
    if not channel.request_enabled:
        return error_response("requests_off", _("This channel does not take requests."), 404)
    allowed = await sync_to_async(throttle.hit)(
        "request",
        throttle.client_address(http_request),
        limit=settings.HELPDESK_REQUEST_LIMIT,
        window_seconds=REQUEST_WINDOW_SECONDS,
    )
    if not allowed:
        return error_response("rate_limited", _("Too many requests from your address. Please try again later."), 429)
    if data.get(HONEYPOT_FIELD):
        return error_response("rejected", _("Your request could not be sent."), 400)
    token = http_request.headers.get("X-Chat-Token")
    if token:
        return await _request_from_queue(channel, token, data)
    return await _request_from_form(channel, data)


async def _request_from_form(channel, data):
    fields = await sync_to_async(list)(channel.form_fields.filter(form=FormKind.REQUEST))
    result = await validate_prechat(fields, data)
    question = data.get("question").strip() if isinstance(data.get("question"), str) else ""
    if not question:
        result.errors["question"] = _("Please enter your question.")
    elif len(question) > MAX_QUESTION_LENGTH:
        result.errors["question"] = _("Please use at most %(max)d characters.") % {"max": MAX_QUESTION_LENGTH}
    refused = form_refused(result, without_consent=consent_missing(channel, data))
    if refused is not None:
        return refused
    created = await sync_to_async(services.create_request)(
        channel,
        name=result.name,
        email=result.email,
        email_verified=result.email_verified,
        question=question,
        form_data=result.form_data,
        source=RequestSource.CLOSED_FORM,
        consent_at=timezone.now() if channel.consent_enabled else None,
        # The widget's language for this customer (chat.widget.endpoint activates it).
        language=translation.get_language(),
    )
    return JsonResponse({"request_id": created.number}, status=201)


async def _request_from_queue(channel, token, data):
    chat = await sync_to_async(selectors.access_chat_by_token)(token)
    if chat is None or not await sync_to_async(transfers.opened_under)(chat, channel):
        return error_response("unknown_token", _("This chat does not exist."), 404)
    if not await sync_to_async(selectors.request_offered)(chat):
        return error_response("not_offered", _("Please wait for an agent."), 409)
    if consent_missing(channel, data):
        return client_error_response(ConsentRequired(), fields={"consent": str(ConsentRequired.message)})
    try:
        created = await sync_to_async(chat_requests.create_request_from_queue)(
            chat, consent_at=timezone.now() if channel.consent_enabled else None
        )
    except ClientError as error:
        return client_error_response(error)
    return JsonResponse({"request_id": created.number}, status=201)
