"""
A channel's texts per language (chat.configuration.texts): the customer's
browser picks among the languages the channel speaks, each text falls back
to the channel's own and then to the standard text in that language, and the
widget's endpoints, its socket, the queue, the welcome and the transcript follow it.
"""

import json
import re

import pytest
from django.test import AsyncClient, Client

from chat.configuration.models import Channel, ChannelText
from chat.configuration.texts import channel_languages, channel_texts, pick_language
from chat.conversations import assignment, rules
from chat.conversations.models import Chat, Message, Party
from chat.conversations.payloads import customer_state
from chat.conversations.transcript import render_transcript
from tests.chat.widget_forms import start_chat
from tests.support.sockets import SITE_HEADERS, customer_socket, receive_until

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}


@pytest.fixture
def shop(make_channel, make_agent):
    """An English channel that also speaks German, with an agent present."""
    channel = make_channel(
        slug="shop",
        language="en",
        header_title="Shop help",
        closed_message="We are closed.",
        welcome_message="Hello! How can I help?",
        queue_message="Place {position}, about {wait}.",
        request_enabled=True,
        postchat_enabled=True,
        transcript_enabled=True,
    )
    ChannelText.objects.create(
        channel=channel,
        language="de",
        header_title="Shop-Hilfe",
        welcome_message="Guten Tag! Wie kann ich Ihnen helfen?",
        queue_message="Platz {position}, etwa {wait}.",
        closed_message="Wir haben geschlossen.",
        request_header="Schreiben Sie uns",
        postchat_header="Wie war es?",
    )
    make_agent(channel)
    return channel


def widget_config(response):
    page = response.content.decode()
    marker = '<script id="widget-config" type="application/json">'
    start = page.index(marker) + len(marker)
    return json.loads(page[start : page.index("</script>", start)])


# Picking the language ----------------------------------------------------------


