"""
The channel's consent checkbox (docs/api.md, docs/privacy-widget.md): the text
the widget shows in its language, the server refusing a chat or a request
without the tick, and the time of consent kept and shown to agents.
"""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import AsyncClient, Client
from django.utils import translation

from chat.configuration.consent import consent_config
from chat.configuration.models import ChannelPrivacyText
from chat.conversations import assignment
from chat.conversations.models import Chat
from requests_app.models import Request
from tests.chat.widget_forms import GOOD_FORM, start_chat
from tests.support.http import post_json
from tests.support.sockets import agent_socket, receive_until

CONSENT_MESSAGE = "Please agree to the privacy notice to continue."


@pytest.fixture
def consent_channel(make_channel, make_agent):
    channel = make_channel(slug="shop", consent_enabled=True, request_enabled=True, language="de")
    make_agent(channel)
    return channel


def widget_config(slug="shop"):
    page = Client().get(f"/chat/{slug}/").content.decode()
    start = page.index('<script id="widget-config" type="application/json">') + len(
        '<script id="widget-config" type="application/json">'
    )
    return json.loads(page[start : page.index("</script>", start)])


@pytest.mark.django_db
def test_the_text_is_the_active_languages_then_the_channels_then_any(consent_channel):
    ChannelPrivacyText.objects.create(channel=consent_channel, language="de", text="Ich stimme zu.", link="")
    with translation.override("en"):
        assert consent_config(consent_channel) == {"text": "Ich stimme zu.", "link": ""}
    ChannelPrivacyText.objects.create(
        channel=consent_channel, language="en", text="I agree.", link="https://shop.example/privacy"
    )
    with translation.override("en"):
        assert consent_config(consent_channel) == {"text": "I agree.", "link": "https://shop.example/privacy"}
    with translation.override("de"):
        assert consent_config(consent_channel)["text"] == "Ich stimme zu."

    ChannelPrivacyText.objects.filter(language="de").delete()
    consent_channel.language = "de"
    with translation.override("de"):
        # Neither the widget's nor the channel's language: any text there is.
        assert consent_config(consent_channel)["text"] == "I agree."


@pytest.mark.django_db
def test_without_a_privacy_text_a_translated_default_and_without_consent_nothing(consent_channel, make_channel):
    with translation.override("de"):
        assert consent_config(consent_channel) == {
            "text": "Ich bin einverstanden, dass meine Daten zur Beantwortung meiner Frage verarbeitet werden.",
            "link": "",
        }
    assert consent_config(make_channel()) is None


@pytest.mark.django_db
def test_the_widget_page_carries_the_consent_in_the_channels_language(consent_channel, make_channel):
    ChannelPrivacyText.objects.create(
        channel=consent_channel, language="de", text="Ich stimme zu.", link="https://shop.example/datenschutz"
    )
    assert widget_config()["consent"] == {"text": "Ich stimme zu.", "link": "https://shop.example/datenschutz"}
    make_channel(slug="plain")
    assert widget_config("plain")["consent"] is None


@pytest.mark.django_db(transaction=True)
async def test_a_chat_without_consent_is_refused_with_its_own_code_and_nothing_is_stored(consent_channel):
    client = AsyncClient()
    for form in ({}, {"consent": False}, {"consent": "true"}, {"consent": 1}):
        response = await start_chat(client, **form)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "consent_required"
        assert set(response.json()["fields"]) == {"consent"}
    checked = await post_json(client, "/chat/shop/api/form", GOOD_FORM)
    assert checked.status_code == 400 and checked.json()["error"]["code"] == "consent_required"
    assert not await database_sync_to_async(Chat.objects.exists)()


