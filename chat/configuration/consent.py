"""
The channel's consent checkbox (docs/privacy-widget.md): the privacy text the
widget shows beside it, in the widget's language, and the check that the
customer ticked it before a chat or a request starts.
"""

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from infra.errors import ClientError


class ConsentRequired(ClientError):
    code = "consent_required"
    message = gettext_lazy("Please agree to the privacy notice to continue.")


def consent_config(channel):
    """
    What the widget shows beside the checkbox, ``{"text", "link"}``, or None
    when the channel asks for no consent. The text is the one of the active
    language (the widget's), else the channel's, else any; without any, a
    default sentence in the active language.
    """
    if not channel.consent_enabled:
        return None
    texts = {text.language: text for text in channel.privacy_texts.all()}
    chosen = texts.get(get_language()) or texts.get(channel.language) or next(iter(texts.values()), None)
    if chosen is None:
        return {"text": _("I agree that my data is processed to answer my question."), "link": ""}
    return {"text": chosen.text, "link": chosen.link}


def consent_missing(channel, data):
    """Whether the channel asks for consent and ``data`` (a request's JSON body) does not give it."""
    return channel.consent_enabled and not (isinstance(data, dict) and data.get("consent") is True)
