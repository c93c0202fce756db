"""
Agents present over the day: for each hour of the day (0-23, in the
channel's time zone), how many of the channel's agents were present in that
hour on average over the period's days, from their presence periods
(chat.conversations.models.PresencePeriod). An agent of two channels counts
in both: a period belongs to the agent, not to a channel.

The periods are read with one query and clipped to hours here, in Python:
they are few (agents x sessions, a few thousand a year, where chats are a
million), and spreading a period over the hours it touches is arithmetic on
two numbers per period, which SQL would do with a generated series of every
hour of the period joined to the periods. A period whose UTC offset is the
same at both ends (nearly all) is spread with integer arithmetic; one across
a change of summer time walks its hours one by one.
"""

from datetime import UTC, timedelta

from django.db.models import Q
from django.utils import timezone

from chat.conversations.models import PresencePeriod

HOUR = 3600


def present_per_hour(channel, period, now=None):
    """[24 floats]: agents present in each hour of the day, averaged over the period's days."""
    now = now or timezone.now()
    start, end = period.start, min(period.end, now)
    seconds = [0.0] * 24
    if end <= start:
        return seconds
    periods = (
        PresencePeriod.objects.filter(agent__channel_memberships__channel=channel, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .values_list("started_at", "ended_at")
    )
    for began, ended in periods:
        _spread(max(began, start), min(ended or now, end), period.tz, seconds)
    days = len(period.days)
    return [total / HOUR / days for total in seconds]


def _spread(began, ended, tz, seconds):
    """Add the seconds from ``began`` to ``ended`` to the hours of the day they fall in, in ``tz``."""
    if ended <= began:
        return
    offset = began.astimezone(tz).utcoffset()
    if ended.astimezone(tz).utcoffset() != offset:
        _spread_hour_by_hour(began, ended, tz, seconds)
        return
    # Seconds on the local clock since the epoch: hours of the day are whole multiples of HOUR.
    shift = int(offset.total_seconds())
    first = int(began.timestamp()) + shift
    last = int(ended.timestamp()) + shift
    at = first
    while at < last:
        boundary = (at // HOUR + 1) * HOUR
        seconds[(at // HOUR) % 24] += min(boundary, last) - at
        at = boundary


def _spread_hour_by_hour(began, ended, tz, seconds):
    at = began
    while at < ended:
        local = at.astimezone(tz)
        hour_start = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        boundary = min(hour_start + timedelta(hours=1), ended)
        seconds[local.hour] += (boundary - at).total_seconds()
        at = boundary
