"""Requests: from the closed view, from the queue and from a chat; IDs, e-mails, limits and traps."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from chat.configuration.models import FieldType, FormKind, PreChatField
from chat.conversations import assignment, services
from chat.conversations.models import Chat, ChatStatus, EndReason, Party
from chat.conversations.requests import create_request_from_chat
from requests_app import rendering
from requests_app.models import ReplyTemplate, Request, RequestSource, TemplatePurpose
from tests.support.http import post_json

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()


@pytest.fixture
def closed_channel(make_channel):
    """Nobody present: closed, and taking requests."""
    return make_channel(
        slug="shop", request_enabled=True, closed_message="We are closed. Leave us a message.", language="en"
    )


def post(path, body, **headers):
    return post_json(Client(), path, body, headers=headers)


REQUEST = {"name": "Erika Mustermann", "email": "erika@example.com", "question": "Can I return <b>shoes</b>?"}


def test_a_closed_channel_refuses_the_form_and_the_start_with_its_closed_view(closed_channel):
    for path in ("/chat/shop/api/form", "/chat/shop/api/start"):
        response = post(path, {**REQUEST, "question": "hi"})
        assert response.status_code == 409
        data = response.json()
        assert data["error"]["code"] == "closed"
        assert data["closed"]["message"] == "We are closed. Leave us a message."
        assert data["closed"]["request"]["header"] == "Leave us a message"
    assert Chat.objects.count() == 0


def test_a_request_gets_an_id_and_a_confirmation_email_with_it(closed_channel, smtp_server):
    first = post("/chat/shop/api/request", REQUEST)
    second = post("/chat/shop/api/request", {**REQUEST, "email": "max@example.org"})
    year = timezone.now().year
    assert (first.status_code, first.json()) == (201, {"request_id": f"R-{year}-00001"})
    assert second.json()["request_id"] == f"R-{year}-00002"
    request = Request.objects.get(number=f"R-{year}-00001")
    assert (request.source, request.customer_name, request.question) == (
        RequestSource.CLOSED_FORM,
        "Erika Mustermann",
        "Can I return <b>shoes</b>?",
    )
    received = smtp_server.wait_for(2)
    to_erika = next(m for m in received if m["To"] == "erika@example.com")
    assert f"R-{year}-00001" in to_erika["Subject"]
    assert f"R-{year}-00001" in smtp_server.text_of(to_erika)
    assert "Can I return <b>shoes</b>?" in smtp_server.text_of(to_erika)
    html = smtp_server.html_of(to_erika)
    assert "&lt;b&gt;shoes&lt;/b&gt;" in html and "<b>shoes</b>" not in html


def test_the_confirmation_uses_the_channels_reply_template(closed_channel, smtp_server):
    closed_channel.request_template = ReplyTemplate.objects.create(
        name="Bestätigung",
        purpose=TemplatePurpose.REQUEST_CONFIRMATION,
        language="de",
        subject="Ihre Anfrage {request_id}",
        body="Hallo {customer_name}, danke! {customer_name.__class__} {secret}",
    )
    closed_channel.save()
    number = post("/chat/shop/api/request", REQUEST).json()["request_id"]
    message = smtp_server.wait_for(1)[0]
    assert message["Subject"] == f"Ihre Anfrage {number}"
    text = smtp_server.text_of(message)
    assert "Hallo Erika Mustermann, danke!" in text
    assert "{customer_name.__class__} {secret}" in text, "anything but a documented placeholder stays literal"


def test_unknown_placeholders_are_refused_in_the_admin():
    template = ReplyTemplate(
        name="x", purpose=TemplatePurpose.REQUEST_CONFIRMATION, subject="{request_id}", body="{agent}"
    )
    with pytest.raises(Exception) as error:
        template.full_clean()
    assert "{agent}" in str(error.value)
    assert rendering.unknown_placeholders("{conversation} {agent}", "transcript") == []


def test_the_request_form_checks_fields_and_the_email_domain(closed_channel):
    PreChatField.objects.create(
        channel=closed_channel,
        form=FormKind.REQUEST,
        key="order",
        label="Order number",
        field_type=FieldType.TEXT,
        required=True,
    )
    response = post("/chat/shop/api/request", {"name": "", "email": "x@nullmx.example", "question": " "})
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"name", "email", "question", "order"}
    assert "does not accept e-mail" in fields["email"]
    assert Request.objects.count() == 0


def test_a_bot_filling_the_honeypot_leaves_no_request(closed_channel):
    response = post("/chat/shop/api/request", {**REQUEST, "website": "http://spam.example"})
    assert response.status_code == 400
    assert Request.objects.count() == 0


def test_a_burst_of_requests_from_one_address_meets_the_limit(closed_channel, settings):
    settings.HELPDESK_REQUEST_LIMIT = 3
    codes = [post("/chat/shop/api/request", REQUEST).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    refused = post("/chat/shop/api/request", REQUEST).json()
    assert refused["error"]["code"] == "rate_limited" and "Too many requests" in refused["error"]["message"]
    assert Request.objects.count() == 3


def test_confirmations_to_one_address_are_limited_and_the_request_says_why(
    closed_channel, settings, smtp_server, admin_client
):
    settings.HELPDESK_EMAIL_RECIPIENT_LIMIT = 2
    numbers = [post("/chat/shop/api/request", REQUEST).json()["request_id"] for _ in range(3)]

    smtp_server.wait_for(2)
    assert Request.objects.count() == 3
    limited = Request.objects.get(number=numbers[2])
    email = limited.emails.get()
    assert email.status == "limited"
    page = admin_client.get(f"/admin/requests_app/request/{limited.pk}/change/").content.decode()
    assert "Not sent: too many e-mails to this address" in page
    assert len(smtp_server.messages) == 2


def test_a_channel_without_request_submission_takes_none(make_channel):
    make_channel(slug="quiet")
    assert post("/chat/quiet/api/request", REQUEST).status_code == 404


def test_a_waiting_customer_may_leave_a_request_when_the_queue_is_long(
    make_channel, make_agent, make_chat, smtp_server
):
    channel = make_channel(slug="busy", request_enabled=True, offer_request_when_waiting_over=1)
    make_agent(channel)
    first, first_token = make_chat(channel, question="First in line")
    second, token = make_chat(channel, question="Where is my parcel?")
    from chat.conversations.payloads import customer_state

    assert customer_state(Chat.objects.get(pk=second.pk))["request_offer_in_seconds"] == 0
    response = post("/chat/busy/api/request", {}, **{"X-Chat-Token": token})
    assert response.status_code == 201
    request = Request.objects.get(number=response.json()["request_id"])
    assert (request.source, request.question, request.chat_id) == (
        RequestSource.QUEUE,
        "Where is my parcel?",
        second.pk,
    )
    chat = Chat.objects.get(pk=second.pk)
    assert (chat.status, chat.end_reason) == (ChatStatus.ENDED, EndReason.REQUEST)
    assert chat.messages.filter(event="request_created", params__request_id=request.number).exists()
    smtp_server.wait_for(1)


def test_the_queue_offer_waits_for_the_channels_minutes(make_channel, make_agent, make_chat):
    channel = make_channel(slug="calm", request_enabled=True, offer_request_after_minutes=5)
    make_agent(channel)
    chat, token = make_chat(channel)
    from chat.conversations.selectors import request_offer_delay_seconds

    assert 290 <= request_offer_delay_seconds(chat) <= 300
    assert post("/chat/calm/api/request", {}, **{"X-Chat-Token": token}).status_code == 409
    Chat.objects.filter(pk=chat.pk).update(queued_at=timezone.now() - timezone.timedelta(minutes=6))
    assert post("/chat/calm/api/request", {}, **{"X-Chat-Token": token}).status_code == 201


def test_an_agent_turns_a_chat_into_a_request_with_the_transcript(make_channel, make_agent, make_chat, smtp_server):
    channel = make_channel(request_enabled=True)
    agent = make_agent(channel, first_name="Anna")
    chat, _token = make_chat(channel, question="My order is broken")
    assignment.accept_chat(chat, agent=agent)
    services.post_message(chat, author=Party.AGENT, agent=agent, body="I will open a ticket.", client_id="a1")
    request = create_request_from_chat(Chat.objects.get(pk=chat.pk), agent=agent)
    assert re.fullmatch(r"R-\d{4}-\d{5}", request.number)
    assert request.created_by == agent and request.source == RequestSource.CHAT
    assert "Erika: My order is broken" in request.transcript and "Anna: I will open a ticket." in request.transcript
    event = Chat.objects.get(pk=chat.pk).messages.get(event="request_created")
    assert event.params == {"request_id": request.number}
    assert Chat.objects.get(pk=chat.pk).status == ChatStatus.ACTIVE, "the chat goes on"
    smtp_server.wait_for(1)


def test_the_button_hides_while_closed_only_when_asked_and_no_requests_are_taken(make_channel):
    make_channel(slug="hidden", hide_button_when_closed=True)
    make_channel(slug="requests", hide_button_when_closed=True, request_enabled=True)
    assert Client().get("/chat/hidden/api/button").json()["hidden"] is True
    assert Client().get("/chat/requests/api/button").json()["hidden"] is False


def test_the_channel_admin_offers_only_templates_of_the_right_purpose(admin_client, make_channel):
    channel = make_channel()
    ReplyTemplate.objects.create(name="Confirm", purpose=TemplatePurpose.REQUEST_CONFIRMATION, subject="s", body="b")
    ReplyTemplate.objects.create(name="Log", purpose=TemplatePurpose.TRANSCRIPT, subject="s", body="b")
    form = admin_client.get(f"/admin/chat/channel/{channel.pk}/change/").context["adminform"].form
    assert [t.name for t in form.fields["request_template"].queryset] == ["Confirm"]
    assert [t.name for t in form.fields["transcript_template"].queryset] == ["Log"]
