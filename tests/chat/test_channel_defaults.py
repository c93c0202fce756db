"""A channel's texts that are still at their defaults speak the channel's language, not the administrator's."""

import pytest
from django.utils import translation

from chat.configuration.models import Channel

pytestmark = pytest.mark.django_db


def test_a_german_channel_made_in_an_english_admin_gets_the_german_defaults():
    with translation.override("en"):
        channel = Channel.objects.create(name="Laden", slug="laden", language="de")
    channel.refresh_from_db()
    assert (channel.button_label, channel.header_title) == ("Chatten Sie mit uns", "Kundenservice")


def test_changing_the_language_changes_the_defaults_along_and_keeps_what_was_written():
    channel = Channel.objects.create(name="Shop", slug="shop", language="en", header_title="Shop help")
    assert channel.button_label == "Chat with us"
    channel.language = "de"
    channel.save()
    channel.refresh_from_db()
    assert channel.button_label == "Chatten Sie mit uns"
    assert channel.header_title == "Shop help", "a text the administrator wrote stays"


def test_the_admins_add_form_posts_the_english_default_and_the_german_channel_stores_the_german_one(admin_client):
    with translation.override("en"):
        form = admin_client.get("/admin/chat/channel/add/").content.decode()
    assert 'value="Chat with us"' in form
    response = admin_client.post(
        "/admin/chat/channel/add/",
        {
            "name": "Laden",
            "slug": "laden",
            "language": "de",
            "time_zone": "Europe/Berlin",
            "button_label": "Chat with us",
            "header_title": "Customer service",
            "color": "#1a73e8",
            "max_chats_per_agent": 3,
            "customer_timeout_seconds": 60,
            "transfer_timeout_seconds": 60,
            "attachments_enabled": "on",
            "attachment_kinds": ["images", "pdf"],
            "attachment_max_mb": 10,
            "faq_max_suggestions": 3,
            "offer_request_after_minutes": 0,
            "offer_request_when_waiting_over": 0,
            "retention_action": "anonymise",
            **{f"{prefix}-TOTAL_FORMS": 0 for prefix in INLINE_PREFIXES},
            **{f"{prefix}-INITIAL_FORMS": 0 for prefix in INLINE_PREFIXES},
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Channel.objects.get(slug="laden").button_label == "Chatten Sie mit uns"


INLINE_PREFIXES = (
    "form_fields",
    "memberships",
    "opening_intervals",
    "special_dates",
    "faq_category_links",
    "canned_replies",
    "privacy_texts",
    "texts",
)
