"""
The figures of a channel's statistics for a period, each a database
aggregate over the channel's chats created in the period (the index
chat_statistics_idx): counts with filters, averages and percentiles of
durations in seconds, groups by day, agent, weekday and hour in the
channel's time zone. The definitions are in docs/statistics.md.

Percentiles: PostgreSQL's ``percentile_cont`` (ordered-set aggregates, with
FILTER); SQLite has none, so there each is read with ORDER BY ... LIMIT 2
OFFSET k, still in the database, and interpolated as percentile_cont does
(between the values at floor and ceil of p * (n - 1)), so both databases
give the same numbers.
"""

import contextlib
import math
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Aggregate, Avg, Count, F, FloatField, Func, Q
from django.db.models.functions import TruncDate, TruncHour

from chat.conversations.models import Chat, EndReason
from requests_app.models import Request

RATINGS = (1, 2, 3, 4, 5)
PERCENTILES = (("median", 0.5), ("p90", 0.9))


class Seconds(Func):
    """``end - start`` in seconds, as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        end, start = (compiler.compile(expression) for expression in self.source_expressions)
        sql = f"date_part('epoch', {end[0]} - {start[0]})"
        return sql, (*end[1], *start[1])

    def as_sqlite(self, compiler, connection, **extra_context):
        end, start = (compiler.compile(expression) for expression in self.source_expressions)
        return f"((julianday({end[0]}) - julianday({start[0]})) * 86400.0)", (*end[1], *start[1])


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of an expression: ``percentile_cont(p) WITHIN GROUP (ORDER BY x)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, fraction, **extra):
        # A float written into the SQL: the template's only value not from a column.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


# The three durations: (name, end, start). A chat counts in one once both ends are set.
DURATIONS = (
    ("wait", "accepted_at", "queued_at"),
    ("duration", "ended_at", "accepted_at"),
    ("first_response", "first_response_at", "accepted_at"),
)


# The statistics' groups and percentiles sort up to a year of a channel's
# chats; PostgreSQL's default work_mem (4 MB) sends those sorts to disk.
# Raised for the report's own transaction only (SET LOCAL).
REPORT_WORK_MEM = "64MB"


@contextlib.contextmanager
def reading():
    """One read-only transaction for a report's queries, with the memory its sorts need on PostgreSQL."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        yield


def chats_in(channel, period):
    return Chat.objects.filter(channel=channel, created_at__gte=period.start, created_at__lt=period.end)


def _has(end, start):
    return Q(**{f"{end}__isnull": False, f"{start}__isnull": False})


# What the counts count: created_at, never empty, rather than the id. The
# statistics' index (chat_statistics_idx) holds every column the figures read
# but the id, so PostgreSQL reads the index alone (an index-only scan), never
# the table. (COUNT(*) would do, but Django allows no filter on it.)
COUNTED = "created_at"


def _counts():
    return {
        "offered": Count(COUNTED),
        "answered": Count(COUNTED, filter=Q(accepted_at__isnull=False)),
        "missed": Count(COUNTED, filter=Q(end_reason=EndReason.LEFT_QUEUE)),
        "abandoned": Count(COUNTED, filter=Q(end_reason=EndReason.ABANDONED)),
    }


@dataclass
class Summary:
    offered: int = 0
    answered: int = 0
    missed: int = 0
    abandoned: int = 0
    requests: int = 0
    # {"wait": {"count": n, "average": s, "median": s, "p90": s}, ...}: seconds, None without chats.
    durations: dict = field(default_factory=dict)
    rating_count: int = 0
    rating_average: float | None = None
    ratings: dict = field(default_factory=dict)  # {1: n, ..., 5: n}


def summary(channel, period):
    """
    The period's counts, durations, percentiles and ratings: on PostgreSQL one
    aggregate query (one read of the index) with the percentiles in it; on
    SQLite the percentiles take a query each (_percentile_by_offset).
    """
    chats = chats_in(channel, period)
    postgres = connection.vendor == "postgresql"
    aggregates = _counts()
    if postgres:
        aggregates.update(_percentile_aggregates())
    for name, end, start in DURATIONS:
        aggregates[f"{name}_count"] = Count(COUNTED, filter=_has(end, start))
        aggregates[f"{name}_average"] = Avg(Seconds(F(end), F(start)), filter=_has(end, start))
    aggregates["rating_count"] = Count("rating")
    aggregates["rating_average"] = Avg("rating")
    for value in RATINGS:
        aggregates[f"rating_{value}"] = Count(COUNTED, filter=Q(rating=value))
    row = chats.aggregate(**aggregates)
    result = Summary(
        offered=row["offered"],
        answered=row["answered"],
        missed=row["missed"],
        abandoned=row["abandoned"],
        requests=Request.objects.filter(
            channel=channel, created_at__gte=period.start, created_at__lt=period.end
        ).count(),
        rating_count=row["rating_count"],
        rating_average=row["rating_average"],
        ratings={value: row[f"rating_{value}"] for value in RATINGS},
    )
    counts = {name: row[f"{name}_count"] for name, _end, _start in DURATIONS}
    if postgres:
        percentiles = {
            name: {label: row[f"{name}_{label}"] for label, _fraction in PERCENTILES} for name, _e, _s in DURATIONS
        }
    else:
        percentiles = _percentiles_by_offset(chats, counts)
    for name, _end, _start in DURATIONS:
        result.durations[name] = {"count": counts[name], "average": row[f"{name}_average"], **percentiles[name]}
    return result


