"""`make run`'s demo data shows the workspace: a colleague and a second channel to transfer to, canned replies, a manager."""

import pytest
from django.core.management import call_command

from chat.configuration.canned_replies import CannedReply
from chat.configuration.models import Channel, ChannelMembership

pytestmark = pytest.mark.django_db


def test_the_demo_has_what_the_workspace_needs_to_be_tried_and_loads_twice_without_doubling():
    call_command("seed_demo")
    call_command("seed_demo")

    support, sales = Channel.objects.get(slug="support"), Channel.objects.get(slug="sales")
    assert ChannelMembership.objects.get(channel=support, user__username="agent").is_manager
    assert not ChannelMembership.objects.get(channel=support, user__username="ben").is_manager
    assert ChannelMembership.objects.filter(channel=sales, user__username="ben").exists()
    shared = CannedReply.objects.filter(channel=support)
    assert set(shared.filter(shortcut="greeting").values_list("language", flat=True)) == {"", "de"}
    assert shared.count() == 4
    assert CannedReply.objects.filter(owner__username="agent", shortcut="bye").count() == 1


def test_the_demo_shows_the_whole_journey_in_english_and_german():
    call_command("seed_demo", "--origin", "http://localhost:5500")

    support, sales, german = (Channel.objects.get(slug=slug) for slug in ("support", "sales", "kundendienst"))
    assert support.postchat_enabled and support.transcript_enabled and support.request_enabled
    assert not sales.assign_automatically, "a channel whose queue the dashboard shows"
    assert sales.texts.get(language="de").button_label == "Fragen Sie den Vertrieb", "texts in a second language"
    assert german.language == "de" and german.postchat_enabled and german.transcript_enabled
    assert (german.button_label, german.header_title) == ("Chatten Sie mit uns", "Kundenservice")
    assert german.faq_enabled and german.faq_categories.exists()
    assert ChannelMembership.objects.get(channel=german, user__username="agent").is_manager
    # One's own test page is allowed with --origin, on every channel.
    assert all("http://localhost:5500" in c.allowed_origin_list for c in (support, sales, german))


def test_the_demo_host_page_embeds_the_channel_asked_for_and_lists_the_others(client, settings):
    settings.HELPDESK_DEMO_PAGE = True
    call_command("seed_demo")
    page = client.get("/", {"channel": "kundendienst"}).content.decode()
    assert 'data-channel="kundendienst"' in page
    assert "?channel=sales" in page and "?channel=support" in page
    assert 'data-channel="support"' in client.get("/", {"channel": "no-such"}).content.decode()


def test_the_demo_fills_the_statistics_page_with_four_weeks_once():
    from datetime import timedelta

    from django.utils import timezone

    from chat.conversations.models import Chat, PresencePeriod
    from chat.statistics import attendance, figures, periods

    call_command("seed_demo")
    support = Channel.objects.get(slug="support")
    made = Chat.objects.filter(channel=support).count()
    call_command("seed_demo")

    assert Chat.objects.filter(channel=support).count() == made
    assert 100 <= made <= 600, "a few hundred chats"
    assert Chat.objects.filter(created_at__gte=timezone.now() - timedelta(days=29)).count() == made
    month = periods.last_days(support, 30)
    summary = figures.summary(support, month)
    assert summary.offered == made and 0 < summary.missed < summary.answered
    assert summary.rating_count > 0 and summary.durations["first_response"]["median"] is not None
    assert [row["agent"] for row in figures.per_agent(support, month)] and PresencePeriod.objects.exists()
    assert max(attendance.present_per_hour(support, month)) > 0


def test_seeding_again_stops_a_demo_channel_of_an_earlier_version_from_thanking_everyone_for_waiting():
    from chat.management.commands.seed_demo import OLD_WELCOME

    call_command("seed_demo")
    Channel.objects.filter(slug="support").update(welcome_message=OLD_WELCOME)
    call_command("seed_demo")
    assert Channel.objects.get(slug="support").welcome_message == "Hello! How can I help you?"
