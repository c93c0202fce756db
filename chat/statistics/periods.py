"""The period a statistics page shows: whole days in the channel's time zone, from the first to the last."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

TODAY = "today"
LAST_7_DAYS = "7d"
LAST_30_DAYS = "30d"
CUSTOM = "custom"
PERIOD_DAYS = {TODAY: 1, LAST_7_DAYS: 7, LAST_30_DAYS: 30}

# A custom period longer than this is no statistics anyone reads day by day,
# and it bounds what one page may make the database read.
MAX_DAYS = 366
# The dates a custom period may use: any the helpdesk can have data for, and
# far from the ends of the calendar, where a day's end would overflow.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    """Days ``first`` to ``last`` (both included) in ``tz``; ``start`` and ``end`` (excluded) are the instants."""

    first: date
    last: date
    tz: ZoneInfo

    @property
    def start(self):
        return datetime.combine(self.first, time(), tzinfo=self.tz)

    @property
    def end(self):
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=self.tz)

    @property
    def days(self):
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def channel_zone(channel):
    return ZoneInfo(channel.time_zone)


def local_today(channel, now=None):
    return (now or timezone.now()).astimezone(channel_zone(channel)).date()


def last_days(channel, days, now=None):
    """The last ``days`` days up to and including today, in the channel's time zone."""
    today = local_today(channel, now)
    return Period(first=today - timedelta(days=days - 1), last=today, tz=channel_zone(channel))


def between(channel, first, last):
    return Period(first=first, last=last, tz=channel_zone(channel))