def _percentile_aggregates():
    """PostgreSQL's percentiles of each duration, as aggregates: {"wait_median": ..., "wait_p90": ..., ...}."""
    return {
        f"{name}_{label}": PercentileCont(Seconds(F(end), F(start)), fraction, filter=_has(end, start))
        for name, end, start in DURATIONS
        for label, fraction in PERCENTILES
    }


def _percentiles_by_offset(chats, counts):
    """{duration: {"median": s, "p90": s}} on SQLite, None where no chat has the duration."""
    result = {}
    for name, end, start in DURATIONS:
        values = chats.filter(_has(end, start)).annotate(seconds=Seconds(F(end), F(start))).order_by("seconds")
        result[name] = {label: _percentile_by_offset(values, counts[name], fraction) for label, fraction in PERCENTILES}
    return result


def _percentile_by_offset(ordered, count, fraction):
    """percentile_cont from the ordered rows: the two values around p * (n - 1), read with OFFSET, interpolated."""
    if not count:
        return None
    position = fraction * (count - 1)
    lower = math.floor(position)
    values = list(ordered.values_list("seconds", flat=True)[lower : lower + 2])
    if len(values) == 1 or position == lower:
        return values[0]
    return values[0] + (values[1] - values[0]) * (position - lower)


def per_hour(channel, period):
    """
    {local hour (aware, in the channel's time zone): {"offered": n, ...}}: one
    GROUP BY over the period's chats, at most 24 groups a day. per_day and
    heat_map add these groups up (a few thousand at most in a year), so the
    chats are read once for both.
    """
    rows = (
        chats_in(channel, period)
        .annotate(hour=TruncHour("created_at", tzinfo=period.tz))
        .values("hour")
        .annotate(**_counts())
        .order_by()
    )
    return {row.pop("hour"): row for row in rows}


def per_day(channel, period, hours=None):
    """[(day, {"offered": n, "answered": n, "missed": n, "abandoned": n, "requests": n})] for every day of the period."""
    hours = per_hour(channel, period) if hours is None else hours
    days = {day: {"offered": 0, "answered": 0, "missed": 0, "abandoned": 0, "requests": 0} for day in period.days}
    for hour, counts in hours.items():
        day = days[hour.astimezone(period.tz).date()]
        for name, value in counts.items():
            day[name] += value
    requests = (
        Request.objects.filter(channel=channel, created_at__gte=period.start, created_at__lt=period.end)
        .annotate(day=TruncDate("created_at", tzinfo=period.tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in requests:
        days[row["day"]]["requests"] = row["n"]
    return list(days.items())


def heat_map(channel, period, hours=None):
    """Chats offered by weekday (0 = Monday ... 6) and hour (0-23) in the channel's time zone: a 7 x 24 list."""
    hours = per_hour(channel, period) if hours is None else hours
    cells = [[0] * 24 for _weekday in range(7)]
    for hour, counts in hours.items():
        local = hour.astimezone(period.tz)
        cells[local.weekday()][local.hour] += counts["offered"]
    return cells


def per_agent(channel, period):
    """[{"agent": name, "chats": n, "average_duration": s, "rating_average": r}], most chats first."""
    rows = list(
        chats_in(channel, period)
        .filter(agent__isnull=False)
        .values("agent_id")
        .annotate(
            chats=Count(COUNTED),
            average_duration=Avg(Seconds(F("ended_at"), F("accepted_at")), filter=_has("ended_at", "accepted_at")),
            rating_average=Avg("rating"),
        )
        .order_by()
    )
    # The names in a query of their own: joined into the one above, they would
    # be read for every chat instead of once per agent.
    users = get_user_model().objects.in_bulk([row["agent_id"] for row in rows])
    result = [
        {
            "agent": " ".join(filter(None, (user.first_name, user.last_name))) or user.get_username(),
            "chats": row["chats"],
            "average_duration": row["average_duration"],
            "rating_average": row["rating_average"],
        }
        for row in rows
        for user in (users[row["agent_id"]],)
    ]
    return sorted(result, key=lambda row: (-row["chats"], row["agent"]))
