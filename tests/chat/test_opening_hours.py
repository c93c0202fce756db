"""Opening hours at the edges: DST days, past midnight, holidays, special dates, other time zones."""

from datetime import UTC, date, datetime, time

import pytest
from django.utils import translation

from chat.configuration.models import OpeningInterval, SpecialDate, Weekday
from chat.configuration.opening_hours import OpeningHours
from chat.conversations.availability import availability, closed_view


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def office(make_channel):
    """Mon–Fri 08:00–12:00 and 13:00–17:00, Sat 10:00–14:00, in Berlin."""
    channel = make_channel(opening_hours_enabled=True, time_zone="Europe/Berlin")
    for weekday in range(Weekday.MONDAY, Weekday.SATURDAY):
        OpeningInterval.objects.create(channel=channel, weekday=weekday, opens_at=time(8), closes_at=time(12))
        OpeningInterval.objects.create(channel=channel, weekday=weekday, opens_at=time(13), closes_at=time(17))
    OpeningInterval.objects.create(channel=channel, weekday=Weekday.SATURDAY, opens_at=time(10), closes_at=time(14))
    return channel


@pytest.mark.parametrize(
    "moment, is_open",
    [
        (utc(2026, 11, 25, 7, 0), True),  # Wed 08:00 CET, the first minute
        (utc(2026, 11, 25, 6, 59), False),  # Wed 07:59 CET
        (utc(2026, 11, 25, 11, 30), False),  # Wed 12:30 CET: lunch break
        (utc(2026, 11, 25, 12, 0), True),  # Wed 13:00 CET
        (utc(2026, 11, 25, 16, 0), False),  # Wed 17:00 CET: closes
        (utc(2026, 11, 28, 9, 0), True),  # Sat 10:00 CET
        (utc(2026, 11, 29, 10, 0), False),  # Sunday
    ],
)
def test_weekday_intervals_with_a_lunch_break(office, moment, is_open):
    assert OpeningHours(office).is_open(moment) is is_open


@pytest.mark.parametrize(
    "moment, is_open",
    [
        # Monday 30 March 2026, the first working day of summer time (CEST, UTC+2).
        (utc(2026, 3, 30, 5, 59), False),  # 07:59 CEST
        (utc(2026, 3, 30, 6, 0), True),  # 08:00 CEST
        (utc(2026, 3, 27, 7, 0), True),  # Friday before: 08:00 CET (UTC+1)
        (utc(2026, 3, 27, 6, 30), False),  # 07:30 CET
        # Monday 26 October 2026, back to winter time (CET, UTC+1).
        (utc(2026, 10, 26, 6, 30), False),  # 07:30 CET
        (utc(2026, 10, 26, 7, 0), True),  # 08:00 CET
        (utc(2026, 10, 23, 6, 0), True),  # Friday before: 08:00 CEST
    ],
)
def test_hours_follow_the_wall_clock_across_daylight_saving_changes(office, moment, is_open):
    assert OpeningHours(office).is_open(moment) is is_open


def test_an_interval_past_midnight_on_the_night_the_clocks_go_forward(make_channel):
    channel = make_channel(opening_hours_enabled=True, time_zone="Europe/Berlin")
    OpeningInterval.objects.create(channel=channel, weekday=Weekday.SATURDAY, opens_at=time(22), closes_at=time(6))
    hours = OpeningHours(channel)
    assert hours.is_open(utc(2026, 3, 28, 21, 0))  # Sat 22:00 CET
    assert hours.is_open(utc(2026, 3, 29, 0, 59))  # Sun 01:59 CET
    assert hours.is_open(utc(2026, 3, 29, 1, 0))  # Sun 03:00 CEST (02:00 does not exist)
    assert hours.is_open(utc(2026, 3, 29, 3, 59))  # Sun 05:59 CEST
    assert not hours.is_open(utc(2026, 3, 29, 4, 0))  # Sun 06:00 CEST
    assert not hours.is_open(utc(2026, 3, 28, 20, 59))  # Sat 21:59 CET


