"""All figures of one channel and period, read together: what the page, its charts and the CSV show."""

from dataclasses import dataclass

from chat.statistics import attendance, figures


@dataclass(frozen=True)
class Report:
    channel: object
    period: object
    summary: figures.Summary
    days: list  # [(date, {"offered": n, ...})]
    agents: list  # [{"agent": name, "chats": n, ...}]
    present: list  # [24 floats]
    heat: list  # 7 x 24


def build_report(channel, period, now=None):
    with figures.reading():
        hours = figures.per_hour(channel, period)
        return Report(
            channel=channel,
            period=period,
            summary=figures.summary(channel, period),
            days=figures.per_day(channel, period, hours),
            agents=figures.per_agent(channel, period),
            present=attendance.present_per_hour(channel, period, now=now),
            heat=figures.heat_map(channel, period, hours),
        )


def duration_text(seconds):
    """A duration as people read it on a clock: 0:42, 12:05, 1:02:09; a dash for none."""
    if seconds is None:
        return "–"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
