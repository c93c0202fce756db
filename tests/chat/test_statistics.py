"""
The managers' statistics (chat.statistics, chat.dashboard.statistics) and the
data they read: first_response_at in both message paths, presence periods.
A fixed clock and known chats, so that every figure is exact; the same tests
run on SQLite and, in the production leg, on PostgreSQL (percentile_cont
there, ORDER BY + OFFSET here), so both give the same numbers.
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.utils import timezone

from chat.configuration.models import ChannelMembership
from chat.conversations import assignment, faq_entries, group_commit, housekeeping, presence, services
from chat.conversations.agents import AGENT_GRACE_SECONDS
from chat.conversations.group_commit import PendingMessage
from chat.conversations.models import (
    AgentPresence,
    Chat,
    ChatStatus,
    EndReason,
    Party,
    PresencePeriod,
    PresenceStatus,
)
from chat.statistics import attendance, charts, figures, periods
from chat.statistics.live import live_numbers
from faq.models import Category, ChannelCategory, Entry
from requests_app.models import Request, RequestSource
from tests.support.servers import DaphneProcess, server_environment
from tests.support.wsclient import ProtocolClient, session_cookie, start_chat_over_http

# Sunday 29 March 2026, 12:00 UTC: Berlin moved to summer time at 02:00 that night.
NOW = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
BERLIN_START_OF_23_MARCH = datetime(2026, 3, 22, 23, 0, tzinfo=UTC)  # 00:00 CET on Monday the 23rd


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def channel(make_channel):
    return make_channel(time_zone="Europe/Berlin", welcome_message="Hello! How can I help?")


@pytest.fixture
def manager(channel, make_agent):
    return make_agent(channel, manager=True, present=False, first_name="Mara")


@pytest.fixture
def make_past_chat(channel):
    """A finished chat with the given times (seconds after it was created) and fate."""
    counter = iter(range(1, 10_000))

    def make(
        created, *, wait=None, duration=None, first=None, reason=EndReason.ENDED, rating=None, agent=None, on=None
    ):
        number = next(counter)
        chat = Chat.objects.create(
            channel=on or channel,
            status=ChatStatus.ENDED,
            token_hash=f"{number:064x}",
            customer_name="Erika",
            customer_email="erika@example.com",
        )
        accepted = created + timedelta(seconds=wait) if wait is not None else None
        Chat.objects.filter(pk=chat.pk).update(
            created_at=created,
            queued_at=created,
            accepted_at=accepted,
            agent=agent if accepted else None,
            first_response_at=accepted + timedelta(seconds=first) if first is not None else None,
            ended_at=(accepted or created) + timedelta(seconds=duration or 0),
            end_reason=reason,
            rating=rating,
        )
        return chat

    return make


@pytest.fixture
def known_week(channel, make_agent, make_past_chat):
    """
    The week from Monday 23 to Sunday 29 March 2026 in Berlin: four answered
    chats, one abandoned after it was taken, one that left the queue, one
    just before the week and one in another channel, and two requests.
    """
    anna = make_agent(channel, first_name="Anna", present=False)
    ben = make_agent(channel, first_name="Ben", present=False)
    start = BERLIN_START_OF_23_MARCH
    make_past_chat(start, wait=10, duration=60, first=5, rating=5, agent=anna)  # the first instant of the week
    make_past_chat(at(2026, 3, 24, 9, 0), wait=20, duration=120, first=5, rating=4, agent=anna)
    make_past_chat(at(2026, 3, 24, 9, 30), wait=30, duration=180, first=10, rating=4, agent=ben)
    make_past_chat(at(2026, 3, 26, 14, 0), wait=100, duration=240, first=20, agent=anna)
    make_past_chat(at(2026, 3, 27, 8, 0), wait=40, duration=30, reason=EndReason.ABANDONED, agent=ben)
    make_past_chat(at(2026, 3, 27, 8, 5), duration=50, reason=EndReason.LEFT_QUEUE)
    make_past_chat(start - timedelta(seconds=1), wait=1, duration=1, first=1, rating=1, agent=anna)  # Sunday before
    for created in (at(2026, 3, 24, 10, 0), at(2026, 3, 22, 22, 59)):
        request = Request.objects.create(
            number=f"R-{created:%H%M}", channel=channel, source=RequestSource.CLOSED_FORM, customer_name="R",
            customer_email="r@example.com", question="?",
        )  # fmt: skip
        Request.objects.filter(pk=request.pk).update(created_at=created)
    return anna, ben


def week(channel):
    return periods.last_days(channel, 7, now=NOW)


def test_the_last_seven_days_are_whole_days_in_the_channels_time_zone(channel):
    period = week(channel)
    assert (period.first, period.last) == (date(2026, 3, 23), date(2026, 3, 29))
    assert period.start == BERLIN_START_OF_23_MARCH
    # Sunday the 29th is 23 hours long: it ends at midnight summer time.
    assert period.end == at(2026, 3, 29, 22, 0)
    today = periods.last_days(channel, 1, now=at(2026, 3, 28, 23, 30))  # 00:30 on the 29th in Berlin
    assert (today.first, today.last) == (date(2026, 3, 29), date(2026, 3, 29))


def test_the_weeks_counts_durations_percentiles_and_ratings_are_exact(channel, known_week):
    result = figures.summary(channel, week(channel))

    assert (result.offered, result.answered, result.missed, result.abandoned) == (6, 5, 1, 1)
    assert result.requests == 1
    # Waits 10, 20, 30, 40, 100: the median is the middle one, the 90th
    # percentile lies 0.6 of the way from 40 to 100 (percentile_cont).
    assert result.durations["wait"] == pytest.approx({"count": 5, "average": 40.0, "median": 30.0, "p90": 76.0})
    # Durations 30, 60, 120, 180, 240 (the chat that left the queue was never taken).
    assert result.durations["duration"] == pytest.approx({"count": 5, "average": 126.0, "median": 120.0, "p90": 216.0})
    # First answers 5, 5, 10, 20: an even count takes the mean of the middle two.
    assert result.durations["first_response"] == pytest.approx(
        {"count": 4, "average": 10.0, "median": 7.5, "p90": 17.0}
    )
    assert result.rating_count == 3
    assert result.rating_average == pytest.approx(13 / 3)
    assert result.ratings == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}


def test_an_empty_period_has_zeros_and_no_durations(channel):
    result = figures.summary(channel, week(channel))
    assert (result.offered, result.answered, result.requests, result.rating_count) == (0, 0, 0, 0)
    assert result.durations["wait"] == {"count": 0, "average": None, "median": None, "p90": None}
    assert result.rating_average is None


def test_the_days_agents_and_heat_map_of_the_week(channel, known_week):
    period = week(channel)
    days = dict(figures.per_day(channel, period))
    assert list(days) == [date(2026, 3, d) for d in range(23, 30)]
    assert days[date(2026, 3, 23)] == {"offered": 1, "answered": 1, "missed": 0, "abandoned": 0, "requests": 0}
    assert days[date(2026, 3, 24)] == {"offered": 2, "answered": 2, "missed": 0, "abandoned": 0, "requests": 1}
    assert days[date(2026, 3, 27)] == {"offered": 2, "answered": 1, "missed": 1, "abandoned": 1, "requests": 0}
    assert days[date(2026, 3, 29)]["offered"] == 0

    agents = figures.per_agent(channel, period)
    assert [(row["agent"], row["chats"]) for row in agents] == [("Anna", 3), ("Ben", 2)]
    assert agents[0]["average_duration"] == pytest.approx(140.0)
    assert agents[0]["rating_average"] == pytest.approx(4.5)
    assert agents[1]["average_duration"] == pytest.approx(105.0)

    heat = figures.heat_map(channel, period)
    # Berlin is UTC+1 that week: 23:00 UTC Sunday is Monday 00:00, 09:00 UTC is 10:00.
    assert heat[0][0] == 1  # Monday, 00:00-00:59
    assert heat[1][10] == 2  # Tuesday, 10:00-10:59
    assert heat[3][15] == 1  # Thursday, 15:00
    assert heat[4][9] == 2  # Friday, 09:00
    assert sum(map(sum, heat)) == 6


def test_the_day_and_hour_follow_the_change_to_summer_time(channel, make_past_chat):
    make_past_chat(at(2026, 3, 28, 23, 30))  # 00:30 CET on Sunday the 29th
    make_past_chat(at(2026, 3, 29, 1, 30))  # 03:30 CEST: 02:00-02:59 did not happen
    make_past_chat(at(2026, 3, 29, 21, 59))  # 23:59 CEST, the day's last minute
    make_past_chat(at(2026, 3, 29, 22, 0))  # Monday already
    today = periods.last_days(channel, 1, now=NOW)
    assert figures.per_day(channel, today) == [
        (date(2026, 3, 29), {"offered": 3, "answered": 0, "missed": 0, "abandoned": 0, "requests": 0})
    ]
    sunday = figures.heat_map(channel, today)[6]
    assert (sunday[0], sunday[2], sunday[3], sunday[23]) == (1, 0, 1, 1)


def test_agents_present_per_hour_are_clipped_to_hours_and_averaged_over_the_days(channel, make_agent):
    anna = make_agent(channel, present=False)
    stranger = make_agent(present=False)  # of no channel of this one's
    for agent, began, ended in (
        (anna, at(2026, 3, 27, 7, 0), at(2026, 3, 27, 9, 30)),  # Friday 08:00-10:30 CET
        (anna, at(2026, 3, 28, 8, 15), at(2026, 3, 28, 9, 0)),  # Saturday 09:15-10:00 CET
        (stranger, at(2026, 3, 27, 7, 0), at(2026, 3, 27, 9, 0)),
    ):
        PresencePeriod.objects.create(agent=agent, started_at=began, ended_at=ended)
    two_days = periods.between(channel, date(2026, 3, 27), date(2026, 3, 28))

    hours = attendance.present_per_hour(channel, two_days, now=NOW)

    assert hours[8] == pytest.approx(0.5)  # one hour of two days
    assert hours[9] == pytest.approx((3600 + 2700) / 3600 / 2)
    assert hours[10] == pytest.approx(0.25)
    assert sum(hours) == pytest.approx(1.625)


def test_a_period_across_the_change_to_summer_time_and_one_still_open(channel, make_agent):
    anna, ben = make_agent(channel, present=False), make_agent(channel, present=False)
    # 01:30 CET to 03:30 CEST: one real hour, half in the hour 01, half in 03.
    PresencePeriod.objects.create(agent=anna, started_at=at(2026, 3, 29, 0, 30), ended_at=at(2026, 3, 29, 1, 30))
    # Open since 13:00 CEST (11:00 UTC); the clock says 14:00 CEST.
    PresencePeriod.objects.create(agent=ben, started_at=at(2026, 3, 29, 11, 0))
    today = periods.last_days(channel, 1, now=NOW)

    hours = attendance.present_per_hour(channel, today, now=NOW)

    assert (hours[1], hours[2], hours[3], hours[13], hours[14]) == pytest.approx((0.5, 0, 0.5, 1.0, 0))
    assert sum(hours) == pytest.approx(2.0)


def test_the_live_numbers(channel, make_agent, make_chat):
    anna = make_agent(channel)  # present, with a heartbeat just now
    make_agent(channel, present=False)
    first, _token = make_chat(channel)
    second, _token = make_chat(channel)
    make_chat(channel)
    Chat.objects.filter(pk=first.pk).update(queued_at=timezone.now() - timedelta(seconds=95))
    assignment.accept_chat(Chat.objects.get(pk=second.pk), agent=anna)

    numbers = live_numbers(channel)

    assert numbers == {"waiting": 2, "longest_wait_seconds": 95, "agents_present": 1, "active_chats": 1}


# first_response_at ----------------------------------------------------------------------------


def test_the_first_answer_is_the_agents_first_text_not_the_welcome_nor_an_event(channel, make_agent, make_chat):
    agent = make_agent(channel)
    chat, _token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)  # posts "joined" and the welcome in the agent's name
    chat.refresh_from_db()
    assert chat.first_response_at is None
    services.post_message(chat, author=Party.CUSTOMER, body="Hello?")
    chat.refresh_from_db()
    assert chat.first_response_at is None

    answer, _created = services.post_message(chat, author=Party.AGENT, body="Hi, I am here.", agent=agent)
    services.post_message(chat, author=Party.AGENT, body="And later.", agent=agent)

    chat.refresh_from_db()
    assert chat.first_response_at == answer.created_at


def test_an_faq_entry_is_a_first_answer(channel, make_agent, make_chat):
    category = Category.objects.create(name="Orders")
    ChannelCategory.objects.create(channel=channel, category=category)
    entry = Entry.objects.create(category=category, question="Where is my parcel?", answer="Tracking.", language="en")
    agent = make_agent(channel)
    chat, _token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)

    message, _created = faq_entries.send_entry(chat, agent=agent, entry_id=entry.pk, client_id="f-1")

    chat.refresh_from_db()
    assert chat.first_response_at == message.created_at


def test_the_batch_path_sets_the_first_answer_once(channel, make_agent, make_chat):
    agent = make_agent(channel)
    chat, _token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)

    first = group_commit.post_messages([PendingMessage(chat.pk, Party.CUSTOMER, "Hello?", "c-1")])
    assert Chat.objects.get(pk=chat.pk).first_response_at is None
    answers = group_commit.post_messages([PendingMessage(chat.pk, Party.AGENT, "Hi!", "a-1", agent=agent)])
    group_commit.post_messages([PendingMessage(chat.pk, Party.AGENT, "More.", "a-2", agent=agent)])

    assert first[0].seq < answers[0].seq
    assert Chat.objects.get(pk=chat.pk).first_response_at == answers[0].created_at


@pytest.mark.django_db(transaction=True)
async def test_an_agents_text_through_a_real_socket_sets_the_first_answer(dns_server, make_channel, make_agent):
    channel = await sync_to_async(make_channel)(slug="shop", welcome_message="Welcome!")
    agent = await sync_to_async(make_agent)(channel)
    server = DaphneProcess(server_environment(dns_server.address), name="daphne-stats").start()
    try:
        started = await sync_to_async(start_chat_over_http)(server.url, "shop")
        chat_id = started["state"]["chat_id"]
        dashboard = await ProtocolClient(
            server.url, "/ws/agent/", cookie=await sync_to_async(session_cookie)(agent)
        ).connect()
        await dashboard.send("hello", chats={})
        await dashboard.receive_until(lambda frame: frame["type"] == "state")
        await dashboard.send("take", chat_id=chat_id)
        await dashboard.receive_until(lambda frame: frame["type"] == "chat")
        chat = await Chat.objects.aget(pk=chat_id)
        assert chat.status == ChatStatus.ACTIVE and chat.first_response_at is None  # the welcome is no answer

        await dashboard.send("send", chat_id=chat_id, client_id="a-1", body="Hello Erika")
        ack = (await dashboard.receive_until(lambda frame: frame["type"] == "ack"))[-1]

        chat = await Chat.objects.aget(pk=chat_id)
        message = await chat.messages.aget(seq=ack["seq"])
        assert chat.first_response_at == message.created_at
        await dashboard.close()
    finally:
        server.stop()
        await sync_to_async(connections.close_all)()


# Presence periods -------------------------------------------------------------------------------


def open_periods(agent):
    return list(PresencePeriod.objects.filter(agent=agent, ended_at__isnull=True))


def test_becoming_present_opens_one_period_and_going_away_closes_it(channel, make_agent):
    agent = make_agent(channel, present=False)
    presence.set_presence(agent, status=PresenceStatus.PRESENT)
    presence.set_presence(agent, status=PresenceStatus.PRESENT)  # a second tab says it again
    presence.open_presence_periods([agent.pk], now=timezone.now())  # another process at the same moment
    assert len(open_periods(agent)) == 1

    presence.set_presence(agent, status=PresenceStatus.AWAY)

    period = PresencePeriod.objects.get(agent=agent)
    assert period.ended_at == AgentPresence.objects.get(user=agent).seen_at
    assert open_periods(agent) == []


def test_the_sweep_closes_the_period_of_an_agent_whose_dashboards_are_gone(channel, make_agent):
    agent = make_agent(channel)
    other = make_agent(channel)
    last_seen = timezone.now() - timedelta(seconds=AGENT_GRACE_SECONDS + 5)
    AgentPresence.objects.filter(user=agent).update(seen_at=last_seen)
    PresencePeriod.objects.filter(agent=agent).update(started_at=last_seen - timedelta(hours=1))

    closed = presence.close_presence_periods_of_gone_agents()

    assert closed == 1
    assert PresencePeriod.objects.get(agent=agent).ended_at == last_seen
    assert len(open_periods(other)) == 1


def test_a_present_agents_dashboard_back_after_the_sweep_opens_a_new_period(channel, make_agent):
    agent = make_agent(channel)
    AgentPresence.objects.filter(user=agent).update(seen_at=timezone.now() - timedelta(minutes=5))
    housekeeping.run_upkeep_once()  # no dashboard in this process's registry: closed
    assert open_periods(agent) == []

    housekeeping.registry.add_agent(agent.pk, "socket-1")
    try:
        housekeeping.run_upkeep_once()
    finally:
        housekeeping.registry.remove_agent(agent.pk, "socket-1")

    assert len(open_periods(agent)) == 1
    assert PresencePeriod.objects.filter(agent=agent).count() == 2


def test_an_away_agents_dashboard_opens_no_period(channel, make_agent):
    agent = make_agent(channel, present=False)
    presence.touch_agents([agent.pk])
    assert PresencePeriod.objects.filter(agent=agent).count() == 0


# The page, its CSV and the live JSON ---------------------------------------------------------------


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_weeks_figures_to_the_channels_manager(channel, manager, known_week, fixed_clock):
    response = client_of(manager).get("/agent/statistics/", {"channel": channel.pk, "period": "7d"})

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('role="img"') == 5
    for title in ("Chats offered per day", "Ratings from 1 to 5 stars", "Chats per agent",
                  "Agents present per hour of the day, on average", "Chats offered by weekday and hour"):  # fmt: skip
        assert f'-title">{title}</title>' in page
    assert page.count("<details>") == 5
    summary = response.context["summary"]
    assert (summary.offered, summary.answered, summary.missed, summary.abandoned, summary.requests) == (6, 5, 1, 1, 1)
    assert ("Wait", "0:40", "0:30", "1:16") == (
        response.context["durations"][0][0],
        *(response.context["durations"][0][2][key] for key in ("average", "median", "p90")),
    )


def test_the_csv_has_the_periods_header_row_and_every_figure(channel, manager, known_week, fixed_clock):
    response = client_of(manager).get("/agent/statistics/", {"channel": channel.pk, "period": "7d", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="statistics-{channel.slug}-2026-03-23-2026-03-29.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Channel", channel.name, "From", "2026-03-23", "To", "2026-03-29", "Time zone", "Europe/Berlin"]
    assert ["Chats offered", "6"] in rows and ["Chats missed (left the queue)", "1"] in rows
    assert ["Requests", "1"] in rows and ["Average rating", "4.33"] in rows
    assert ["Wait", "5", "40.0", "30.0", "76.0"] in rows
    assert ["First response", "4", "10.0", "7.5", "17.0"] in rows
    assert ["4", "2"] in rows and ["5", "1"] in rows
    assert ["2026-03-24", "2", "2", "0", "0", "1"] in rows
    assert ["Anna", "3", "140.0", "4.50"] in rows
    tuesday = next(row for row in rows if row and row[0] == "Tuesday")
    assert tuesday[1 + 10] == "2" and sum(map(int, tuesday[1:])) == 2


def test_a_custom_period_is_checked(channel, manager):
    client = client_of(manager)
    reversed_dates = client.get(
        "/agent/statistics/",
        {"channel": channel.pk, "period": "custom", "date_from": "2026-03-10", "date_to": "2026-03-01"},
    )
    assert reversed_dates.status_code == 200 and "report" not in reversed_dates.context
    assert "The first day comes after the last." in reversed_dates.content.decode()
    too_long = client.get(
        "/agent/statistics/",
        {"channel": channel.pk, "period": "custom", "date_from": "2024-01-01", "date_to": "2026-03-01"},
    )
    assert "A period may be at most 366 days long." in too_long.content.decode()
    missing = client.get("/agent/statistics/", {"channel": channel.pk, "period": "custom", "date_from": "2026-03-01"})
    assert "Enter both dates of the period." in missing.content.decode()
    beyond = client.get(
        "/agent/statistics/",
        {"channel": channel.pk, "period": "custom", "date_from": "9999-12-30", "date_to": "9999-12-31"},
    )
    assert beyond.status_code == 200 and "Enter dates from 2000 to 2100." in beyond.content.decode()
    good = client.get(
        "/agent/statistics/",
        {"channel": channel.pk, "period": "custom", "date_from": "2026-03-01", "date_to": "2026-03-10"},
    )
    assert good.context["period"].first == date(2026, 3, 1) and len(good.context["days"]) == 10


def test_a_name_that_a_spreadsheet_would_run_is_quoted_in_the_csv(channel, manager, make_agent, make_past_chat):
    agent = make_agent(channel, first_name="=HYPERLINK(1)", present=False)
    make_past_chat(timezone.now() - timedelta(hours=1), wait=5, duration=5, agent=agent)
    response = client_of(manager).get("/agent/statistics/", {"channel": channel.pk, "period": "today", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["'=HYPERLINK(1)", "1", "5.0", ""] in rows


def test_a_channel_number_out_of_range_is_no_channel(channel, manager):
    client = client_of(manager)
    huge = "9" * 30
    assert client.get("/agent/statistics/", {"channel": huge}).status_code == 404
    assert client.get("/agent/statistics/live", {"channel": huge}).status_code == 404


def test_an_agent_who_is_no_manager_is_refused(channel, make_agent):
    agent = make_agent(channel)
    client = client_of(agent)
    assert client.get("/agent/statistics/").status_code == 403
    assert client.get("/agent/statistics/", {"channel": channel.pk, "format": "csv"}).status_code == 403
    assert client.get("/agent/statistics/live", {"channel": channel.pk}).status_code == 404


def test_another_channels_manager_gets_no_page_of_this_channel(channel, make_channel, make_agent):
    elsewhere = make_agent(make_channel(), manager=True)
    client = client_of(elsewhere)
    assert client.get("/agent/statistics/", {"channel": channel.pk}).status_code == 404
    assert client.get("/agent/statistics/", {"channel": channel.pk, "format": "csv"}).status_code == 404
    live = client.get("/agent/statistics/live", {"channel": channel.pk})
    assert live.status_code == 404 and live.json()["error"]["code"] == "unknown_channel"


def test_a_logged_out_visitor_is_sent_to_the_login(channel):
    page = Client().get("/agent/statistics/", {"channel": channel.pk})
    assert page.status_code == 302 and "/login" in page["Location"]
    live = Client().get("/agent/statistics/live", {"channel": channel.pk})
    assert live.status_code == 403 and live.json()["error"]["code"] == "not_logged_in"


def test_the_live_json_of_the_managers_channel(channel, manager, make_chat):
    make_chat(channel)
    response = client_of(manager).get("/agent/statistics/live", {"channel": channel.pk})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"waiting", "longest_wait_seconds", "agents_present", "active_chats"}
    assert (body["waiting"], body["agents_present"], body["active_chats"]) == (1, 0, 0)
    assert 0 <= body["longest_wait_seconds"] < 5


def test_the_dashboard_header_links_to_the_statistics_for_managers_only(channel, manager, make_agent):
    assert 'href="/agent/statistics/"' in client_of(manager).get("/agent/").content.decode()
    assert 'href="/agent/statistics/"' not in client_of(make_agent(channel)).get("/agent/").content.decode()


def test_the_channels_admin_page_links_to_its_statistics_for_its_manager(channel, manager):
    get_user_model().objects.filter(pk=manager.pk).update(is_staff=True, is_superuser=True)
    admin = client_of(get_user_model().objects.get(pk=manager.pk))
    page = admin.get(f"/admin/chat/channel/{channel.pk}/change/").content.decode()
    assert f'href="/agent/statistics/?channel={channel.pk}"' in page
    ChannelMembership.objects.filter(user=manager).update(is_manager=False)
    page = admin.get(f"/admin/chat/channel/{channel.pk}/change/").content.decode()
    assert "/agent/statistics/" not in page


# The charts' geometry --------------------------------------------------------------------------------


def test_bars_stand_on_a_round_axis():
    chart = charts.bar_chart([("a", 3), ("b", 7), ("c", 0)])
    assert [tick.value for tick in chart.ticks] == [0, 2, 4, 6, 8]
    tallest = chart.bars[1]
    assert tallest.y + tallest.height == pytest.approx(chart.baseline)
    assert tallest.height == pytest.approx((charts.HEIGHT - charts.TOP - charts.BOTTOM) * 7 / 8)
    assert [charts.nice_ceiling(n) for n in (0, 1, 3, 5, 9, 11, 41, 390)] == [1, 1, 4, 8, 10, 20, 80, 400]
    assert chart.bars[2].height == 0


def test_the_heat_maps_shades_and_legend_cover_every_count():
    cells = [[0] * 24 for _ in range(7)]
    cells[0][9], cells[1][10], cells[2][11] = 8, 2, 1
    heat = charts.heat_map(cells)
    levels = {(cell.weekday, cell.hour): cell.level for cell in heat.cells}
    assert (levels[(0, 9)], levels[(1, 10)], levels[(2, 11)], levels[(3, 0)]) == (4, 1, 1, 0)
    assert heat.legend == [(0, 0, 0), (1, 1, 2), (2, 3, 4), (3, 5, 6), (4, 7, 8)]
