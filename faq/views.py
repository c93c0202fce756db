"""
The widget's FAQ endpoints (docs/api.md): suggestions for a question, and
the customer opening an answer or marking it as the one that helped.
"""
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from chat import throttle
from chat.models import Channel
from chat.views.jsonapi import error_response, read_json_object
from faq import selectors, services

MAX_QUESTION_LENGTH = 4000
# Per client address in ten minutes. A customer asks a handful of questions;
# the limits only stop scripts from mining the FAQ or inflating the counters.
WINDOW_SECONDS = 600
QUERY_LIMIT = 120
EVENT_LIMIT = 240


def _throttled(request, scope, limit):
    return not throttle.hit(scope, throttle.client_address(request), limit=limit, window_seconds=WINDOW_SECONDS)


def entry_json(entry, score):
    # The answer was sanitized when the entry was saved (faq.sanitize).
    return {"id": entry.pk, "question": entry.question, "answer": entry.answer, "score": score}


@require_GET
def suggestions(request, slug):
    """The channel's best FAQ entries for ?q=, best first; none when nothing is relevant enough."""
    channel = get_object_or_404(Channel, slug=slug)
    with translation.override(channel.language):
        question = request.GET.get("q", "").strip()
        if not question:
            return error_response("invalid_query", _("Ask a question in the q parameter."))
        if len(question) > MAX_QUESTION_LENGTH:
            return error_response("invalid_query", _("The question is too long."))
        if _throttled(request, "faq", QUERY_LIMIT):
            return error_response("rate_limited", _("Too many questions from your address. Please try again later."), 429)
        if not channel.faq_enabled:
            return JsonResponse({"entries": [], "session": None})
        found = selectors.suggest(channel, question)
        session = services.record_suggestions(channel, entries=[entry for entry, _score in found]) if found else None
        return JsonResponse(
            {"entries": [entry_json(entry, score) for entry, score in found], "session": session.key if session else None}
        )


def _session_key(request):
    data = read_json_object(request)
    if data is None:
        return None
    key = data.get("session") or ""
    return key if isinstance(key, str) and len(key) <= 32 else None


def _entry_event(request, slug, entry_id, record):
    channel = get_object_or_404(Channel, slug=slug)
    with translation.override(channel.language):
        key = _session_key(request)
        if key is None:
            return error_response("invalid_json", _("The request is not valid JSON."))
        if _throttled(request, "faq-event", EVENT_LIMIT):
            return error_response("rate_limited", _("Too many requests from your address. Please try again later."), 429)
        entry = selectors.access_channel_entry(channel, entry_id) if channel.faq_enabled else None
        if entry is None:
            return error_response("unknown_entry", _("This FAQ entry does not exist."), 404)
        record(entry, channel=channel, session_key=key)
        return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def opened(request, slug, entry_id):
    """The customer opened the entry's answer."""
    return _entry_event(request, slug, entry_id, lambda entry, **_kwargs: services.record_opened(entry))


@csrf_exempt
@require_POST
def answered(request, slug, entry_id):
    """The customer says the entry answered the question: no chat needed."""
    return _entry_event(request, slug, entry_id, services.record_answered)
