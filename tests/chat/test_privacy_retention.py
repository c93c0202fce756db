"""
Retention (chat.privacy.retention) with a clock: a channel's chats and
requests older than its retention period lose their personal data by the
channel's action, younger ones and other channels keep theirs, statistics
keep their figures, and running it again, or from the housekeeping loop or
the management command, changes nothing more.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from chat.configuration.models import RetentionAction
from chat.conversations import history, housekeeping
from chat.conversations.models import (
    Attachment,
    Chat,
    ChatNote,
    ChatTransfer,
    Message,
    MessageKind,
    attachments_storage,
)
from chat.privacy import retention
from chat.privacy.removal import REDACTED, scrubber
from chat.statistics import periods
from chat.statistics import report as statistics_report
from infra.outbox.models import OutgoingEmail
from requests_app.models import Request
from tests.chat.files import empty_file_storage
from tests.chat.privacy_people import age, make_person, rows_holding

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_stored_files(smtp_server):
    empty_file_storage()


@pytest.fixture
def shop(make_channel, make_agent):
    channel = make_channel(slug="shop", transcript_enabled=True, retention_days=30)
    agent = make_agent(channel, first_name="Anna")
    return channel, agent


def statistics_of(channel, now):
    """Every figure of the statistics page for the last 60 days (chat.statistics.report, as the page builds it)."""
    built = statistics_report.build_report(channel, periods.last_days(channel, 60, now), now=now)
    return (built.summary, built.days, built.agents, built.present, built.heat)


@pytest.mark.parametrize("action", [RetentionAction.DELETE, RetentionAction.ANONYMISE])
def test_old_chats_lose_their_personal_data_and_the_statistics_keep_their_figures(shop, action):
    channel, agent = shop
    channel.retention_action = action
    channel.save()
    now = timezone.now()
    old = make_person(channel, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")
    young = make_person(channel, agent, name="Jonas Becker", email="jonas@example.org", word="otter")
    age(old, days=31, now=now)
    age(young, days=29, now=now)
    stored = [attachment.file.name for attachment in Attachment.objects.filter(chat=old.chat)]
    before = statistics_of(channel, now)

    report = retention.apply_retention(now)

    removed = report.removed
    assert (removed.chats, removed.requests) == (1, 2)
    assert removed.files == 1
    # The transcript and the request confirmations of the old chat and requests.
    assert removed.emails == 3
    assert statistics_of(channel, now) == before
    chat = Chat.objects.get(pk=old.chat.pk)
    assert chat.personal_data_removed_at == now
    assert (chat.customer_name, chat.customer_email, chat.form_data, chat.rating_comment) == ("", "", [], "")
    assert (chat.page_url, chat.page_title, chat.user_agent, chat.customer_time_zone) == ("", "", "", "")
    assert (chat.rating, chat.status, chat.agent_id) == (4, "ended", agent.pk)
    assert not Attachment.objects.filter(chat=chat).exists()
    assert not any(attachments_storage().exists(name) for name in stored)
    assert not OutgoingEmail.objects.filter(chat=chat).exists()
    for request in Request.objects.filter(pk__in=[request.pk for request in old.requests]):
        assert (request.customer_name, request.customer_email, request.form_data) == ("", "", [])
        assert request.personal_data_removed_at == now
        assert not request.emails.exists()
    # Nothing of who it was is left anywhere: not the address, not the name.
    assert rows_holding(old.email) == []
    assert rows_holding("Mustermann") == []
    assert rows_holding("zebra-invoice") == []
    # The younger chat is as it was.
    kept = Chat.objects.get(pk=young.chat.pk)
    assert (kept.customer_email, kept.personal_data_removed_at) == ("jonas@example.org", None)
    assert Attachment.objects.filter(chat=kept).count() == 1
    assert Request.objects.filter(customer_email__iexact="jonas@example.org").count() == 2
    for text in young.texts:
        assert rows_holding(text), text

    if action == RetentionAction.DELETE:
        assert not Message.objects.filter(chat=chat).exists()
        assert not ChatNote.objects.filter(chat=chat).exists()
        assert ChatTransfer.objects.get(chat=chat).note == ""
        # Every text of the person had "zebra" in it.
        assert rows_holding("zebra") == []
    else:
        bodies = list(Message.objects.filter(chat=chat, kind=MessageKind.TEXT).values_list("body", flat=True))
        assert f"Thanks, I am {REDACTED}, write to {REDACTED} please zebra-thanks." in bodies
        assert not Message.objects.filter(chat=chat, kind=MessageKind.FILE).exists()
        assert ChatNote.objects.get(chat=chat).body == f"zebra-note: {REDACTED} ({REDACTED}) is a regular customer."
        assert ChatTransfer.objects.get(chat=chat).note == f"zebra-transfer: ask {REDACTED} about the invoice"
        request = Request.objects.get(pk=old.requests[1].pk)
        assert request.question == f"Please call me back zebra-later, {REDACTED}."
        assert "Erika" not in Request.objects.get(pk=old.requests[0].pk).transcript


def test_a_second_run_finds_nothing_more_and_changes_nothing(shop):
    channel, agent = shop
    now = timezone.now()
    old = make_person(channel, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")
    age(old, days=40, now=now)
    retention.apply_retention(now)
    messages = list(Message.objects.filter(chat=old.chat).values_list("pk", "body"))

    again = retention.apply_retention(now + timedelta(days=1))

    assert again.removed.total == 0
    assert list(Message.objects.filter(chat=old.chat).values_list("pk", "body")) == messages
    assert Chat.objects.get(pk=old.chat.pk).personal_data_removed_at == now


def test_channels_without_retention_and_open_chats_keep_everything(make_channel, make_agent, make_chat):
    keeping = make_channel(slug="keeping", transcript_enabled=True)
    agent = make_agent(keeping)
    kept = make_person(keeping, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")
    age(kept, days=4000)
    strict = make_channel(slug="strict", retention_days=1)
    open_chat, _token = make_chat(strict, email="open@example.com")
    Chat.objects.filter(pk=open_chat.pk).update(created_at=timezone.now() - timedelta(days=10))

    report = retention.apply_retention(timezone.now())

    assert report.removed.total == 0
    assert Chat.objects.get(pk=kept.chat.pk).customer_email == "erika@example.com"
    assert Chat.objects.get(pk=open_chat.pk).customer_email == "open@example.com"


def test_work_is_done_in_batches_until_nothing_is_left(shop):
    channel, agent = shop
    now = timezone.now()
    people = [
        make_person(channel, agent, name=f"Person {n}", email=f"p{n}@example.com", word=f"w{n}") for n in range(3)
    ]
    for person in people:
        age(person, days=31, now=now)

    report = retention.apply_retention(now, batch_size=2)

    assert (report.removed.chats, report.removed.requests) == (3, 6)
    assert not Chat.objects.filter(channel=channel, personal_data_removed_at=None).exists()


def test_anonymising_blanks_whole_words_only():
    scrub = scrubber("Max Li", "max@example.com")
    assert scrub("Max wrote from MAX@example.com about the maximum, Li said") == (
        f"{REDACTED} wrote from {REDACTED} about the maximum, Li said"
    )


def test_the_search_no_longer_finds_removed_texts(shop):
    channel, agent = shop
    now = timezone.now()
    old = make_person(channel, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")
    assert list(history.search_chats(agent, "zebra-thanks")) == [old.chat]
    age(old, days=31, now=now)

    retention.apply_retention(now)

    assert list(history.search_chats(agent, "Mustermann")) == []
    assert list(history.search_chats(agent, "erika@example.com")) == []


def test_the_command_applies_retention_as_at_the_given_time_and_says_what_it_did(shop):
    channel, agent = shop
    old = make_person(channel, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")
    moment = age(old, days=0)
    out = StringIO()

    call_command("apply_retention", "--now", (moment + timedelta(days=29)).isoformat(), stdout=out)
    assert Chat.objects.get(pk=old.chat.pk).personal_data_removed_at is None
    call_command("apply_retention", "--now", (moment + timedelta(days=31)).isoformat(), stdout=out)

    assert Chat.objects.get(pk=old.chat.pk).personal_data_removed_at is not None
    lines = out.getvalue().splitlines()
    assert "0 chats" in lines[0]
    assert "1 chats" in lines[1] and "2 requests" in lines[1] and "1 files" in lines[1]
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("apply_retention", "--now", "yesterday")


def test_the_housekeeping_loop_runs_it_soon_after_start_then_hourly(shop, monkeypatch):
    channel, agent = shop
    clock = [1000.0]
    schedule = retention.Schedule(clock=lambda: clock[0])
    monkeypatch.setattr(retention, "schedule", schedule)
    old = make_person(channel, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")
    age(old, days=31)

    housekeeping.run_upkeep_once()
    assert Chat.objects.get(pk=old.chat.pk).personal_data_removed_at is None

    clock[0] += retention.FIRST_RUN_AFTER_SECONDS
    housekeeping.run_upkeep_once()
    assert Chat.objects.get(pk=old.chat.pk).personal_data_removed_at is not None

    assert schedule.due() is False
    clock[0] += retention.INTERVAL_SECONDS - 1
    assert schedule.due() is False
    clock[0] += 1
    assert schedule.due() is True


@pytest.mark.production
def test_processes_running_it_at_once_share_the_work_and_do_none_twice(shop):
    """Four threads (each its own database connection, as processes are) with small batches, on PostgreSQL."""
    import threading

    from django.db import connection

    channel, agent = shop
    now = timezone.now()
    people = [
        make_person(channel, agent, name=f"Person {n}", email=f"p{n}@example.com", word=f"w{n}") for n in range(8)
    ]
    for person in people:
        age(person, days=31, now=now)
    reports, errors = [], []
    start = threading.Barrier(4)

    def run():
        try:
            start.wait()
            reports.append(retention.apply_retention(now, batch_size=1))
        except Exception as error:  # noqa: BLE001  (reported below, in the test's thread)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(report.removed.chats for report in reports) == 8
    assert sum(report.removed.requests for report in reports) == 16
    assert sum(report.removed.files for report in reports) == 8
    assert not Chat.objects.filter(channel=channel, personal_data_removed_at=None).exists()
    assert rows_holding("@example.com") == []
