"""Changing FAQ data from the widget: counting suggestions, opened answers and answered questions."""

from django.db import transaction
from django.db.models import F

from faq.models import Entry, SuggestionOutcome, SuggestionSession


@transaction.atomic
def record_suggestions(channel, *, entries):
    """Count one showing of these entries and open a session; returns the session."""
    Entry.objects.filter(pk__in=[entry.pk for entry in entries]).update(suggested_count=F("suggested_count") + 1)
    return SuggestionSession.objects.create(channel=channel, key=SuggestionSession.new_key(), shown_count=len(entries))


def record_opened(entry):
    Entry.objects.filter(pk=entry.pk).update(opened_count=F("opened_count") + 1)


@transaction.atomic
def record_answered(entry, *, channel, session_key=""):
    """
    Count the entry as the answer. The session of the suggestion, when given,
    is marked answered once: a second click does not count the chat twice.
    """
    session = None
    if session_key:
        session = SuggestionSession.objects.select_for_update().filter(channel=channel, key=session_key).first()
        if session is not None and session.outcome == SuggestionOutcome.ANSWERED:
            return False
    Entry.objects.filter(pk=entry.pk).update(answered_count=F("answered_count") + 1)
    if session is not None:
        session.outcome = SuggestionOutcome.ANSWERED
        session.answered_entry = entry
        session.save(update_fields=["outcome", "answered_entry"])
    return True
