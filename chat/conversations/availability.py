"""
Whether a customer can chat right now, decided on the server at every step:
within the opening hours (when the channel uses them) and at least one of its
agents present. Otherwise the widget shows the closed view.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from chat.configuration import opening_hours
from chat.configuration.texts import channel_texts
from chat.conversations import selectors


@dataclass(frozen=True)
class Availability:
    within_hours: bool
    agent_present: bool

    @property
    def open(self):
        return self.within_hours and self.agent_present


def availability(channel, at=None):
    within_hours = not channel.opening_hours_enabled or opening_hours.OpeningHours(channel).is_open(at)
    # Agents are counted only when it matters: outside the hours nobody chats.
    agent_present = within_hours and selectors.available_agent_count(channel) > 0
    return Availability(within_hours=within_hours, agent_present=agent_present)


def closed_view(channel, at=None, *, language=None):
    """What the widget shows when nobody can chat, in the customer's ``language`` (default: the channel's)."""
    language = language or channel.language
    with translation.override(language):
        view = {
            "message": channel_texts(channel, language)["closed_message"] or _("Sorry, we are closed."),
            "hours": opening_hours.describe(channel, at) if channel.opening_hours_enabled else None,
            "request": request_form_config(channel, language=language),
        }
    return view


def request_form_config(channel, *, language=None):
    """The request form's texts and extra fields in ``language`` (default: the channel's), or None when requests are off."""
    if not channel.request_enabled:
        return None
    language = language or channel.language
    texts = channel_texts(channel, language)
    with translation.override(language):
        return {
            "header": texts["request_header"] or _("Leave us a message"),
            "message": texts["request_message"]
            or _("Tell us your question and we will answer by e-mail as soon as we can."),
            "fields": [
                {"key": f.key, "label": f.label, "type": f.field_type, "required": f.required, "choices": f.choice_list}
                for f in channel.form_fields.filter(form="request")
            ],
        }
