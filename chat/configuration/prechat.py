"""Validating the pre-chat form against a channel's fields, with translated errors per field."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from chat.configuration import emailcheck
from chat.configuration.models import FieldType

MAX_NAME_LENGTH = 100
MAX_TEXT_LENGTH = 200
MAX_LONG_TEXT_LENGTH = 2000
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()/.\-]{5,30}$")


@dataclass
class PrechatResult:
    name: str = ""
    email: str = ""
    email_verified: bool = True
    form_data: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)

    @property
    def valid(self):
        return not self.errors


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _check_extra_field(form_field, raw, result):
    """Validate one configured field; append its value or record an error."""
    if form_field.field_type == FieldType.CHECKBOX:
        value = raw is True or raw in ("on", "true", "1")
        if form_field.required and not value:
            result.errors[form_field.key] = _("Please tick this box to continue.")
            return
    else:
        value = _text(raw)
        if not value:
            if form_field.required:
                result.errors[form_field.key] = _("This field is required.")
                return
        elif form_field.field_type == FieldType.LONG_TEXT and len(value) > MAX_LONG_TEXT_LENGTH:
            result.errors[form_field.key] = _("Please use at most %(max)d characters.") % {"max": MAX_LONG_TEXT_LENGTH}
            return
        elif form_field.field_type != FieldType.LONG_TEXT and len(value) > MAX_TEXT_LENGTH:
            result.errors[form_field.key] = _("Please use at most %(max)d characters.") % {"max": MAX_TEXT_LENGTH}
            return
        elif form_field.field_type == FieldType.PHONE and not PHONE_PATTERN.match(value):
            result.errors[form_field.key] = _("Enter a phone number, e.g. +49 30 1234567.")
            return
        elif form_field.field_type == FieldType.EMAIL and emailcheck.normalize_syntax(value) is None:
            result.errors[form_field.key] = _("Enter a valid e-mail address, e.g. name@example.com.")
            return
        elif form_field.field_type == FieldType.CHOICE and value not in form_field.choice_list:
            result.errors[form_field.key] = _("Choose one of the options.")
            return
    result.form_data.append({"key": form_field.key, "label": form_field.label, "value": value})


async def validate_prechat(channel_fields, data):
    """
    Check name, e-mail (syntax and domain) and the channel's fields. Must be
    called with the channel's language active; ``channel_fields`` is a list.
    """
    result = PrechatResult()
    if not isinstance(data, dict):
        data = {}
    result.name = _text(data.get("name"))
    if not result.name:
        result.errors["name"] = _("Please enter your name.")
    elif len(result.name) > MAX_NAME_LENGTH:
        result.errors["name"] = _("Please use at most %(max)d characters.") % {"max": MAX_NAME_LENGTH}
    extra = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    for form_field in channel_fields:
        _check_extra_field(form_field, extra.get(form_field.key), result)
    email = _text(data.get("email"))
    if not email:
        result.errors["email"] = _("Please enter your e-mail address.")
    else:
        verdict, normalized, message = await emailcheck.check_email(email)
        if message is not None:
            result.errors["email"] = str(message)
        result.email = normalized
        result.email_verified = verdict == emailcheck.Verdict.VERIFIED
    return result
