"""Customer-facing texts built on the server, in the channel's language."""

from django.utils import translation
from django.utils.translation import gettext, ngettext


def humanize_wait(seconds):
    if seconds is None:
        return gettext("not known yet")
    if seconds < 60:
        return gettext("less than a minute")
    minutes = round(seconds / 60)
    return ngettext("about %(count)d minute", "about %(count)d minutes", minutes) % {"count": minutes}


def queue_text(channel, *, position, wait_seconds):
    """
    The channel's queue message with its placeholders filled in. Plain
    replacement, not str.format: an administrator's text cannot reach
    attributes, and a stray brace does not break it.
    """
    with translation.override(channel.language):
        template = channel.queue_message.strip() or gettext(
            "You are number {position} in the queue. Estimated wait: {wait}."
        )
        return template.replace("{position}", str(position)).replace("{wait}", humanize_wait(wait_seconds))
