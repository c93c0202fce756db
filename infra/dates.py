"""
Dates, times and durations as people read them, for the admin (and the
zone's name for the customer's texts): in the time zone where they happened
(a channel's, where one is known, else the server's), in the active
language, with the zone named ("3. Dezember 2026, 09:40 MEZ"), and durations
as "2 min 5 s". Django's own display of a timestamp uses the server's zone
and names none, which misleads whoever looks after a channel in another zone.
"""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

# What is shown for a time or duration that is not there (yet).
EMPTY = "—"

# Abbreviations that read differently in German ("MEZ"); zoneinfo knows the English ones only.
ZONE_ABBREVIATIONS = {
    "CET": pgettext_lazy("time zone abbreviation: Central European Time", "CET"),
    "CEST": pgettext_lazy("time zone abbreviation: Central European Summer Time", "CEST"),
    "EET": pgettext_lazy("time zone abbreviation: Eastern European Time", "EET"),
    "EEST": pgettext_lazy("time zone abbreviation: Eastern European Summer Time", "EEST"),
    "WET": pgettext_lazy("time zone abbreviation: Western European Time", "WET"),
    "WEST": pgettext_lazy("time zone abbreviation: Western European Summer Time", "WEST"),
}


def zone_or_default(time_zone):
    """The ZoneInfo named ``time_zone``, else (none given, or one unknown here) the server's."""
    try:
        return zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def zone_abbreviation(moment):
    """The zone of the aware ``moment`` as it is abbreviated there and then, in the active language."""
    name = moment.tzname()
    return str(ZONE_ABBREVIATIONS.get(name, name))


def local_datetime(value, time_zone=None):
    """
    The aware datetime ``value`` in ``time_zone`` (a zone's name; None: the
    server's), e.g. "Dec. 3, 2026, 09:40 CET": the date in Django's format of
    the active language, the time on the 24-hour clock as everywhere else in
    the product (opening hours, transcripts), the zone's abbreviation then.
    """
    if value is None:
        return EMPTY
    local = value.astimezone(zone_or_default(time_zone))
    return _("%(date)s, %(time)s %(zone)s") % {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": formats.time_format(local, "H:i"),
        "zone": zone_abbreviation(local),
    }


def duration_text(value):
    """A timedelta or a number of seconds as "1 h 5 min", "2 min 5 s" or "45 s"; None as EMPTY."""
    if value is None:
        return EMPTY
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)d s") % {"seconds": seconds}


def datetime_column(model, field, *, zone_of=None):
    """
    An admin column (for list_display or readonly_fields, as an attribute of
    the ModelAdmin or inline) showing ``model``'s ``field`` with
    local_datetime, in the zone ``zone_of(obj)`` names (None: the server's).
    Headed and sorted like the field itself. Its attribute needs a name other
    than the field's: the admin looks up a model field first.
    """

    def column(model_admin, obj):
        return local_datetime(getattr(obj, field), zone_of(obj) if zone_of is not None else None)

    column.short_description = model._meta.get_field(field).verbose_name
    column.admin_order_field = field
    column.__name__ = f"{field}_local"
    return column
