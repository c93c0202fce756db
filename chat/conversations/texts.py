"""Customer-facing texts built on the server, in the channel's language."""

import re

from django.utils import translation
from django.utils.translation import gettext, ngettext

# A short salutation that opens a welcome ("Hello!", "Guten Tag!"): the
# thanks for waiting follows it, as a person would say it.
SALUTATION = re.compile(r"^(\S+(?:[ \t]+\S+)?!)\s+(\S.*)$", re.DOTALL)


def humanize_wait(seconds):
    if seconds is None:
        return gettext("not known yet")
    if seconds < 60:
        return gettext("less than a minute")
    minutes = round(seconds / 60)
    return ngettext("about %(count)d minute", "about %(count)d minutes", minutes) % {"count": minutes}


def queue_text(channel, *, position, wait_seconds, nobody_available=False):
    """
    The channel's queue message with its placeholders filled in. Plain
    replacement, not str.format: an administrator's text cannot reach
    attributes, and a stray brace does not break it. With nobody there who
    could take the chat, any estimate would be made up: the text says so
    instead, and what the customer can do.
    """
    with translation.override(channel.language):
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
        template = channel.queue_message.strip()
        if not template:
            template = (
                gettext("You are number {position} in the queue. We cannot estimate the wait yet.")
                if wait_seconds is None
                else gettext("You are number {position} in the queue. Estimated wait: {wait}.")
            )
        return template.replace("{position}", str(position)).replace("{wait}", humanize_wait(wait_seconds))


def welcome_text(channel, *, waited):
    """
    What is posted in the agent's name when they take the chat: the channel's
    welcome, with thanks for the wait only when the customer really waited
    (a thanks after no wait reads like a formula). Empty when the channel has none.
    """
    welcome = channel.welcome_message.strip()
    if not welcome or not waited:
        return welcome
    with translation.override(channel.language):
        thanks = gettext("Thank you for waiting.")
    opening = SALUTATION.match(welcome)
    if opening:
        return f"{opening[1]} {thanks} {opening[2]}"
    return f"{thanks} {welcome}"


def welcome_texts(channel):
    """Both forms of the channel's welcome, to tell it from an agent's own words (rules.transcript_available)."""
    return [text for text in {welcome_text(channel, waited=False), welcome_text(channel, waited=True)} if text]
