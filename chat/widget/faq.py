"""
The widget's FAQ endpoints (docs/api.md): suggestions for a question, and
the customer opening an answer or marking it as the one that helped. The
question comes in the body, never in the URL, so it stays out of access logs.
"""

from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from chat.conversations import faq_entries
from chat.conversations import selectors as chat_selectors
from chat.widget.endpoint import widget_endpoint
from faq import selectors, services
from infra import throttle
from infra.jsonapi import error_response

MAX_QUESTION_LENGTH = 4000
MAX_SESSION_KEY_LENGTH = 32
# Per client address in ten minutes. A customer asks a handful of questions;
# the limits only stop scripts from mining the FAQ or inflating the counters.
WINDOW_SECONDS = 600
QUERY_LIMIT = 120
EVENT_LIMIT = 240
# The largest id the database can hold (a signed 64-bit key): a larger number
# in the URL names no entry, and would overflow the query.
MAX_ENTRY_ID = 2**63 - 1


def _throttled(request, scope, limit):
    return not throttle.hit(scope, throttle.client_address(request), limit=limit, window_seconds=WINDOW_SECONDS)


def entry_json(entry, score):
    # The answer was sanitized when the entry was saved (faq.sanitize).
    return {"id": entry.pk, "question": entry.question, "answer": entry.answer, "score": score}


@widget_endpoint("POST", body=True)
def suggestions(request, channel, data):
    """The channel's best FAQ entries for the body's question, best first; none when nothing is relevant enough."""
    question = data.get("question")
    question = question.strip() if isinstance(question, str) else ""
    if not question:
        return error_response("invalid_query", _("Please enter your question."))
    if len(question) > MAX_QUESTION_LENGTH:
        return error_response("invalid_query", _("The question is too long."))
    if _throttled(request, "faq", QUERY_LIMIT):
        return error_response("rate_limited", _("Too many questions from your address. Please try again later."), 429)
    if not channel.faq_enabled:
        return JsonResponse({"entries": [], "session": None})
    # In the language the widget speaks to this customer (chat.widget.endpoint activates it).
    found = selectors.suggest(channel, question, language=translation.get_language())
    session = services.record_suggestions(channel, entries=[entry for entry, _score in found]) if found else None
    return JsonResponse(
        {"entries": [entry_json(entry, score) for entry, score in found], "session": session.key if session else None}
    )


def _entry_event(request, channel, data, entry_id, record):
    key = data.get("session") or ""
    if not isinstance(key, str) or len(key) > MAX_SESSION_KEY_LENGTH:
        return error_response(
            "invalid_form", _("Please correct the marked fields."), fields={"session": _("This is not a session.")}
        )
    if _throttled(request, "faq-event", EVENT_LIMIT):
        return error_response("rate_limited", _("Too many requests from your address. Please try again later."), 429)
    entry = None
    if channel.faq_enabled and entry_id <= MAX_ENTRY_ID:
        entry = selectors.access_channel_entry(channel, entry_id)
    if entry is None:
        return error_response("unknown_entry", _("This FAQ entry does not exist."), 404)
    record(entry, channel=channel, session_key=key)
    return JsonResponse({"ok": True})


@widget_endpoint("POST", body=True)
def opened(request, channel, data, entry_id):
    """The customer opened the entry's answer."""
    return _entry_event(request, channel, data, entry_id, lambda entry, **_kwargs: services.record_opened(entry))


@widget_endpoint("POST", body=True)
def answered(request, channel, data, entry_id):
    """The customer says the entry answered the question: no chat needed."""
    return _entry_event(request, channel, data, entry_id, services.record_answered)


@widget_endpoint("POST", body=True)
def chat_answer(request, channel, data, entry_id):
    """
    The answer of an FAQ entry the agent sent into the chat (a card in the
    log): only for the chat's token (X-Chat-Token), and only an entry of the
    chat's channel that was sent into this chat.
    """
    chat = chat_selectors.access_chat_by_token(request.headers.get("X-Chat-Token", ""))
    if chat is None or chat.channel_id != channel.pk:
        return error_response("unknown_token", _("This chat does not exist."), 404)
    if _throttled(request, "faq-chat", EVENT_LIMIT):
        return error_response("rate_limited", _("Too many requests from your address. Please try again later."), 429)
    entry = faq_entries.sent_entry(chat, entry_id) if entry_id <= MAX_ENTRY_ID else None
    if entry is None:
        return error_response("unknown_entry", _("This FAQ entry does not exist."), 404)
    return JsonResponse(entry_json(entry, None))
