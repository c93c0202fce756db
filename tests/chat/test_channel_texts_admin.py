"""The channel's texts in other languages, as administrators give them on the channel's admin page."""

import re

import pytest
from django.utils import translation

from chat.configuration.models import Channel, ChannelText
from tests.chat.test_channel_defaults import INLINE_PREFIXES

pytestmark = pytest.mark.django_db


def channel_form(channel, **texts_rows):
    """The change form's fields as the admin posts them, with the given rows of the texts inline."""
    data = {
        "name": channel.name,
        "slug": channel.slug,
        "language": channel.language,
        "time_zone": channel.time_zone,
        "button_label": channel.button_label,
        "header_title": channel.header_title,
        "color": channel.color,
        "max_chats_per_agent": 3,
        "customer_timeout_seconds": 60,
        "transfer_timeout_seconds": 60,
        "attachments_enabled": "on",
        "attachment_kinds": ["images"],
        "attachment_max_mb": 10,
        "faq_max_suggestions": 3,
        "retention_action": "anonymise",
        **{f"{prefix}-TOTAL_FORMS": 0 for prefix in INLINE_PREFIXES},
        **{f"{prefix}-INITIAL_FORMS": 0 for prefix in INLINE_PREFIXES},
    }
    rows = list(texts_rows.values())
    data["texts-TOTAL_FORMS"] = len(rows)
    for index, row in enumerate(rows):
        data.update({f"texts-{index}-{name}": value for name, value in row.items()})
    return data


@pytest.fixture
def channel():
    return Channel.objects.create(name="Shop", slug="shop", language="en")


def test_the_page_offers_the_texts_of_another_language_with_visible_labels(admin_client, channel):
    with translation.override("en"):
        page = admin_client.get(f"/admin/chat/channel/{channel.pk}/change/").content.decode()
    assert "Texts in another language (for customers whose browser prefers it)" in page
    # The row "Add another" copies: every input has its label.
    for name in ("language", "button_label", "header_title", "closed_message", "rating_label"):
        assert re.search(f'<label[^>]* for="id_texts-__prefix__-{name}">', page), name


def test_a_german_row_is_saved_with_only_the_texts_given(admin_client, channel):
    response = admin_client.post(
        f"/admin/chat/channel/{channel.pk}/change/",
        channel_form(channel, german={"language": "de", "button_label": "Schreiben Sie uns", "closed_message": ""}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    row = ChannelText.objects.get(channel=channel)
    assert (row.language, row.button_label, row.closed_message) == ("de", "Schreiben Sie uns", "")


def test_a_row_in_the_channels_own_language_is_refused(admin_client, channel):
    with translation.override("en"):
        response = admin_client.post(
            f"/admin/chat/channel/{channel.pk}/change/",
            channel_form(channel, english={"language": "en", "button_label": "Talk to us"}),
        )
    assert response.status_code == 200
    assert (
        "The texts above are the channel&#x27;s texts in English. Choose another language." in response.content.decode()
    )
    assert not ChannelText.objects.exists()


def test_the_refusal_reads_in_german(admin_client, channel):
    with translation.override("de"):
        response = admin_client.post(
            f"/admin/chat/channel/{channel.pk}/change/",
            channel_form(channel, english={"language": "en", "button_label": "Talk to us"}),
            HTTP_ACCEPT_LANGUAGE="de",
        )
    assert "Die Texte oben sind die Texte des Kanals auf Englisch. Wählen Sie eine andere Sprache." in (
        response.content.decode()
    )
