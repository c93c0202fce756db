"""
A chat's transcript as an e-mail: the channel's reply template (or the
standard text) filled with the customer, the agent, the channel, the date and
the conversation, in the channel's language and time zone. Customer and agent
text is plain text: in the HTML part it is escaped (requests_app.rendering).
"""

import zoneinfo

from django.utils import formats, translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chat.conversations.agents import display_name
from chat.conversations.models import MessageKind, Party
from requests_app.rendering import render


def _event_text(message, chat):
    params = message.params or {}
    if message.event == "joined":
        return _("%(agent)s joined the chat.") % {"agent": params.get("agent", "")}
    if message.event == "ended":
        if params.get("by") == Party.CUSTOMER:
            return _("You ended the chat.")
        if params.get("by") == Party.AGENT:
            return _("%(agent)s ended the chat.") % {"agent": params.get("agent", "")}
        return _("The chat ended because the connection was lost for too long.")
    if message.event == "reopened":
        return _("You wrote again: the chat was reopened.")
    return ""


def conversation_entries(chat):
    """(time, author, text) for each entry of the log in order; events have no author."""
    zone = zoneinfo.ZoneInfo(chat.channel.time_zone)
    entries = []
    for message in chat.messages.select_related("agent").order_by("seq"):
        time = formats.time_format(message.created_at.astimezone(zone), "H:i")
        if message.kind == MessageKind.EVENT:
            text = _event_text(message, chat)
            if text:
                entries.append((time, "", text))
        elif message.author == Party.AGENT:
            entries.append((time, display_name(message.agent) or _("Agent"), message.body))
        else:
            entries.append((time, chat.customer_name, message.body))
    return entries


def conversation_text(entries):
    lines = []
    for time, author, text in entries:
        if not author:
            lines.append(f"[{time}] — {text}")
            continue
        first, *rest = text.splitlines() or [""]
        lines.append(f"[{time}] {author}: {first}")
        # Later lines of a message are indented so that they cannot pass for a new entry.
        lines.extend(f"    {line}" for line in rest)
    return "\n".join(lines)


def conversation_html(entries):
    rows = []
    for time, author, text in entries:
        body = mark_safe(escape(text).replace("\n", "<br>"))
        if author:
            rows.append(format_html("<li><time>{}</time> <strong>{}</strong>: {}</li>", time, author, body))
        else:
            rows.append(format_html("<li><time>{}</time> <em>{}</em></li>", time, body))
    return format_html(
        '<ol style="list-style:none;padding:0;margin:1em 0">{}</ol>',
        format_html_join("", "{}", ((row,) for row in rows)),
    )


def standard_template():
    """Subject and body used when the channel names no transcript template (in the active language)."""
    return (
        _("Your chat with {channel} on {date}"),
        _(
            "Hello {customer_name},\n\n"
            "here is the transcript of your chat with {channel} on {date}.\n\n"
            "{conversation}\n\n"
            "Thank you for contacting us."
        ),
    )


def render_transcript(chat):
    """(subject, text, html) of the chat's transcript e-mail."""
    channel = chat.channel
    with translation.override(channel.language):
        entries = conversation_entries(chat)
        zone = zoneinfo.ZoneInfo(channel.time_zone)
        started = chat.created_at.astimezone(zone)
        values = {
            "customer_name": chat.customer_name,
            "customer_email": chat.customer_email,
            "agent": display_name(chat.agent),
            "channel": channel.name,
            "date": formats.date_format(started, "DATE_FORMAT"),
            "conversation": conversation_text(entries),
        }
        template = channel.transcript_template
        subject, body = (template.subject, template.body) if template is not None else standard_template()
        return render(subject, body, values, {"conversation": str(conversation_html(entries))})
