"""
The widget app in its iframe and its JSON endpoints (docs/api.md). The loader
on the host page asks only for the button's look; everything else happens
inside the iframe, on this site's origin.
"""

from asgiref.sync import sync_to_async
from csp.constants import SELF
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from chat.configuration.colors import readable_text_color
from chat.configuration.consent import consent_config, consent_missing
from chat.configuration.models import Channel, FormKind
from chat.configuration.prechat import validate_prechat
from chat.configuration.texts import channel_texts
from chat.conversations import selectors, services, transfers
from chat.conversations.availability import availability, closed_view, request_form_config
from chat.conversations.customer_context import check_start_context
from chat.conversations.payloads import customer_state
from chat.widget import embedding
from chat.widget.endpoint import form_refused, widget_endpoint
from chat.widget.language import customer_language
from chat.widget.strings import widget_strings
from infra import throttle
from infra.errors import ClientError
from infra.jsonapi import client_error_response, error_response

# The windows of HELPDESK_CHAT_START_LIMIT and HELPDESK_FORM_LIMIT.
START_WINDOW_SECONDS = 600
FORM_WINDOW_SECONDS = 600


def channel_or_404(slug):
    return get_object_or_404(Channel, slug=slug)


def _field_config(form_field):
    return {
        "key": form_field.key,
        "label": form_field.label,
        "type": form_field.field_type,
        "required": form_field.required,
        "choices": form_field.choice_list,
    }


@require_GET
@xframe_options_exempt
@gzip_page  # The page holds no secret, so compressing it leaks nothing (BREACH).
def widget_page(request, slug):
    channel = channel_or_404(slug)
    language = customer_language(request, channel)
    texts = channel_texts(channel, language)
    with translation.override(language):
        config = {
            "slug": channel.slug,
            "language": language,
            "title": texts["header_title"],
            "color": channel.color,
            "textColor": readable_text_color(channel.color),
            "fields": [_field_config(f) for f in channel.form_fields.filter(form=FormKind.PRECHAT)],
            "allowedOrigins": channel.allowed_origin_list,
            "strings": widget_strings(),
            "closed": None if availability(channel).open else closed_view(channel, language=language),
            "request": request_form_config(channel, language=language),
            # The consent checkbox of the pre-chat and request forms, or None.
            "consent": consent_config(channel),
        }
        response = render(
            request,
            "chat/widget.html",
            {"channel": channel, "texts": texts, "config": config, "text_color": config["textColor"]},
        )
    # The page speaks the browser's language where the channel does.
    patch_vary_headers(response, ["Accept-Language"])
    # The widget may be framed only by the channel's own websites. The
    # site's policy is kept and only this directive replaced: django-csp
    # reads _csp_replace from the response and writes one header.
    response._csp_replace = {"frame-ancestors": [SELF, *channel.allowed_origin_list]}
    response["Referrer-Policy"] = "no-referrer"
    return response


@widget_endpoint("GET")
def button_config(request, channel):
    """
    What the loader needs to draw the button: nothing personal, no cookie;
    for other websites only a refusal. The open widget asks too, to follow
    the channel before a chat starts (static/widget/closed.js): with
    ``?view=closed`` a closed channel's answer carries the closed view, which
    the loader does not need.
    """
    refusal = embedding.refused(request, channel)
    if refusal is not None:
        return refusal
    is_open = availability(channel).open
    language = translation.get_language()
    data = {
        "available": is_open,
        # Nobody can chat and nobody can leave a request: no button at all.
        "hidden": not is_open and not channel.request_enabled and channel.hide_button_when_closed,
        "label": channel_texts(channel, language)["button_label"],
        "color": channel.color,
        "textColor": readable_text_color(channel.color),
        "language": language,
    }
    if request.GET.get("view") == "closed":
        data["closed"] = None if is_open else closed_view(channel, language=language)
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=60"
    # The label is in the browser's language where the channel speaks it.
    patch_vary_headers(response, ["Accept-Language"])
    return embedding.with_cors(request, channel, response)


async def _validated(channel, data, form=FormKind.PRECHAT):
    fields = await sync_to_async(list)(channel.form_fields.filter(form=form))
    return await validate_prechat(fields, data)


async def _closed_answer(channel):
    """409 with the closed view when nobody can chat right now; None when the channel is open."""
    if (await sync_to_async(availability)(channel)).open:
        return None
    view = await sync_to_async(closed_view)(channel, language=translation.get_language())
    return error_response("closed", _("Sorry, no agent is available right now."), 409, closed=view)


async def _throttled(request, scope, *, limit, window_seconds):
    allowed = await sync_to_async(throttle.hit)(
        scope, throttle.client_address(request), limit=limit, window_seconds=window_seconds
    )
    return not allowed


@widget_endpoint("POST", body=True)
async def validate_form(request, channel, data):
    """Check the pre-chat form (the e-mail domain too) before the question is asked."""
    # Counted before the check: every form may cost a DNS look-up.
    if await _throttled(request, "form", limit=settings.HELPDESK_FORM_LIMIT, window_seconds=FORM_WINDOW_SECONDS):
        return error_response("rate_limited", _("Too many forms from your address. Please try again later."), 429)
    closed = await _closed_answer(channel)
    if closed is not None:
        return closed
    result = await _validated(channel, data)
    refused = form_refused(result, without_consent=consent_missing(channel, data))
    if refused is not None:
        return refused
    return JsonResponse({"ok": True, "email": result.email, "email_verified": result.email_verified})


@widget_endpoint("POST", body=True)
async def start(request, channel, data):
    """Create the chat with its first message and answer with the customer's token."""
    if await _throttled(
        request, "start", limit=settings.HELPDESK_CHAT_START_LIMIT, window_seconds=START_WINDOW_SECONDS
    ):
        return error_response("rate_limited", _("Too many chats from your address. Please try again later."), 429)
    result = await _validated(channel, data)
    refused = form_refused(result, without_consent=consent_missing(channel, data))
    if refused is not None:
        return refused
    # Decided again here: the last agent may have gone while the form was filled in.
    closed = await _closed_answer(channel)
    if closed is not None:
        return closed
    try:
        chat, token = await sync_to_async(services.start_chat)(
            channel,
            name=result.name,
            email=result.email,
            email_verified=result.email_verified,
            form_data=result.form_data,
            question=data.get("question"),
            consent_at=timezone.now() if channel.consent_enabled else None,
            language=translation.get_language(),
            context=check_start_context(
                page_url=data.get("page_url"),
                page_title=data.get("page_title"),
                time_zone=data.get("time_zone"),
                user_agent=request.headers.get("User-Agent"),
            ),
        )
    except ClientError as error:
        return client_error_response(error, fields={"question": str(error.message)})
    state = await sync_to_async(customer_state)(chat)
    return JsonResponse({"token": token, "state": state}, status=201)


@widget_endpoint("GET")
async def state(request, channel):
    """The chat's state for the token in the X-Chat-Token header."""
    chat = await sync_to_async(selectors.access_chat_by_token)(request.headers.get("X-Chat-Token", ""))
    if chat is None or not await sync_to_async(transfers.opened_under)(chat, channel):
        return error_response("unknown_token", _("This chat does not exist."), 404)
    return JsonResponse({"state": await sync_to_async(customer_state)(chat)})