def test_an_interval_past_midnight_on_the_night_the_clocks_go_back(make_channel):
    channel = make_channel(opening_hours_enabled=True, time_zone="Europe/Berlin")
    OpeningInterval.objects.create(channel=channel, weekday=Weekday.SATURDAY, opens_at=time(22), closes_at=time(6))
    hours = OpeningHours(channel)
    assert hours.is_open(utc(2026, 10, 24, 20, 0))  # Sat 22:00 CEST
    assert hours.is_open(utc(2026, 10, 25, 0, 30))  # Sun 02:30 CEST, the first time
    assert hours.is_open(utc(2026, 10, 25, 1, 30))  # Sun 02:30 CET, the second time
    assert hours.is_open(utc(2026, 10, 25, 4, 59))  # Sun 05:59 CET
    assert not hours.is_open(utc(2026, 10, 25, 5, 0))  # Sun 06:00 CET


def test_a_holiday_closes_a_working_day_and_a_special_date_has_its_own_hours(office):
    SpecialDate.objects.create(
        channel=office, date=date(2026, 12, 24), name="Christmas Eve", opens_at=time(9), closes_at=time(12)
    )
    SpecialDate.objects.create(channel=office, date=date(2026, 12, 25), name="Christmas Day")
    hours = OpeningHours(office)
    assert not hours.is_open(utc(2026, 12, 25, 9, 0))  # Friday, holiday
    assert hours.is_open(utc(2026, 12, 24, 8, 30))  # Thursday 09:30 special hours
    assert not hours.is_open(utc(2026, 12, 24, 12, 30))  # Thursday 13:30: normally open, not today
    assert not hours.is_open(utc(2026, 12, 24, 7, 30))  # Thursday 08:30: special hours start at 09:00


def test_a_channel_in_another_time_zone_keeps_its_own_hours(make_channel):
    channel = make_channel(opening_hours_enabled=True, time_zone="America/New_York")
    OpeningInterval.objects.create(channel=channel, weekday=Weekday.WEDNESDAY, opens_at=time(9), closes_at=time(17))
    hours = OpeningHours(channel)
    assert hours.is_open(utc(2026, 11, 25, 14, 0))  # 09:00 EST
    assert not hours.is_open(utc(2026, 11, 25, 13, 59))  # 08:59 EST, already 14:59 in Berlin
    assert not hours.is_open(utc(2026, 11, 25, 22, 0))  # 17:00 EST


def test_hours_are_written_out_for_people_in_the_channels_language(office):
    SpecialDate.objects.create(
        channel=office, date=date(2026, 12, 24), name="Heiligabend", opens_at=time(9), closes_at=time(12)
    )
    SpecialDate.objects.create(channel=office, date=date(2026, 12, 25), name="1. Weihnachtstag")
    with translation.override("en"):
        hours = OpeningHours(office)
        assert hours.weekly_text() == "Mon–Fri 08:00–12:00, 13:00–17:00; Sat 10:00–14:00"
        assert hours.zone_text(utc(2026, 11, 25, 10)) == "Times in Europe/Berlin (CET)."
    office.language = "de"
    view = closed_view(office, at=utc(2026, 12, 20, 10))
    assert view["hours"]["weekly"] == "Mo–Fr 08:00–12:00, 13:00–17:00; Sa 10:00–14:00"
    assert view["hours"]["upcoming"] == [
        "24.12.2026: 09:00–12:00 (Heiligabend)",
        "25.12.2026: geschlossen (1. Weihnachtstag)",
    ]
    assert view["message"] == "Leider haben wir geschlossen."


def test_the_channel_is_available_only_within_hours_and_with_an_agent_present(office, make_agent):
    assert not availability(office, at=utc(2026, 11, 25, 9)).open, "within hours, nobody present"
    make_agent(office)
    assert availability(office, at=utc(2026, 11, 25, 9)).open
    assert not availability(office, at=utc(2026, 11, 25, 20)).open, "an agent, but outside the hours"
    office.opening_hours_enabled = False
    assert availability(office, at=utc(2026, 11, 25, 20)).open, "hours off: open whenever an agent is present"
