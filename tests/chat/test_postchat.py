"""After the chat: the post-chat form, the transcript by e-mail, and reopening (chat.conversations.postchat, chat.conversations.reopen)."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from chat.conversations import assignment, postchat, presence, reopen, rules, services
from chat.conversations.errors import ChatEnded
from chat.conversations.models import Chat, ChatStatus, EndReason, Party, PresenceStatus
from chat.conversations.transcript import render_transcript
from infra.outbox import mail
from infra.outbox.models import EmailStatus, OutgoingEmail
from requests_app.models import ReplyTemplate, TemplatePurpose
from tests.support.http import post_json

HTML = "<b>bold</b> & <script>alert(1)</script>"


def active_chat(make_channel, make_agent, make_chat, **channel_fields):
    channel = make_channel(**channel_fields)
    agent = make_agent(channel, first_name="Anna")
    chat, token = make_chat(channel, name="Erika <Mustermann>")
    assignment.accept_chat(chat, agent=agent)
    chat.refresh_from_db()
    return chat, agent, token


def wait_until_sent(email):
    for _ in range(100):
        email.refresh_from_db()
        if email.status == EmailStatus.SENT:
            return email
        time.sleep(0.05)
    raise AssertionError(f"e-mail not sent: {email.status} {email.last_error}")


# The form --------------------------------------------------------------------


def test_the_form_ends_an_open_chat_as_the_customer_and_keeps_rating_and_comment(make_channel, make_agent, make_chat):
    chat, _agent, _token = active_chat(make_channel, make_agent, make_chat, postchat_enabled=True)
    chat, email = postchat.submit_postchat(chat, rating=4, comment="  Quick and friendly.  ", send_transcript=False)
    chat.refresh_from_db()
    assert (chat.status, chat.ended_by) == (ChatStatus.ENDED, Party.CUSTOMER)
    assert (chat.rating, chat.rating_comment) == (4, "Quick and friendly.")
    assert chat.postchat_submitted_at is not None
    assert email is None and not OutgoingEmail.objects.exists()


def test_the_form_after_the_agent_ended_keeps_who_ended_it(make_channel, make_agent, make_chat):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat, postchat_enabled=True)
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    chat, _email = postchat.submit_postchat(chat, rating=5, comment="", send_transcript=False)
    assert (chat.ended_by, chat.rating) == (Party.AGENT, 5)


@pytest.mark.parametrize(
    "values, field",
    [
        ({"rating": 0, "comment": "", "send_transcript": False}, "rating"),
        ({"rating": 6, "comment": "", "send_transcript": False}, "rating"),
        ({"rating": True, "comment": "", "send_transcript": False}, "rating"),
        ({"rating": "5", "comment": "", "send_transcript": False}, "rating"),
        ({"rating": None, "comment": "x" * (postchat.MAX_COMMENT_LENGTH + 1), "send_transcript": False}, "comment"),
        ({"rating": None, "comment": None, "send_transcript": False}, "comment"),
        ({"rating": None, "comment": "", "send_transcript": "yes"}, "transcript"),
    ],
)
def test_invalid_form_values_are_refused_and_the_chat_stays_open(make_channel, make_agent, make_chat, values, field):
    chat, _agent, _token = active_chat(make_channel, make_agent, make_chat, postchat_enabled=True)
    with pytest.raises(postchat.InvalidPostchat) as refused:
        postchat.submit_postchat(chat, **values)
    assert field in refused.value.fields
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE and chat.rating is None


def test_sending_the_form_again_changes_nothing(make_channel, make_agent, make_chat):
    chat, _agent, _token = active_chat(make_channel, make_agent, make_chat, postchat_enabled=True)
    postchat.submit_postchat(chat, rating=2, comment="slow", send_transcript=False)
    first = Chat.objects.get(pk=chat.pk).postchat_submitted_at
    postchat.submit_postchat(chat, rating=5, comment="changed my mind", send_transcript=False)
    chat.refresh_from_db()
    assert (chat.rating, chat.rating_comment, chat.postchat_submitted_at) == (2, "slow", first)


# The transcript ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_transcript_is_sent_once_with_every_message_in_order_and_html_escaped(
    make_channel, make_agent, make_chat, smtp_server
):
    chat, agent, _token = active_chat(
        make_channel, make_agent, make_chat, postchat_enabled=True, transcript_enabled=True
    )
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Hello Erika,\nlet me check.")
    services.post_message(chat, author=Party.CUSTOMER, body=HTML)
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Found it.")

    chat, email = postchat.submit_postchat(chat, rating=5, comment="", send_transcript=True)
    # A double click, a retried request: still one e-mail.
    postchat.submit_postchat(chat, rating=5, comment="", send_transcript=True)
    postchat.submit_postchat(chat, rating=None, comment="", send_transcript=True)

    received = smtp_server.wait_for(1)
    wait_until_sent(email)
    mail.send_due_emails(now=timezone.now() + timedelta(hours=2))
    assert len(smtp_server.messages) == 1
    assert OutgoingEmail.objects.filter(chat=chat).count() == 1
    message = received[0]
    assert message["To"] == "erika@example.com"
    text = smtp_server.text_of(message)
    order = [
        "Where is my parcel?",
        "Anna joined the chat.",
        "Hello Erika,",
        "    let me check.",
        HTML,
        "Found it.",
        "You ended the chat.",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "Erika <Mustermann>: Where is my parcel?" in text
    html = smtp_server.html_of(message)
    assert "<script>" not in html and "<b>bold</b>" not in html and "Erika <Mustermann>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Erika &lt;Mustermann&gt;" in html
    assert "Hello Erika,<br>let me check." in html


@pytest.mark.django_db(transaction=True)
def test_a_failed_transcript_is_retried_and_its_error_kept(make_channel, make_agent, make_chat, smtp_server):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat, transcript_enabled=True)
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Let me check.")
    smtp_server.fail_next(1)
    _chat, email = postchat.submit_postchat(chat, rating=None, comment="", send_transcript=True)
    for _ in range(100):
        email.refresh_from_db()
        if email.attempts:
            break
        time.sleep(0.05)
    assert email.status == EmailStatus.PENDING and "451" in email.last_error
    mail.send_due_emails(now=timezone.now() + timedelta(minutes=2))
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.sent_at
    assert postchat.transcript_email(chat) == email


def test_a_transcript_is_queued_only_for_a_chat_an_agent_answered(make_channel, make_agent, make_chat):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat, transcript_enabled=True)
    assert rules.transcript_available(chat) is False

    _chat, email = postchat.submit_postchat(chat, rating=None, comment="", send_transcript=True)

    assert email is None and not OutgoingEmail.objects.exists()


def test_the_channels_welcome_message_alone_does_not_make_a_transcript_available(make_channel, make_agent, make_chat):
    chat, agent, _token = active_chat(
        make_channel, make_agent, make_chat, transcript_enabled=True, welcome_message="Hello, this is Anna."
    )
    assert chat.messages.filter(author=Party.AGENT, body="Hello, this is Anna.").exists()
    assert rules.transcript_available(chat) is False

    services.post_message(chat, author=Party.AGENT, agent=agent, body="Your parcel arrives tomorrow.", client_id="a-1")

    assert rules.transcript_available(chat) is True


def test_the_state_says_whether_a_transcript_is_available(client, make_channel, make_agent, make_chat):
    chat, agent, token = active_chat(make_channel, make_agent, make_chat, transcript_enabled=True)
    url = f"/chat/{chat.channel.slug}/api/state"
    before = client.get(url, headers={"X-Chat-Token": token}).json()["state"]
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Let me check.")
    after = client.get(url, headers={"X-Chat-Token": token}).json()["state"]
    chat.channel.transcript_enabled = False
    chat.channel.save()
    not_offered = client.get(url, headers={"X-Chat-Token": token}).json()["state"]

    assert (before["transcript_available"], after["transcript_available"]) == (False, True)
    assert not_offered["transcript_available"] is False


@pytest.mark.django_db(transaction=True)
def test_a_post_chat_form_that_cannot_be_stored_leaves_the_chat_open_and_unrated(make_channel, make_agent, make_chat):
    chat, _agent, _token = active_chat(make_channel, make_agent, make_chat, postchat_enabled=True)

    # A lone surrogate cannot be encoded for the database: the save fails after the end.
    with pytest.raises(UnicodeEncodeError):
        postchat.submit_postchat(chat, rating=4, comment="Thanks \ud800", send_transcript=False)

    chat.refresh_from_db()
    assert (chat.status, chat.ended_at, chat.rating, chat.postchat_submitted_at) == (
        ChatStatus.ACTIVE,
        None,
        None,
        None,
    )
    assert not chat.messages.filter(event="ended").exists()


@pytest.mark.django_db(transaction=True)
def test_a_transcript_that_cannot_be_queued_undoes_the_whole_form(make_channel, make_agent, make_chat, monkeypatch):
    chat, agent, _token = active_chat(
        make_channel, make_agent, make_chat, postchat_enabled=True, transcript_enabled=True
    )
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Let me check.")

    def fail(chat):
        raise RuntimeError("the template broke")

    monkeypatch.setattr(postchat, "queue_transcript", fail)
    with pytest.raises(RuntimeError):
        postchat.submit_postchat(chat, rating=5, comment="Great", send_transcript=True)

    chat.refresh_from_db()
    assert (chat.status, chat.rating, chat.rating_comment) == (ChatStatus.ACTIVE, None, "")


@pytest.mark.django_db(transaction=True)
def test_a_transcript_over_the_limit_for_the_address_is_kept_unsent_and_the_widget_is_told(
    client, make_channel, make_agent, make_chat, settings, smtp_server
):
    settings.HELPDESK_EMAIL_RECIPIENT_LIMIT = 1
    tokens = []
    for _ in range(2):
        chat, agent, token = active_chat(make_channel, make_agent, make_chat, transcript_enabled=True)
        services.post_message(chat, author=Party.AGENT, agent=agent, body="Let me check.")
        tokens.append((chat, token))

    answers = [
        post_json(
            client, f"/chat/{chat.channel.slug}/api/postchat", {"transcript": True}, headers={"X-Chat-Token": token}
        )
        for chat, token in tokens
    ]

    assert [answer.json()["transcript"] for answer in answers] == [True, False]
    smtp_server.wait_for(1)
    limited = OutgoingEmail.objects.get(chat=tokens[1][0])
    assert limited.status == EmailStatus.LIMITED
    assert "more than 1 e-mails to this address within an hour" in limited.last_error
    time.sleep(0.5)
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_the_chats_admin_page_says_why_its_transcript_was_not_sent(
    admin_client, make_channel, make_agent, make_chat, settings
):
    settings.HELPDESK_EMAIL_RECIPIENT_LIMIT = 0
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat, transcript_enabled=True)
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Let me check.")
    postchat.submit_postchat(chat, rating=None, comment="", send_transcript=True)

    page = admin_client.get(f"/admin/chat/chat/{chat.pk}/change/").content.decode()

    assert "Not sent: more than 0 e-mails to this address within an hour." in page
    assert "failed" not in page  # held back, not a failed attempt


def test_no_transcript_when_the_channel_does_not_offer_it(make_channel, make_agent, make_chat):
    chat, _agent, _token = active_chat(make_channel, make_agent, make_chat, postchat_enabled=True)
    _chat, email = postchat.submit_postchat(chat, rating=3, comment="", send_transcript=True)
    assert email is None and not OutgoingEmail.objects.exists()


def test_the_channel_template_fills_every_placeholder_in_the_channel_language(make_channel, make_agent, make_chat):
    template = ReplyTemplate.objects.create(
        name="Verlauf",
        purpose=TemplatePurpose.TRANSCRIPT,
        language="de",
        subject="Ihr Chat mit {agent} ({channel}) am {date}",
        body="Hallo {customer_name} <{customer_email}>,\n\n{conversation}",
    )
    chat, agent, _token = active_chat(
        make_channel,
        make_agent,
        make_chat,
        name="Laden",
        language="de",
        transcript_enabled=True,
        transcript_template=template,
    )
    services.post_message(chat, author=Party.CUSTOMER, body="Danke!")
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    chat.refresh_from_db()
    subject, text, html = render_transcript(chat)
    local = chat.created_at.astimezone(timezone.get_default_timezone())
    assert subject.startswith("Ihr Chat mit Anna (Laden) am ") and str(local.year) in subject
    assert text.startswith("Hallo Erika <Mustermann> <erika@example.com>,")
    assert "Anna ist dem Chat beigetreten." in text and "Anna hat den Chat beendet." in text
    assert "Erika <Mustermann>: Danke!" in text
    assert "Zeiten in Europe/Berlin" in text
    assert "Hallo Erika &lt;Mustermann&gt; &lt;erika@example.com&gt;," in html


def test_without_a_template_the_standard_text_is_used(make_channel, make_agent, make_chat):
    chat, _agent, _token = active_chat(make_channel, make_agent, make_chat, name="Shop")
    subject, text, html = render_transcript(chat)
    assert subject.startswith("Your chat with Shop on ")
    assert "Hello Erika <Mustermann>," in text and "Where is my parcel?" in text
    assert "<ol" in html and "Where is my parcel?" in html
    # Its times are the channel's clock, and it says which.
    assert re.search(r"Times in Europe/Berlin \(CES?T\)\.", text) and re.search(r"Times in Europe/Berlin", html)


# Reopening --------------------------------------------------------------------


def test_writing_after_the_agent_ended_reopens_the_chat_with_the_same_agent(
    make_channel, make_agent, make_chat, sent_events, django_capture_on_commit_callbacks
):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat)
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    sent_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message, created = services.post_message(chat, author=Party.CUSTOMER, body="One more question", client_id="c-9")
    chat.refresh_from_db()
    assert created and (chat.status, chat.agent, chat.reopened_count) == (ChatStatus.ACTIVE, agent, 1)
    assert (chat.ended_at, chat.ended_by, chat.end_reason) == (None, "", "")
    log = list(chat.messages.order_by("seq").values_list("kind", "event", "body"))
    assert log[-2:] == [("event", "reopened", ""), ("text", "", "One more question")]
    reopened = chat.messages.get(event="reopened")
    assert reopened.params == {"by": "customer", "to": "agent", "agent": "Anna"}
    assert (f"agent.{agent.pk}", {"type": "agent.assigned", "chat_id": chat.pk}) in sent_events
    states = [event["state"]["status"] for group, event in sent_events if event["type"] == "chat.state"]
    assert states == [ChatStatus.ACTIVE]


def test_an_away_agent_sends_the_reopened_chat_to_the_queue(
    make_channel, make_agent, make_chat, sent_events, django_capture_on_commit_callbacks
):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat)
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    presence.set_presence(agent, status=PresenceStatus.AWAY)
    sent_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(chat, author=Party.CUSTOMER, body="Hello again?")
    chat.refresh_from_db()
    assert (chat.status, chat.agent, chat.reopened_count, chat.initial_position) == (ChatStatus.QUEUED, None, 1, 1)
    assert chat.queued_at > chat.created_at
    assert any(group == f"queue.{chat.channel_id}" and event["type"] == "queue.changed" for group, event in sent_events)
    assert not any(event["type"] == "agent.assigned" for _group, event in sent_events)
    assert chat.messages.get(event="reopened").params["to"] == "queue"


def test_a_reopened_chat_is_assigned_automatically_when_the_channel_does_so(make_channel, make_agent, make_chat):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat)
    type(chat.channel).objects.filter(pk=chat.channel_id).update(assign_automatically=True)
    colleague = make_agent(chat.channel, first_name="Ben")
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    presence.set_presence(agent, status=PresenceStatus.AWAY)
    services.post_message(chat, author=Party.CUSTOMER, body="Hello again?")
    chat.refresh_from_db()
    assert (chat.status, chat.agent) == (ChatStatus.ACTIVE, colleague)


@pytest.mark.parametrize("by, reason", [(Party.CUSTOMER, EndReason.ENDED), (Party.SYSTEM, EndReason.ABANDONED)])
def test_only_chats_the_agent_ended_reopen(make_channel, make_agent, make_chat, by, reason):
    chat, _agent, _token = active_chat(make_channel, make_agent, make_chat)
    services.end_chat(chat, by=by, reason=reason)
    with pytest.raises(ChatEnded):
        services.post_message(chat, author=Party.CUSTOMER, body="Hello?")
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ENDED and chat.reopened_count == 0


def test_an_old_or_rated_chat_does_not_reopen(make_channel, make_agent, make_chat):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat)
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    Chat.objects.filter(pk=chat.pk).update(ended_at=timezone.now() - rules.token_lifetime() - timedelta(minutes=1))
    with pytest.raises(ChatEnded):
        services.post_message(chat, author=Party.CUSTOMER, body="Hello?")

    other, agent2, _token = active_chat(make_channel, make_agent, make_chat)
    services.end_chat(other, by=Party.AGENT, agent=agent2)
    postchat.submit_postchat(other, rating=4, comment="", send_transcript=False)
    with pytest.raises(ChatEnded):
        services.post_message(other, author=Party.CUSTOMER, body="Hello?")


def test_the_agent_cannot_write_to_a_chat_they_ended(make_channel, make_agent, make_chat):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat)
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    with pytest.raises(ChatEnded):
        services.post_message(chat, author=Party.AGENT, agent=agent, body="Hello?")


def test_reopen_chat_leaves_an_open_chat_alone(make_channel, make_agent, make_chat):
    chat, _agent, _token = active_chat(make_channel, make_agent, make_chat)
    assert reopen.reopen_chat(chat).reopened_count == 0


# The widget's endpoint ----------------------------------------------------------


def test_the_endpoint_needs_the_token_and_is_idempotent(client, make_channel, make_agent, make_chat):
    chat, agent, token = active_chat(
        make_channel, make_agent, make_chat, postchat_enabled=True, transcript_enabled=True
    )
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Let me check.")
    url = f"/chat/{chat.channel.slug}/api/postchat"
    body = {"rating": 5, "comment": "Great", "transcript": True}
    assert post_json(client, url, body).status_code == 404
    assert post_json(client, url, body, headers={"X-Chat-Token": "nope"}).status_code == 404
    bad = post_json(client, url, {"rating": 9}, headers={"X-Chat-Token": token})
    assert bad.status_code == 400 and "rating" in bad.json()["fields"]
    first = post_json(client, url, body, headers={"X-Chat-Token": token})
    again = post_json(client, url, body, headers={"X-Chat-Token": token})
    assert first.status_code == again.status_code == 200
    state = first.json()["state"]
    assert (state["status"], state["ended_by"], state["postchat_done"], state["can_reopen"]) == (
        "ended",
        "customer",
        True,
        False,
    )
    assert state["customer_email"] == "erika@example.com" and first.json()["transcript"] is True
    assert OutgoingEmail.objects.filter(chat=chat).count() == 1
    chat.refresh_from_db()
    assert (chat.rating, chat.rating_comment) == (5, "Great")


def test_the_state_says_when_writing_again_reopens(client, make_channel, make_agent, make_chat):
    chat, agent, token = active_chat(make_channel, make_agent, make_chat)
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    state = client.get(f"/chat/{chat.channel.slug}/api/state", headers={"X-Chat-Token": token}).json()["state"]
    assert (state["can_reopen"], state["postchat_done"]) == (True, False)


# The admin -------------------------------------------------------------------------


def test_the_admin_shows_rating_transcript_state_and_averages(admin_client, make_channel, make_agent, make_chat):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat, name="Shop", transcript_enabled=True)
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Let me check.")
    postchat.submit_postchat(chat, rating=4, comment="Nice <b>work</b>", send_transcript=True)
    other, _agent, _token = active_chat(make_channel, make_agent, make_chat, name="Other")
    postchat.submit_postchat(other, rating=1, comment="", send_transcript=False)
    OutgoingEmail.objects.filter(chat=chat).update(status=EmailStatus.FAILED, last_error="SMTPRecipientsRefused: nope")

    page = admin_client.get(f"/admin/chat/chat/{chat.pk}/change/").content.decode()
    assert "Nice &lt;b&gt;work&lt;/b&gt;" in page
    assert "Failed: SMTPRecipientsRefused: nope" in page
    assert "Where is my parcel?" in page

    listing = admin_client.get("/admin/chat/chat/").content.decode()
    assert "Average rating of the chats shown" in listing
    assert '<th scope="row">Shop</th><td>4.0</td><td>1</td>' in listing
    assert '<th scope="row">Other</th><td>1.0</td><td>1</td>' in listing
    assert '<th scope="row">Anna</th>' in listing
    filtered = admin_client.get("/admin/chat/chat/?rating=4").content.decode()
    assert '<th scope="row">Other</th>' not in filtered and '<th scope="row">Shop</th>' in filtered


def test_the_channel_admin_has_the_after_chat_settings(admin_client, make_channel):
    channel = make_channel()
    page = admin_client.get(f"/admin/chat/channel/{channel.pk}/change/").content.decode()
    for field in ("postchat_enabled", "postchat_header", "rating_label", "transcript_enabled", "transcript_template"):
        assert f'name="{field}"' in page
