"""Dates, times and durations as people read them (infra.dates): the zone where they happened, named, in their language."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from infra.dates import EMPTY, duration_text, local_datetime, zone_abbreviation

WINTER = datetime(2026, 12, 3, 8, 40, tzinfo=UTC)
SUMMER = datetime(2026, 7, 3, 8, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    "language, moment, zone, shown",
    [
        ("en", WINTER, "Europe/Berlin", "Dec. 3, 2026, 09:40 CET"),
        ("de", WINTER, "Europe/Berlin", "3. Dezember 2026, 09:40 MEZ"),
        # Summer time: an hour more, and the zone says so.
        ("en", SUMMER, "Europe/Berlin", "July 3, 2026, 10:40 CEST"),
        ("de", SUMMER, "Europe/Berlin", "3. Juli 2026, 10:40 MESZ"),
        # Another zone, another day.
        ("en", datetime(2026, 12, 3, 23, 30, tzinfo=UTC), "Asia/Tokyo", "Dec. 4, 2026, 08:30 JST"),
        ("de", WINTER, "America/New_York", "3. Dezember 2026, 03:40 EST"),
        ("de", WINTER, "Europe/Helsinki", "3. Dezember 2026, 10:40 OEZ"),
        ("en", WINTER, "UTC", "Dec. 3, 2026, 08:40 UTC"),
    ],
)
def test_a_moment_reads_in_its_zone_and_language_with_the_zone_named(language, moment, zone, shown):
    with translation.override(language):
        assert local_datetime(moment, zone) == shown


def test_the_hour_that_daylight_saving_time_repeats_is_told_apart_by_the_zones_name():
    # 25 October 2026: 02:30 in Berlin happens twice, first in summer time, then in winter time.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = first + timedelta(hours=1)
    with translation.override("en"):
        assert local_datetime(first, "Europe/Berlin") == "Oct. 25, 2026, 02:30 CEST"
        assert local_datetime(second, "Europe/Berlin") == "Oct. 25, 2026, 02:30 CET"


def test_without_a_zone_or_with_an_unknown_one_the_servers_zone_is_used(settings):
    settings.TIME_ZONE = "Europe/London"
    with translation.override("en"):
        assert local_datetime(WINTER) == "Dec. 3, 2026, 08:40 GMT"
        assert local_datetime(SUMMER, "Mars/Olympus_Mons") == "July 3, 2026, 09:40 BST"
        assert local_datetime(None, "Europe/Berlin") == EMPTY


def test_the_abbreviation_of_a_zone_without_a_german_one_stays_as_it_is():
    with translation.override("de"):
        assert zone_abbreviation(WINTER.astimezone(ZoneInfo("Asia/Tokyo"))) == "JST"


@pytest.mark.parametrize(
    "language, value, shown",
    [
        ("en", 125, "2 min 5 s"),
        ("en", timedelta(seconds=45.4), "45 s"),
        ("en", timedelta(hours=1, minutes=2, seconds=59), "1 h 2 min"),
        ("en", timedelta(minutes=3), "3 min 0 s"),
        ("en", -3, "0 s"),
        ("de", 125, "2 Min. 5 Sek."),
        ("de", timedelta(hours=26, minutes=5), "26 Std. 5 Min."),
        ("de", None, EMPTY),
    ],
)
def test_durations_read_as_minutes_and_seconds(language, value, shown):
    with translation.override(language):
        assert duration_text(value) == shown
