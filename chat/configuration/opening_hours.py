"""
Whether a channel is within its opening hours, and its hours written out for
people. Hours are wall-clock times in the channel's time zone, so "08:00" is
08:00 there in winter and in summer; intervals may run past midnight, and
holidays and special dates replace a weekday's hours.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from infra.dates import zone_abbreviation

# How far ahead the closed view lists holidays and special dates.
UPCOMING_DAYS = 14


@dataclass(frozen=True)
class Interval:
    opens_at: time
    closes_at: time

    @property
    def past_midnight(self):
        return self.closes_at <= self.opens_at

    def bounds(self, day, zone):
        """The interval on ``day`` as two aware datetimes in UTC."""
        start = datetime.combine(day, self.opens_at, tzinfo=zone)
        end_day = day + timedelta(days=1) if self.past_midnight else day
        end = datetime.combine(end_day, self.closes_at, tzinfo=zone)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

    def __str__(self):
        return f"{self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class OpeningHours:
    """A channel's weekly hours and special dates, loaded once, asked many times."""

    def __init__(self, channel):
        self.zone = ZoneInfo(channel.time_zone)
        self.weekly = {weekday: [] for weekday in range(7)}
        for row in channel.opening_intervals.all():
            self.weekly[row.weekday].append(Interval(row.opens_at, row.closes_at))
        self.special = {}
        for row in channel.special_dates.all():
            entry = self.special.setdefault(row.date, {"names": [], "intervals": []})
            if row.name:
                entry["names"].append(row.name)
            if row.opens_at is not None and row.closes_at is not None:
                entry["intervals"].append(Interval(row.opens_at, row.closes_at))
        for intervals in self.weekly.values():
            intervals.sort(key=lambda interval: interval.opens_at)

    def intervals_on(self, day):
        """The intervals that start on ``day``: a special date's (none: closed) or the weekday's."""
        if day in self.special:
            return sorted(self.special[day]["intervals"], key=lambda interval: interval.opens_at)
        return self.weekly[day.weekday()]

    def is_open(self, at=None):
        at = at or timezone.now()
        local_day = at.astimezone(self.zone).date()
        # Yesterday's interval may run past midnight into today.
        for day in (local_day - timedelta(days=1), local_day):
            for interval in self.intervals_on(day):
                start, end = interval.bounds(day, self.zone)
                if start <= at < end:
                    return True
        return False

    def weekly_text(self):
        """'Mon–Fri 08:00–12:00, 13:00–17:00; Sat 10:00–14:00', in the active language."""
        groups = []  # [first weekday, last weekday, intervals]
        for weekday in range(7):
            intervals = self.weekly[weekday]
            if groups and groups[-1][2] == intervals and groups[-1][1] == weekday - 1:
                groups[-1][1] = weekday
            else:
                groups.append([weekday, weekday, intervals])
        parts = []
        for first, last, intervals in groups:
            if not intervals:
                continue
            days = str(WEEKDAYS_ABBR[first]) if first == last else f"{WEEKDAYS_ABBR[first]}–{WEEKDAYS_ABBR[last]}"
            parts.append(f"{days} {', '.join(str(interval) for interval in intervals)}")
        return "; ".join(parts)

    def upcoming_text(self, today):
        """Holidays and special dates of the coming days, one per line."""
        lines = []
        for day in sorted(d for d in self.special if today <= d <= today + timedelta(days=UPCOMING_DAYS)):
            entry = self.special[day]
            label = formats.date_format(day, "SHORT_DATE_FORMAT")
            names = ", ".join(entry["names"])
            if entry["intervals"]:
                hours = ", ".join(str(interval) for interval in entry["intervals"])
                text = _("%(date)s: %(hours)s") % {"date": label, "hours": hours}
            else:
                text = _("%(date)s: closed") % {"date": label}
            lines.append(f"{text} ({names})" if names else text)
        return lines

    def zone_text(self, at=None):
        return zone_text(self.zone, at)


def zone_text(zone, at=None):
    """ "Times in Europe/Berlin (CET).": whose clock a list of times shows (the widget's hours, a transcript)."""
    at = at or timezone.now()
    return _("Times in %(zone)s (%(abbreviation)s).") % {
        "zone": zone.key,
        "abbreviation": zone_abbreviation(at.astimezone(zone)),  # "MEZ" in German
    }


def today_in(zone, at=None):
    return (at or timezone.now()).astimezone(zone).date()


def describe(channel, at=None):
    """The hours for the closed view: weekly text, upcoming special dates, time zone."""
    hours = OpeningHours(channel)
    return {
        "weekly": hours.weekly_text(),
        "upcoming": hours.upcoming_text(today_in(hours.zone, at)),
        "zone": hours.zone_text(at),
    }
