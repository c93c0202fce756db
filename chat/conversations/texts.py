"""Customer-facing texts built on the server, in the customer's language (the chat's, else the channel's)."""

from django.utils import translation
from django.utils.translation import gettext, ngettext

from chat.configuration.texts import channel_texts


def customer_language(chat):
    """The language the widget spoke when the chat began; the channel's for a chat from before that was kept."""
    return chat.language or chat.channel.language


def welcome_text(chat):
    """The channel's welcome message in the customer's language, posted when an agent takes the chat; "" for none."""
    return channel_texts(chat.channel, customer_language(chat))["welcome_message"]


def humanize_wait(seconds):
    if seconds is None:
        return gettext("not known yet")
    if seconds < 60:
        return gettext("less than a minute")
    minutes = round(seconds / 60)
    return ngettext("about %(count)d minute", "about %(count)d minutes", minutes) % {"count": minutes}


def queue_text(channel, *, position, wait_seconds, language=None):
    """
    The channel's queue message in ``language`` (default: the channel's) with
    its placeholders filled in. Plain replacement, not str.format: an
    administrator's text cannot reach attributes, and a stray brace does not break it.
    """
    language = language or channel.language
    with translation.override(language):
        template = channel_texts(channel, language)["queue_message"] or gettext(
            "You are number {position} in the queue. Estimated wait: {wait}."
        )
        return template.replace("{position}", str(position)).replace("{wait}", humanize_wait(wait_seconds))
