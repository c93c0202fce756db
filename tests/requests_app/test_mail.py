"""The outbox: sent after the commit to a real SMTP server, once per key, retried on failure."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from infra.outbox import mail
from infra.outbox.models import EmailStatus, OutgoingEmail

pytestmark = pytest.mark.django_db(transaction=True)


def queue(key="k1", **fields):
    fields.setdefault("to", "erika@example.com")
    fields.setdefault("subject", "Your request R-2026-00001")
    fields.setdefault("text", "Hello Erika")
    fields.setdefault("html", "<p>Hello Erika</p>")
    return mail.queue_email(key=key, **fields)


def test_an_email_goes_out_after_the_commit_as_text_and_html(smtp_server):
    email, created = queue()
    assert created
    received = smtp_server.wait_for(1)
    assert received[0]["To"] == "erika@example.com"
    assert smtp_server.text_of(received[0]).strip() == "Hello Erika"
    assert "<p>Hello Erika</p>" in smtp_server.html_of(received[0])
    for _ in range(50):
        email.refresh_from_db()
        if email.status == EmailStatus.SENT:
            break
        time.sleep(0.05)
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1) and email.sent_at


def test_the_same_key_is_queued_and_sent_once(smtp_server):
    queue(key="transcript:1")
    again, created = queue(key="transcript:1")
    assert not created
    smtp_server.wait_for(1)
    mail.send_due_emails(now=timezone.now() + timedelta(hours=2))
    assert len(smtp_server.messages) == 1
    assert OutgoingEmail.objects.count() == 1


def test_a_refused_email_is_retried_later_and_the_error_is_kept(smtp_server, monkeypatch):
    monkeypatch.setattr(mail, "send_in_background", lambda email_id: None)
    email, _ = queue()
    smtp_server.fail_next(1)
    assert mail.send_email(email.pk) == EmailStatus.PENDING
    email.refresh_from_db()
    assert email.attempts == 1 and "451" in email.last_error and email.next_attempt_at > timezone.now()
    assert mail.send_due_emails() == 0, "not due yet"
    assert mail.send_due_emails(now=timezone.now() + timedelta(minutes=2)) == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.attempts == 2
    assert len(smtp_server.messages) == 1


def test_an_email_gives_up_after_the_last_attempt(smtp_server, monkeypatch):
    monkeypatch.setattr(mail, "send_in_background", lambda email_id: None)
    email, _ = queue()
    smtp_server.fail_next(100)
    now = timezone.now()
    for _ in range(mail.MAX_ATTEMPTS):
        now += timedelta(hours=1)
        mail.send_due_emails(now=now)
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED and email.attempts == mail.MAX_ATTEMPTS
    assert smtp_server.messages == []


def test_nothing_is_sent_when_the_transaction_rolls_back(smtp_server):
    from django.db import transaction

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            queue()
            raise RuntimeError("the request failed")
    assert OutgoingEmail.objects.count() == 0
    with pytest.raises(AssertionError):
        smtp_server.wait_for(1, timeout=0.5)


def test_an_email_deleted_after_its_claim_is_not_sent_and_raises_nothing(smtp_server, monkeypatch):
    email, _created = queue()
    smtp_server.wait_for(1)
    for _ in range(100):  # the background sender has finished with it
        if OutgoingEmail.objects.get(pk=email.pk).status == EmailStatus.SENT:
            break
        time.sleep(0.05)
    OutgoingEmail.objects.filter(pk=email.pk).update(status=EmailStatus.PENDING, next_attempt_at=None)
    claim = mail._claim

    def claim_then_delete(email_id, now):
        claimed = claim(email_id, now)
        OutgoingEmail.objects.filter(pk=email_id).delete()  # an administrator, between the two statements
        return claimed

    monkeypatch.setattr(mail, "_claim", claim_then_delete)
    assert mail.send_email(email.pk) is None
    assert len(smtp_server.messages) == 1


def test_emails_to_one_address_over_the_hourly_limit_are_kept_unsent_with_the_reason(smtp_server, settings):
    settings.HELPDESK_EMAIL_RECIPIENT_LIMIT = 2
    first, _ = queue(key="a", to="erika@example.com")
    second, _ = queue(key="b", to="Erika@Example.com")
    third, _ = queue(key="c", to="erika@example.com ")
    other, _ = queue(key="d", to="max@example.org")

    received = smtp_server.wait_for(3)
    mail.send_due_emails(now=timezone.now() + timedelta(hours=2))
    time.sleep(0.3)

    assert sorted(message["To"] for message in received) == [
        "Erika@Example.com",
        "erika@example.com",
        "max@example.org",
    ]
    assert len(smtp_server.messages) == 3
    third.refresh_from_db()
    assert third.status == EmailStatus.LIMITED and third.attempts == 0 and third.sent_at is None
    assert third.last_error == "Not sent: more than 2 e-mails to this address within an hour."
    assert not mail.will_be_sent(third) and mail.will_be_sent(other)


def test_the_same_key_again_does_not_count_against_the_address(smtp_server, settings):
    settings.HELPDESK_EMAIL_RECIPIENT_LIMIT = 1
    queue(key="transcript:7")
    again, created = queue(key="transcript:7")

    assert not created and again.status != EmailStatus.LIMITED
    smtp_server.wait_for(1)


def test_the_admin_shows_why_an_email_was_not_sent(admin_client, smtp_server, settings):
    settings.HELPDESK_EMAIL_RECIPIENT_LIMIT = 0
    email, _ = queue()

    page = admin_client.get(f"/admin/outbox/outgoingemail/{email.pk}/change/").content.decode()
    listing = admin_client.get("/admin/outbox/outgoingemail/?status=limited").content.decode()

    assert "Not sent: too many e-mails to this address" in page
    assert "more than 0 e-mails to this address within an hour" in page
    assert "Your request R-2026-00001" in listing
