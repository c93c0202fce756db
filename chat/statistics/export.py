"""The CSV export of a report: the period's header row, then each figure as a section of its own rows."""

import csv
import io

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from chat.statistics import figures
from chat.statistics.report import Report

# A spreadsheet runs a cell that begins with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value):
    """A name as a cell: one that a spreadsheet would take for a formula is quoted (CSV injection)."""
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _number(value, digits=1):
    return "" if value is None else f"{value:.{digits}f}"


def report_csv(report: Report):
    """The CSV text. Durations in seconds, so that a spreadsheet can compute with them."""
    out = io.StringIO()
    writer = csv.writer(out)
    summary = report.summary
    writer.writerow(
        [_("Channel"), _text(report.channel.name), _("From"), report.period.first.isoformat(), _("To"),
         report.period.last.isoformat(), _("Time zone"), report.channel.time_zone]
    )  # fmt: skip
    writer.writerow([])
    writer.writerow([_("Figure"), _("Value")])
    for label, value in (
        (_("Chats offered"), summary.offered),
        (_("Chats answered"), summary.answered),
        (_("Chats missed (left the queue)"), summary.missed),
        (_("Chats abandoned (the customer was gone)"), summary.abandoned),
        (_("Requests"), summary.requests),
        (_("Ratings"), summary.rating_count),
        (_("Average rating"), _number(summary.rating_average, 2)),
    ):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow([_("Time"), _("Chats"), _("Average (s)"), _("Median (s)"), _("90th percentile (s)")])
    for name, label in (
        ("wait", _("Wait")),
        ("duration", _("Chat duration")),
        ("first_response", _("First response")),
    ):
        values = summary.durations[name]
        writer.writerow(
            [label, values["count"], _number(values["average"]), _number(values["median"]), _number(values["p90"])]
        )
    writer.writerow([])
    writer.writerow([_("Rating"), _("Chats")])
    for value in figures.RATINGS:
        writer.writerow([value, summary.ratings[value]])
    writer.writerow([])
    writer.writerow([_("Day"), _("Offered"), _("Answered"), _("Missed"), _("Abandoned"), _("Requests")])
    for day, counts in report.days:
        writer.writerow(
            [day.isoformat(), counts["offered"], counts["answered"], counts["missed"], counts["abandoned"],
             counts["requests"]]
        )  # fmt: skip
    writer.writerow([])
    writer.writerow([_("Agent"), _("Chats"), _("Average duration (s)"), _("Average rating")])
    for row in report.agents:
        writer.writerow(
            [_text(row["agent"]), row["chats"], _number(row["average_duration"]), _number(row["rating_average"], 2)]
        )
    writer.writerow([])
    writer.writerow([_("Hour"), _("Agents present (average)")])
    for hour, value in enumerate(report.present):
        writer.writerow([f"{hour:02d}:00", _number(value, 2)])
    writer.writerow([])
    writer.writerow([_("Chats offered by weekday and hour"), *(f"{hour:02d}" for hour in range(24))])
    for weekday, row in enumerate(report.heat):
        writer.writerow([str(WEEKDAYS[weekday]), *row])  # Monday is 0
    return out.getvalue()
