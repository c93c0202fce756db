"""
The managers' statistics page in Chromium: a manager opens it from the
dashboard's header, picks a period with the GET form, finds the charts by
their names and opens the table behind one; the live numbers follow the
queue. In English and German, at 1,024 x 768, axe-clean and nothing cut off.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from chat.configuration.models import ChannelMembership
from chat.conversations.models import Chat, ChatStatus, EndReason, PresencePeriod
from tests.browser.dashboard import SMALL_SCREEN, make_agent_and_channel, open_dashboard, start_chats
from tests.support import axe, layout


def words(language, text):
    with translation.override(language):
        return gettext(text)


def check(page, where):
    axe.assert_no_blocking_violations(page, where)
    assert layout.horizontal_overflow(page) == 0, f"the page scrolls sideways {where}"
    clipped = layout.clipped_elements(page)
    assert clipped == [], f"cut off {where}:\n{layout.describe(clipped)}"


def a_month_of_chats():
    """Anna manages the shop; Ben works in it. Three weeks of chats with ratings, and their presence."""
    anna, channel = make_agent_and_channel()
    ChannelMembership.objects.filter(user=anna).update(is_manager=True)
    ben = get_user_model().objects.create_user(username="ben", first_name="Ben")
    ChannelMembership.objects.create(channel=channel, user=ben)
    now = timezone.now()
    for number in range(60):
        created = now - timedelta(days=number % 21, hours=number % 9)
        chat = Chat.objects.create(
            channel=channel, status=ChatStatus.ENDED, token_hash=f"{number:064x}", customer_name="Kunde",
            customer_email="kunde@example.com",
        )  # fmt: skip
        answered = number % 6 != 0
        Chat.objects.filter(pk=chat.pk).update(
            created_at=created,
            queued_at=created,
            accepted_at=created + timedelta(seconds=20 + number) if answered else None,
            first_response_at=created + timedelta(seconds=40 + number) if answered else None,
            ended_at=created + timedelta(minutes=5 + number % 7),
            agent=(anna if number % 2 else ben) if answered else None,
            end_reason=EndReason.ENDED if answered else EndReason.LEFT_QUEUE,
            rating=1 + number % 5 if answered and number % 3 else None,
        )
    for day in range(1, 15):
        began = now - timedelta(days=day, hours=6)
        PresencePeriod.objects.create(agent=ben, started_at=began, ended_at=began + timedelta(hours=5))
    return channel


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_manager_reads_the_statistics_from_the_dashboard(server, new_page, language):
    def w(text):
        return words(language, text)

    channel = a_month_of_chats()
    page = open_dashboard(new_page, server, language=language, viewport=SMALL_SCREEN)
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile(w("Statistics"))).click()
    stats = opened.value
    expect(stats.get_by_role("heading", level=1)).to_have_text(f"{w('Statistics')}: {channel.name}")
    for name in (
        "Chats offered per day",
        "Ratings from 1 to 5 stars",
        "Chats per agent",
        "Agents present per hour of the day, on average",
        "Chats offered by weekday and hour",
    ):
        expect(stats.get_by_role("img", name=w(name))).to_be_visible()
    check(stats, f"on the last 7 days ({language})")

    stats.get_by_label(w("Period"), exact=True).select_option(label=w("Last 30 days"))
    stats.get_by_role("button", name=w("Show")).click()
    expect(stats).to_have_url(re.compile(r"period=30d"))
    chart = stats.get_by_role("img", name=w("Chats offered per day"))
    expect(chart).to_have_accessible_description(re.compile("30"))

    per_day = stats.get_by_role("region", name=w("Chats offered per day"))
    per_day.get_by_text(w("Show the table")).click()
    table = per_day.get_by_role("table", name=w("Chats offered per day"))
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(31)  # the heading row and 30 days
    stats.get_by_role("region", name=w("Busiest hours")).get_by_text(w("Show the table")).click()
    check(stats, f"on the last 30 days with two tables open ({language})")

    # The live numbers follow the queue, and the status line says so once.
    expect(stats.locator("#live-waiting")).to_have_text("0")
    start_chats(channel, "Erika Mustermann")
    expect(stats.locator("#live-waiting")).to_have_text("1", timeout=15_000)
    expect(stats.get_by_role("status").filter(has_text=re.compile(w("Waiting now").split()[0]))).to_have_count(1)