def test_the_channels_own_language_is_picked_without_a_query(shop, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert pick_language(shop, ["en-us", "de"]) == "en"
        assert pick_language(shop, []) == "en"


def test_a_language_the_channel_has_texts_in_is_picked_by_its_primary_subtag(shop):
    assert channel_languages(shop) == ["en", "de"]
    assert pick_language(shop, ["de-at", "en"]) == "de"
    assert pick_language(shop, ["fr", "de"]) == "de", "a language the product does not ship is passed over"


def test_a_language_without_texts_is_not_spoken_and_the_channels_own_is_taken(make_channel):
    channel = make_channel(language="de")
    assert pick_language(channel, ["en-us", "en"]) == "de"


# The texts -------------------------------------------------------------------------


def test_a_text_given_for_the_language_wins_then_the_channels_own_then_the_default_in_that_language(shop):
    german = channel_texts(shop, "de")
    assert german["header_title"] == "Shop-Hilfe"
    # Given neither in German nor for the channel: "" for the caller's standard text.
    assert german["request_message"] == "" and german["rating_label"] == ""
    # Not given in German: the channel's own text as the administrator wrote it.
    shop.texts.update(closed_message="")
    assert channel_texts(Channel.objects.get(pk=shop.pk), "de")["closed_message"] == "We are closed."
    # The channel's button label is still the English default: the German default is read.
    assert german["button_label"] == "Chatten Sie mit uns"
    assert channel_texts(shop, "en")["button_label"] == "Chat with us"
    assert channel_texts(shop, "en")["header_title"] == "Shop help"


def test_texts_of_one_language_cost_one_query_for_all_of_them(shop, django_assert_num_queries):
    with django_assert_num_queries(1):
        for _round in range(3):
            channel_texts(shop, "de")
    with django_assert_num_queries(0):
        channel_texts(shop, "en")


# Through the widget's endpoints ---------------------------------------------------------


def test_the_button_speaks_the_browsers_language_where_the_channel_does(shop):
    ChannelText.objects.filter(channel=shop).update(button_label="Schreiben Sie uns")
    german = Client().get("/chat/shop/api/button", **GERMAN)
    english = Client().get("/chat/shop/api/button", **ENGLISH)
    assert (german.json()["label"], german.json()["language"]) == ("Schreiben Sie uns", "de")
    assert (english.json()["label"], english.json()["language"]) == ("Chat with us", "en")
    # A shared cache keeps one answer per language.
    assert "Accept-Language" in german["Vary"] and "Origin" in german["Vary"]


def test_the_widget_page_speaks_german_with_the_german_texts(shop):
    page = Client().get("/chat/shop/", **GERMAN)
    config = widget_config(page)
    assert (config["language"], config["title"]) == ("de", "Shop-Hilfe")
    assert config["strings"]["send"] == "Senden"
    assert config["request"]["header"] == "Schreiben Sie uns"
    # Not given in German and not written for the channel: the German standard text.
    assert config["request"]["message"].startswith("Schreiben Sie uns Ihre Frage")
    html = page.content.decode()
    assert '<html lang="de">' in html and "Wie war es?" in html
    assert "Accept-Language" in page["Vary"]

    english = widget_config(Client().get("/chat/shop/", **ENGLISH))
    assert (english["language"], english["title"], english["request"]["header"]) == (
        "en",
        "Shop help",
        "Leave us a message",
    )


def test_the_closed_view_is_in_the_customers_language(shop):
    shop.memberships.all().delete()
    config = widget_config(Client().get("/chat/shop/", **GERMAN))
    assert config["closed"]["message"] == "Wir haben geschlossen."
    english = widget_config(Client().get("/chat/shop/", **ENGLISH))
    assert english["closed"]["message"] == "We are closed."


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_closed_start_answers_with_the_closed_view_in_the_customers_language(shop):
    await Chat.objects.filter(channel=shop).adelete()
    await shop.memberships.all().adelete()
    response = await start_chat(AsyncClient(), headers={"Accept-Language": "de"})
    assert response.status_code == 409
    assert response.json()["closed"]["message"] == "Wir haben geschlossen."
    assert response.json()["error"]["message"] == "Leider ist gerade niemand für einen Chat verfügbar."


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_chat_started_in_german_keeps_german_for_its_queue_text(shop):
    response = await start_chat(AsyncClient(), headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert response.status_code == 201
    chat = await Chat.objects.select_related("channel").aget()
    assert chat.language == "de"
    # The wait in German too (known or not, as the estimate has it).
    assert response.json()["state"]["queue_text"] in (
        "Platz 1, etwa noch nicht bekannt.",
        "Platz 1, etwa weniger als eine Minute.",
    )


def test_the_welcome_and_the_transcript_follow_the_chats_language(shop, make_agent, make_chat):
    agent = shop.members.get()
    chat, _token = make_chat(shop)
    Chat.objects.filter(pk=chat.pk).update(language="de")
    chat = Chat.objects.select_related("channel").get(pk=chat.pk)
    assignment.accept_chat(chat, agent=agent)
    welcome = Message.objects.filter(chat=chat, author=Party.AGENT).get()
    assert welcome.body == "Guten Tag! Wie kann ich Ihnen helfen?"
    # The German welcome is automatic, not an answer: no transcript yet.
    chat = Chat.objects.select_related("channel", "agent").get(pk=chat.pk)
    assert not rules.transcript_available(chat)

    subject, text, _html = render_transcript(chat)
    assert subject.startswith("Ihr Chat mit")
    # The zone named as German readers know it.
    assert re.search(r"Zeiten in Europe/Berlin \((MEZ|MESZ)\)", text)


def test_a_chat_from_before_keeps_the_channels_language(shop, make_chat):
    chat, _token = make_chat(shop)
    Chat.objects.filter(pk=chat.pk).update(language="")
    chat = Chat.objects.select_related("channel", "agent").get(pk=chat.pk)
    assert customer_state(chat)["queue_text"].startswith("Place 1, about ")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_customers_socket_speaks_the_language_the_chat_began_in(shop):
    response = await start_chat(AsyncClient(), headers={"Accept-Language": "de"})
    # Asked again in English later: the chat stays German.
    socket = await customer_socket(response.json()["token"], headers=[*SITE_HEADERS, (b"accept-language", b"en")])
    welcome = await receive_until(socket, "welcome")
    assert welcome[-1]["state"]["queue_text"].startswith("Platz 1")
    await socket.send_json_to({"type": "send", "client_id": 5, "body": "Hallo"})
    error = await receive_until(socket, "error")
    assert error[-1]["message"] == "Im Frame fehlt ein Feld oder ein Feld ist ungültig."
    await socket.disconnect()
