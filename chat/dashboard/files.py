"""
The agent's files (docs/api.md): uploading one into a chat they handle, and
downloading a file of any chat of their channels (as its history shows it),
by the session. The same access rules as the socket: an active user, a member
of the chat's channel, and for uploads the chat's own agent while it is active.
"""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chat.conversations import attachments, selectors
from chat.conversations.errors import NotYourChat
from chat.conversations.file_checks import FileTooLarge
from chat.conversations.models import Party
from chat.conversations.payloads import message_payload
from infra.downloads import file_response
from infra.errors import ClientError, RateLimited
from infra.jsonapi import client_error_response, error_response
from infra.realtime.db import run, run_file_work
from infra.uploads import check_declared_length, read_upload


async def _agent(request):
    """The logged-in, active user, or None (a deactivated user's session has no user: Django's auth)."""
    user = await request.auser()
    return user if user.is_authenticated and user.is_active else None


@require_POST
async def upload(request, chat_id):
    agent = await _agent(request)
    if agent is None:
        return error_response("not_logged_in", _("Please log in again."), 403)
    try:
        chat = await run(selectors.access_chat_for_agent, agent, chat_id)
        limits = await run(attachments.file_limits, chat.channel)
        check_declared_length(request, max_bytes=limits.max_bytes, too_large=FileTooLarge(limits.max_bytes))
        if not await run(attachments.upload_allowed, chat):
            raise RateLimited(_("Too many files in a short time. Please wait a moment."))
        message, created = await run_file_work(_store, request, chat, agent, limits)
    except NotYourChat as error:
        # The contract's answer for a chat that is not the agent's: 403, whether it exists or not.
        return error_response(error.code, error.message, 403)
    except ClientError as error:
        return client_error_response(error)
    payload = await run(message_payload, message)
    return JsonResponse({"message": payload}, status=201 if created else 200)


def _store(request, chat, agent, limits):
    upload = read_upload(request, max_bytes=limits.max_bytes, too_large=FileTooLarge(limits.max_bytes))
    return attachments.post_file(
        chat,
        author=Party.AGENT,
        agent=agent,
        content=upload.content,
        name=upload.name,
        client_id=upload.fields.get("client_id", ""),
    )


@require_GET
async def download(request, key):
    agent = await _agent(request)
    attachment = await run(attachments.access_file_for_agent, agent, key) if agent is not None else None
    if attachment is None:
        raise Http404()
    try:
        file = await run(attachments.open_file, attachment)
    except FileNotFoundError:
        raise Http404() from None
    return file_response(
        file,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        inline=attachment.is_image,
    )
