"""
The customer's files (docs/api.md): uploading one into the chat, and
downloading the chat's files, both with the chat's token in the X-Chat-Token
header (never in a URL, where logs and the Referer would keep it).
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chat.conversations import attachments, selectors, transfers
from chat.conversations.file_checks import FileTooLarge
from chat.conversations.models import Party
from chat.conversations.payloads import message_payload
from chat.widget.endpoint import widget_endpoint
from infra.downloads import file_response
from infra.errors import ClientError, RateLimited
from infra.jsonapi import check_caller, client_error_response, error_response
from infra.realtime.db import run, run_file_work
from infra.uploads import check_declared_length, read_upload


def _chat_of(request, channel):
    """The chat of the request's token when the URL's widget may speak for it, else None."""
    chat = selectors.access_chat_by_token(request.headers.get("X-Chat-Token", ""))
    if chat is None or not transfers.opened_under(chat, channel):
        return None
    return chat


def _unknown_token():
    return error_response("unknown_token", _("This chat does not exist."), 404)


@csrf_exempt  # no session to forge: the token header is the proof, and check_caller refuses other sites
@widget_endpoint("POST")
async def upload(request, channel):
    try:
        check_caller(request)
    except ClientError as error:
        return client_error_response(error)
    chat = await run(_chat_of, request, channel)
    if chat is None:
        return _unknown_token()
    try:
        limits = await run(attachments.file_limits, chat.channel)
        # Before Django reads the body: a request too large is refused unread.
        check_declared_length(request, max_bytes=limits.max_bytes, too_large=FileTooLarge(limits.max_bytes))
        if not await run(attachments.upload_allowed, chat):
            raise RateLimited(_("Too many files in a short time. Please wait a moment."))
        message, created = await run_file_work(_store, request, chat, limits)
    except ClientError as error:
        return client_error_response(error)
    return await _answer(message, created)


def _store(request, chat, limits):
    upload = read_upload(request, max_bytes=limits.max_bytes, too_large=FileTooLarge(limits.max_bytes))
    return attachments.post_file(
        chat,
        author=Party.CUSTOMER,
        content=upload.content,
        name=upload.name,
        client_id=upload.fields.get("client_id", ""),
    )


async def _answer(message, created):
    payload = await run(message_payload, message)
    return JsonResponse({"message": payload}, status=201 if created else 200)


@widget_endpoint("GET")
async def download(request, channel, key):
    chat = await run(_chat_of, request, channel)
    if chat is None:
        return _unknown_token()
    attachment = await run(attachments.access_file_for_customer, chat, key)
    if attachment is None:
        return error_response("not_found", _("This file does not exist."), 404)
    try:
        file = await run(attachments.open_file, attachment)
    except FileNotFoundError:
        return error_response("not_found", _("This file does not exist."), 404)
    return file_response(
        file,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        inline=attachment.is_image,
    )
