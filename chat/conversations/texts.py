"""Customer-facing texts built on the server, in the customer's language (the chat's, else the channel's)."""

import re

from django.utils import translation
from django.utils.translation import gettext, ngettext

from chat.configuration.texts import channel_texts

# A short salutation that opens a welcome ("Hello!", "Guten Tag!"): the
# thanks for waiting follows it, as a person would say it.
SALUTATION = re.compile(r"^(\S+(?:[ \t]+\S+)?!)\s+(\S.*)$", re.DOTALL)


def customer_language(chat):
    """
    The language the widget spoke when the chat began, the channel's for a chat
    from before that was kept; without a region ("de-AT" reads "de").
    """
    return (chat.language or chat.channel.language).split("-")[0].lower()


def welcome_text(chat, *, waited=False):
    """
    What is posted in the agent's name when they take the chat: the channel's
    welcome message in the customer's language, with thanks for the wait only
    when the customer really waited (a thanks after no wait reads like a
    formula). "" when the channel has none.
    """
    language = customer_language(chat)
    welcome = channel_texts(chat.channel, language)["welcome_message"]
    if not welcome or not waited:
        return welcome
    with translation.override(language):
        thanks = gettext("Thank you for waiting.")
    opening = SALUTATION.match(welcome)
    if opening:
        return f"{opening[1]} {thanks} {opening[2]}"
    return f"{thanks} {welcome}"


def welcome_texts(chat):
    """Both forms of the chat's welcome, to tell it from an agent's own words (rules.transcript_available)."""
    return [text for text in {welcome_text(chat, waited=False), welcome_text(chat, waited=True)} if text]


def humanize_wait(seconds):
    if seconds is None:
        return gettext("not known yet")
    if seconds < 60:
        return gettext("less than a minute")
    minutes = round(seconds / 60)
    return ngettext("about %(count)d minute", "about %(count)d minutes", minutes) % {"count": minutes}


def queue_text(channel, *, position, wait_seconds, language=None, nobody_available=False):
    """
    The channel's queue message in ``language`` (default: the channel's) with
    its placeholders filled in. Plain replacement, not str.format: an
    administrator's text cannot reach attributes, and a stray brace does not
    break it. With nobody there who could take the chat, any estimate would
    be made up: the text says so instead, and what the customer can do.
    """
    language = language or channel.language
    with translation.override(language):
        if nobody_available:
            if channel.request_enabled:
                return gettext(
                    "No one is available right now. You can leave a request, and we will answer by e-mail, "
                    "or keep waiting."
                )
            return gettext(
                "No one is available right now. You are number %(position)d in the queue: "
                "please wait, or come back later."
            ) % {"position": position}
        template = channel_texts(channel, language)["queue_message"]
        if not template:
            template = (
                gettext("You are number {position} in the queue. We cannot estimate the wait yet.")
                if wait_seconds is None
                else gettext("You are number {position} in the queue. Estimated wait: {wait}.")
            )
        return template.replace("{position}", str(position)).replace("{wait}", humanize_wait(wait_seconds))
