"""
A request remembers the language the widget spoke to its customer, and its
confirmation goes out in it, as does a chat's transcript: the channel's
e-mail template for the channel's own customers, for the others only when
the template is written in their language, else the standard text in theirs.
"""

import pytest
from django.test import Client

from chat.configuration.models import ChannelText
from chat.conversations import assignment
from chat.conversations.models import Chat
from chat.conversations.requests import create_request_from_queue
from chat.conversations.transcript import render_transcript
from infra.outbox.models import OutgoingEmail
from requests_app.models import ReplyTemplate, Request, TemplatePurpose
from tests.chat.widget_forms import GOOD_FORM
from tests.support.http import post_json

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def shop(make_channel, use_test_dns):
    """An English channel with its own English confirmation template, that also speaks German."""
    template = ReplyTemplate.objects.create(
        name="Ours",
        purpose=TemplatePurpose.REQUEST_CONFIRMATION,
        language="en",
        subject="We have your request {request_id}",
        body="Dear {customer_name}, thanks.",
    )
    channel = make_channel(slug="shop", language="en", request_enabled=True, request_template=template)
    ChannelText.objects.create(channel=channel, language="de", request_header="Schreiben Sie uns")
    return channel


def leave_request(headers):
    response = post_json(Client(), "/chat/shop/api/request", {**GOOD_FORM, "question": "Wo ist mein Paket?"}, **headers)
    assert response.status_code == 201, response.content
    return Request.objects.get(number=response.json()["request_id"])


def test_a_german_customer_gets_the_confirmation_in_german_when_the_template_is_english(shop):
    request = leave_request(GERMAN)
    assert request.language == "de"
    mail = OutgoingEmail.objects.get(request=request)
    assert mail.subject == f"Ihre Anfrage {request.number}"


def test_the_channels_own_customers_get_its_template_as_before(shop):
    request = leave_request(ENGLISH)
    assert request.language == "en"
    assert OutgoingEmail.objects.get(request=request).subject == f"We have your request {request.number}"


def test_a_template_written_in_the_customers_language_is_used_for_them(shop):
    ReplyTemplate.objects.filter(pk=shop.request_template_id).update(
        language="de", subject="Anfrage {request_id} erhalten"
    )
    request = leave_request(GERMAN)
    assert OutgoingEmail.objects.get(request=request).subject == f"Anfrage {request.number} erhalten"


def test_a_request_from_the_queue_takes_the_chats_language(shop, make_chat):
    chat, _token = make_chat(shop)
    Chat.objects.filter(pk=chat.pk).update(language="de")
    request = create_request_from_queue(Chat.objects.select_related("channel").get(pk=chat.pk))
    assert request.language == "de"
    assert OutgoingEmail.objects.get(request=request).subject == f"Ihre Anfrage {request.number}"


def test_a_german_chats_transcript_leaves_an_english_template_for_the_standard_german_text(shop, make_chat, make_agent):
    shop.transcript_template = ReplyTemplate.objects.create(
        name="Transcript",
        purpose=TemplatePurpose.TRANSCRIPT,
        language="en",
        subject="Your chat with {channel}",
        body="{conversation}",
    )
    shop.save()
    agent = make_agent(shop)
    chat, _token = make_chat(shop)
    Chat.objects.filter(pk=chat.pk).update(language="de")
    assignment.accept_chat(Chat.objects.select_related("channel").get(pk=chat.pk), agent=agent)
    german = Chat.objects.select_related("channel", "agent").get(pk=chat.pk)
    assert render_transcript(german)[0].startswith("Ihr Chat mit")
    Chat.objects.filter(pk=chat.pk).update(language="en")
    english = Chat.objects.select_related("channel", "agent").get(pk=chat.pk)
    assert render_transcript(english)[0] == f"Your chat with {shop.name}"
