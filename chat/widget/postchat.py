"""The widget's post-chat form endpoint (docs/api.md): rating, comment, transcript by e-mail."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from chat.conversations import postchat, selectors, transfers
from chat.conversations.payloads import customer_state
from chat.widget.endpoint import widget_endpoint
from infra.errors import ClientError
from infra.jsonapi import client_error_response, error_response
from infra.outbox.mail import will_be_sent


@widget_endpoint("POST", body=True)
def submit(request, channel, data):
    """
    The post-chat form for the chat of the X-Chat-Token header: ends the chat
    if it is still open, keeps rating and comment, queues the transcript.
    Sending it again changes nothing and sends no second e-mail.
    """
    chat = selectors.access_chat_by_token(request.headers.get("X-Chat-Token", ""))
    if chat is None or not transfers.opened_under(chat, channel):
        return error_response("unknown_token", _("This chat does not exist."), 404)
    try:
        chat, email = postchat.submit_postchat(
            chat,
            rating=data.get("rating"),
            comment=data.get("comment", ""),
            send_transcript=data.get("transcript", False),
        )
    except postchat.InvalidPostchat as error:
        return error_response(error.code, error.message, fields=error.fields)
    except ClientError as error:
        return client_error_response(error)
    # Over the limit for its address, the transcript stays in the outbox unsent.
    return JsonResponse({"state": customer_state(chat), "transcript": email is not None and will_be_sent(email)})
