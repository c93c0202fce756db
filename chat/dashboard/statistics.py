"""
The managers' statistics page (/agent/statistics/): a channel and a period
picked with a GET form, the figures as charts with their tables, the same as
CSV (?format=csv), and the live numbers as JSON for the page's script.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from chat.dashboard.strings import statistics_strings
from chat.statistics import charts, figures, periods
from chat.statistics.access import access_managed_channel, managed_channels
from chat.statistics.export import report_csv
from chat.statistics.live import live_numbers
from chat.statistics.report import build_report, duration_text

# How often the page asks for the live numbers: as fresh as the queue's own
# heartbeat (chat.conversations.agents.HEARTBEAT_SECONDS) makes them.
LIVE_REFRESH_SECONDS = 5


class StatisticsForm(forms.Form):
    channel = forms.TypedChoiceField(label=gettext_lazy("Channel"), coerce=int)
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=[
            (periods.TODAY, gettext_lazy("Today")),
            (periods.LAST_7_DAYS, gettext_lazy("Last 7 days")),
            (periods.LAST_30_DAYS, gettext_lazy("Last 30 days")),
            (periods.CUSTOM, gettext_lazy("From … to …")),
        ],
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, channels):
        super().__init__(data)
        self.fields["channel"].choices = [(channel.pk, channel.name) for channel in channels]

    def clean(self):
        values = super().clean()
        if values.get("period") != periods.CUSTOM:
            return values
        first, last = values.get("date_from"), values.get("date_to")
        if any(day is not None and not periods.EARLIEST <= day <= periods.LATEST for day in (first, last)):
            raise forms.ValidationError(
                _("Enter dates from %(first)s to %(last)s.")
                % {"first": periods.EARLIEST.year, "last": periods.LATEST.year},
                code="dates_out_of_range",
            )
        if first is None or last is None:
            raise forms.ValidationError(_("Enter both dates of the period."), code="dates_missing")
        if first > last:
            raise forms.ValidationError(_("The first day comes after the last."), code="dates_reversed")
        if (last - first).days + 1 > periods.MAX_DAYS:
            raise forms.ValidationError(
                _("A period may be at most %(days)s days long.") % {"days": periods.MAX_DAYS}, code="too_long"
            )
        return values


def _period(channel, values):
    if values["period"] == periods.CUSTOM:
        return periods.between(channel, values["date_from"], values["date_to"])
    return periods.last_days(channel, periods.PERIOD_DAYS[values["period"]])


@require_GET
@login_required
def statistics_page(request):
    channels = list(managed_channels(request.user))
    if not channels:
        return render(request, "agent/statistics_forbidden.html", status=403)
    data = request.GET.copy()
    data.setdefault("channel", str(channels[0].pk))
    data.setdefault("period", periods.LAST_7_DAYS)
    if data["channel"].isdigit() and access_managed_channel(request.user, int(data["channel"])) is None:
        raise Http404()  # another channel's statistics look like no page at all
    form = StatisticsForm(data, channels=channels)
    context = {"form": form}
    if form.is_valid():
        channel = next(c for c in channels if c.pk == form.cleaned_data["channel"])
        report = build_report(channel, _period(channel, form.cleaned_data))
        if request.GET.get("format") == "csv":
            return _csv_response(report)
        context.update(_page(report))
        context.update(_live(channel))
        export = data.copy()
        export["format"] = "csv"
        context["csv_url"] = "?" + export.urlencode()
    return render(request, "agent/statistics.html", context)


def _csv_response(report):
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    name = f"statistics-{report.channel.slug}-{report.period.first}-{report.period.last}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _page(report):
    """What the template draws: the report, its figures formatted, and the charts' geometry."""
    summary = report.summary
    days = report.days
    durations = [
        (label, summary.durations[name], {key: duration_text(summary.durations[name][key]) for key in ("average", "median", "p90")})
        for name, label in (("wait", _("Wait")), ("duration", _("Chat duration")), ("first_response", _("First response")))
    ]  # fmt: skip
    day_label = "j M" if len(days) > 1 else "D"
    return {
        "report": report,
        "channel": report.channel,
        "period": report.period,
        "summary": summary,
        "durations": durations,
        "days": days,
        "day_chart": charts.bar_chart([(day, counts["offered"]) for day, counts in days]),
        "day_label": day_label,
        "rating_chart": charts.row_chart(
            [(_("%(stars)s of 5") % {"stars": value}, summary.ratings[value]) for value in reversed(figures.RATINGS)]
        ),
        "agent_chart": charts.row_chart([(row["agent"], row["chats"]) for row in report.agents]),
        "present_chart": charts.bar_chart([(f"{hour:02d}", value) for hour, value in enumerate(report.present)]),
        "present_rows": [(f"{hour:02d}:00", number_format(value, 1)) for hour, value in enumerate(report.present)],
        "agent_rows": [
            {
                "agent": row["agent"],
                "chats": row["chats"],
                "duration": duration_text(row["average_duration"]),
                "rating": "–" if row["rating_average"] is None else number_format(row["rating_average"], 1),
            }
            for row in report.agents
        ],
        "heat_map": charts.heat_map(report.heat),
        "heat_rows": [(str(WEEKDAYS[weekday]), row) for weekday, row in enumerate(report.heat)],
        "hours": [f"{hour:02d}" for hour in range(24)],
        "weekday_labels": [str(WEEKDAYS[weekday])[:2] for weekday in range(7)],
    }


def _live(channel):
    numbers = live_numbers(channel)
    return {
        "live": numbers,
        "live_longest": duration_text(numbers["longest_wait_seconds"]),
        "live_config": {
            "url": reverse("agent:statistics-live") + f"?channel={channel.pk}",
            "refreshSeconds": LIVE_REFRESH_SECONDS,
            "strings": statistics_strings(),
        },
    }


@require_GET
def live(request):
    """The live numbers of a channel the user manages, as JSON: {waiting, longest_wait_seconds, agents_present, active_chats}."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": {"code": "not_logged_in", "message": _("Please log in.")}}, status=403)
    channel_id = request.GET.get("channel", "")
    channel = access_managed_channel(request.user, int(channel_id)) if channel_id.isdigit() else None
    if channel is None:
        return JsonResponse(
            {"error": {"code": "unknown_channel", "message": _("There is no such channel.")}}, status=404
        )
    return JsonResponse(live_numbers(channel))
