"""The widget's post-chat form endpoint (docs/api.md): rating, comment, transcript by e-mail."""
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chat import postchat, selectors
from chat.consumers.customer import customer_state
from chat.errors import ChatError
from chat.views.jsonapi import error_response, read_json_object
from chat.views.widget import channel_or_404


@csrf_exempt
@require_POST
def submit(request, slug):
    """
    The post-chat form for the chat of the X-Chat-Token header: ends the chat
    if it is still open, keeps rating and comment, queues the transcript.
    Sending it again changes nothing and sends no second e-mail.
    """
    chat = selectors.access_chat_by_token(request.headers.get("X-Chat-Token", ""))
    if chat is None or chat.channel.slug != slug:
        with translation.override(channel_or_404(slug).language):
            return error_response("unknown_token", _("This chat does not exist."), 404)
    with translation.override(chat.channel.language):
        data = read_json_object(request)
        if data is None:
            return error_response("invalid_json", _("The request is not valid JSON."))
        try:
            chat, email = postchat.submit_postchat(
                chat,
                rating=data.get("rating"),
                comment=data.get("comment", ""),
                send_transcript=data.get("transcript", False),
            )
        except postchat.InvalidPostchat as error:
            return error_response(error.code, error.message, fields=error.fields)
        except ChatError as error:
            return error_response(error.code, error.message, error.http_status)
        return JsonResponse({"state": customer_state(chat), "transcript": email is not None})
