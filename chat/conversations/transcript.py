"""
A chat's transcript as an e-mail: the channel's reply template (or the
standard text) filled with the customer, the agent, the channel, the date and
the conversation, in the customer's language and the channel's time zone. Customer and agent
text is plain text: in the HTML part it is escaped (requests_app.rendering).

Files of the chat are named in the conversation where they were sent, and go
along as attachments in the order sent while their total stays within
HELPDESK_TRANSCRIPT_ATTACHMENTS_MB; the others are listed after the
conversation by name and size, with a sentence that they can be had from the
chat (the widget keeps offering them to its customer).
"""

import zoneinfo

from django.conf import settings
from django.utils import formats, translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chat.configuration.opening_hours import zone_text
from chat.conversations.agents import display_name
from chat.conversations.file_checks import format_size
from chat.conversations.models import Attachment, MessageKind, Party
from chat.conversations.texts import customer_language
from faq.models import Entry
from faq.sanitize import answer_text
from requests_app.rendering import render, template_for


def _event_text(message, chat):
    params = message.params or {}
    if message.event in ("joined", "participant_joined"):
        return _("%(agent)s joined the chat.") % {"agent": params.get("agent", "")}
    if message.event == "participant_left":
        return _("%(agent)s left the chat.") % {"agent": params.get("agent", "")}
    if message.event == "ended":
        if params.get("by") == Party.CUSTOMER:
            return _("You ended the chat.")
        if params.get("by") == Party.AGENT:
            return _("%(agent)s ended the chat.") % {"agent": params.get("agent", "")}
        return _("The chat ended because the connection was lost for too long.")
    if message.event == "reopened":
        return _("You wrote again: the chat was reopened.")
    return ""


def _faq_text(message):
    """An FAQ entry the agent sent: its question, and its answer as text when the entry still exists."""
    question = (message.params or {}).get("question") or message.body
    entry = Entry.objects.filter(pk=(message.params or {}).get("entry_id")).first()
    text = _("FAQ entry: %(question)s") % {"question": question}
    return f"{text}\n{answer_text(entry.answer)}" if entry is not None else text


def file_text(params):
    """A file as the conversation names it: its name and size."""
    return _("File: %(name)s (%(size)s)") % {"name": params.get("name", ""), "size": format_size(params.get("size", 0))}


def transcript_files(chat):
    """
    (attached, listed): the chat's files that go along with the transcript,
    in the order they were sent while their total stays within the budget,
    and those that do not.
    """
    budget = int(settings.HELPDESK_TRANSCRIPT_ATTACHMENTS_MB * 1024 * 1024)
    attached, listed, total = [], [], 0
    for attachment in Attachment.objects.filter(chat=chat).order_by("created_at", "pk"):
        if total + attachment.size <= budget:
            attached.append(attachment)
            total += attachment.size
        else:
            listed.append(attachment)
    return attached, listed


def email_attachments(attachments):
    """The outbox's description of files to attach (infra.outbox.mail.queue_email)."""
    return [
        {"storage": "attachments", "path": a.file.name, "filename": a.name, "content_type": a.content_type}
        for a in attachments
    ]


def _not_attached_text(listed):
    if not listed:
        return ""
    lines = [_("These files are not attached because of their size; you can download them in the chat window:")]
    lines.extend(f"- {a.name} ({format_size(a.size)})" for a in listed)
    return "\n".join(lines)


def _not_attached_html(listed):
    if not listed:
        return ""
    return format_html(
        "<p>{}</p><ul>{}</ul>",
        _("These files are not attached because of their size; you can download them in the chat window:"),
        format_html_join("", "<li>{} ({})</li>", ((a.name, format_size(a.size)) for a in listed)),
    )


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
        elif message.kind == MessageKind.FAQ:
            entries.append((time, display_name(message.agent) or _("Agent"), _faq_text(message)))
        elif message.kind == MessageKind.FILE:
            agent_name = display_name(message.agent) or _("Agent")
            author = agent_name if message.author == Party.AGENT else chat.customer_name
            entries.append((time, author, file_text(message.params or {})))
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


def render_transcript(chat, *, not_attached=()):
    """(subject, text, html) of the chat's transcript e-mail; ``not_attached`` are files listed instead of attached."""
    channel = chat.channel
    with translation.override(customer_language(chat)):
        entries = conversation_entries(chat)
        zone = zoneinfo.ZoneInfo(channel.time_zone)
        started = chat.created_at.astimezone(zone)
        # The widget showed the customer's own clock; the e-mail says whose clock its times are.
        zone_note = zone_text(zone, chat.created_at)
        conversation = "\n\n".join(
            part for part in (zone_note, conversation_text(entries), _not_attached_text(not_attached)) if part
        )
        conversation_markup = format_html(
            "<p>{}</p>{}{}", zone_note, conversation_html(entries), _not_attached_html(not_attached)
        )
        values = {
            "customer_name": chat.customer_name,
            "customer_email": chat.customer_email,
            "agent": display_name(chat.agent),
            "channel": channel.name,
            "date": formats.date_format(started, "DATE_FORMAT"),
            "conversation": conversation,
        }
        template = template_for(channel.transcript_template, customer_language(chat), channel.language)
        subject, body = (template.subject, template.body) if template is not None else standard_template()
        return render(subject, body, values, {"conversation": str(conversation_markup)})