@pytest.mark.django_db(transaction=True)
async def test_a_form_with_other_errors_marks_the_consent_among_them(consent_channel):
    response = await post_json(AsyncClient(), "/chat/shop/api/form", {"name": "", "email": "erika@example.com"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_form"
    assert set(response.json()["fields"]) == {"name", "consent"}


@pytest.mark.django_db(transaction=True)
async def test_the_time_of_consent_is_kept_with_the_chat_and_in_its_state(consent_channel):
    response = await start_chat(AsyncClient(), consent=True)
    assert response.status_code == 201
    chat = await database_sync_to_async(Chat.objects.get)()
    # The server's time as the start was accepted, not a time the client sent.
    assert abs((chat.created_at - chat.consent_at).total_seconds()) < 5
    assert response.json()["state"]["consent_at"] == chat.consent_at.isoformat()


@pytest.mark.django_db(transaction=True)
async def test_a_channel_without_consent_keeps_no_time_whatever_is_sent(make_channel, make_agent):
    channel = await database_sync_to_async(make_channel)(slug="shop")
    await database_sync_to_async(make_agent)(channel)
    assert (await start_chat(AsyncClient(), consent=True)).status_code == 201
    assert (await database_sync_to_async(Chat.objects.get)()).consent_at is None


@pytest.mark.django_db(transaction=True)
async def test_the_request_form_needs_the_consent_too(consent_channel):
    client = AsyncClient()
    body = {**GOOD_FORM, "question": "Please call me back."}
    refused = await post_json(client, "/chat/shop/api/request", body)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "consent_required"
    assert refused.json()["error"]["message"] == "Bitte stimmen Sie der Datenschutzerklärung zu, um fortzufahren."
    assert not await database_sync_to_async(Request.objects.exists)()

    accepted = await post_json(client, "/chat/shop/api/request", {**body, "consent": True})
    assert accepted.status_code == 201
    assert (await database_sync_to_async(Request.objects.get)()).consent_at is not None


@pytest.mark.django_db(transaction=True)
async def test_a_request_instead_of_waiting_needs_the_consent_for_it(make_channel, make_agent):
    channel = await database_sync_to_async(make_channel)(
        slug="shop", consent_enabled=True, request_enabled=True, offer_request_after_minutes=0
    )
    await database_sync_to_async(make_agent)(channel)
    token = (await start_chat(AsyncClient(), consent=True)).json()["token"]
    client = AsyncClient()

    refused = await post_json(client, "/chat/shop/api/request", {}, headers={"X-Chat-Token": token})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "consent_required"
    accepted = await post_json(client, "/chat/shop/api/request", {"consent": True}, headers={"X-Chat-Token": token})
    assert accepted.status_code == 201
    request = await database_sync_to_async(Request.objects.get)()
    chat = await database_sync_to_async(Chat.objects.get)()
    assert request.consent_at is not None and request.consent_at > chat.consent_at


@pytest.mark.django_db(transaction=True)
async def test_agents_see_the_consent_in_the_customer_panel(consent_channel, make_agent):
    await start_chat(AsyncClient(), consent=True)
    chat = await database_sync_to_async(Chat.objects.get)()
    agent = await database_sync_to_async(make_agent)(consent_channel)
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")
    await dashboard.send_json_to({"type": "customer", "chat_id": chat.pk})
    frame = (await receive_until(dashboard, "customer"))[-1]
    assert frame["consent_at"] == chat.consent_at.isoformat()
    await dashboard.disconnect()


@pytest.mark.django_db
def test_the_history_page_and_the_admin_show_the_consent(consent_channel, make_agent, make_chat, admin_client):
    chat, _token = make_chat(consent_channel)
    Chat.objects.filter(pk=chat.pk).update(consent_at=chat.created_at)
    agent = make_agent(consent_channel)
    assignment.accept_chat(chat, agent=agent)
    client = Client()
    client.force_login(agent)
    page = client.get(f"/agent/history/{chat.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert "<dt>Consent given</dt><dd><time datetime=" in page

    admin_page = admin_client.get(f"/admin/chat/chat/{chat.pk}/change/", headers={"Accept-Language": "en"})
    assert "Consent given" in admin_page.content.decode()
    assert 'name="consent_at"' not in admin_page.content.decode()  # read-only

    request = Request.objects.create(
        number="R-1",
        channel=consent_channel,
        source="closed_form",
        customer_name="Erika",
        customer_email="erika@example.com",
        question="Please call me.",
        consent_at=chat.created_at,
    )
    request_page = admin_client.get(
        f"/admin/requests_app/request/{request.pk}/change/", headers={"Accept-Language": "en"}
    ).content.decode()
    assert "Consent given" in request_page and 'name="consent_at"' not in request_page
