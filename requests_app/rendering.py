"""
Reply templates rendered with documented placeholders only.

A placeholder is a name in braces, e.g. {customer_name}. Nothing else in a
template is code: no attribute access, no filters, no tags, so an
administrator's template can reach only the values offered here. In the HTML
part every value (and the template text itself) is escaped, so customer and
agent text can never become markup.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext_lazy as _

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# The placeholders each kind of template may use, with what they mean
# (shown in the admin next to the template).
PLACEHOLDERS = {
    "request_confirmation": {
        "customer_name": _("the customer's name"),
        "customer_email": _("the customer's e-mail address"),
        "request_id": _("the request ID, e.g. R-2026-00042"),
        "question": _("the customer's question"),
        "channel": _("the channel's name"),
        "date": _("the date and time of the request"),
    },
    "transcript": {
        "customer_name": _("the customer's name"),
        "customer_email": _("the customer's e-mail address"),
        "agent": _("the agent's name"),
        "channel": _("the channel's name"),
        "date": _("the date of the chat"),
        "conversation": _("every message of the chat with time and author"),
    },
}


def template_for(template, language, own_language):
    """
    The channel's e-mail template (or None) for a customer who reads
    ``language`` on a channel whose own language is ``own_language``: the
    template for the channel's own customers, as ever; for the others only
    when it is written in theirs; else None, the standard text in their language.
    """
    if template is None or language == own_language or template.language == language:
        return template
    return None


def unknown_placeholders(text, purpose):
    allowed = PLACEHOLDERS.get(purpose, {})
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in allowed})


def validate_template_text(text, purpose):
    unknown = unknown_placeholders(text, purpose)
    if unknown:
        raise ValidationError(
            _("Unknown placeholders: %(names)s. Allowed: %(allowed)s."),
            params={
                "names": ", ".join("{" + name + "}" for name in unknown),
                "allowed": ", ".join("{" + name + "}" for name in PLACEHOLDERS.get(purpose, {})),
            },
        )


def fill_text(text, values):
    """Plain text: each known placeholder replaced by its value, the rest left as written."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)


def fill_html(text, values, html_values=None):
    """
    HTML: the template text escaped, paragraphs from its blank lines, and each
    placeholder replaced by its escaped value (or a ready-made safe fragment
    from ``html_values``, e.g. the conversation as a list).
    """
    html_values = html_values or {}

    def replace(match):
        name = match.group(1)
        if name in html_values:
            return html_values[name]
        if name in values:
            return escape(str(values[name])).replace("\n", "<br>")
        return escape(match.group(0))

    paragraphs = linebreaks(escape(text))
    # escape() leaves braces alone, so placeholders survive it.
    return PLACEHOLDER.sub(replace, paragraphs)


def render(template_subject, template_body, values, html_values=None):
    """(subject, text, html) of an e-mail; the subject is one line."""
    subject = " ".join(fill_text(template_subject, values).split())
    return subject, fill_text(template_body, values), fill_html(template_body, values, html_values)
