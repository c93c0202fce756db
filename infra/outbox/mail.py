"""
The outbox: e-mails are stored with what caused them, sent after the commit,
and retried with growing pauses until they go out or give up. Whether one went
out, and why not, is visible in the admin.

The addresses are the customers' own word, so anyone could have this site mail
anyone: e-mails to one address are limited per hour in the shared cache (all
processes count together), and the ones over the limit stay in the outbox,
unsent, with the reason.
"""

import hashlib
import logging
import smtplib
import threading
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.core.mail import EmailMultiAlternatives
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from infra import throttle
from infra.outbox.models import EmailStatus, OutgoingEmail

logger = logging.getLogger(__name__)

# Pauses before the 2nd, 3rd, ... attempt. Five tries over about an hour
# ride out a mail server's restart or a short outage of the provider.
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=45)]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# A claim older than this is from a process that died while sending.
STALE_CLAIM = timedelta(minutes=5)

# The window of HELPDESK_EMAIL_RECIPIENT_LIMIT.
RECIPIENT_WINDOW_SECONDS = 3600


def queue_email(*, key, to, subject, text, html="", request=None, chat=None, attachments=()):
    """
    Store an e-mail in the current transaction and send it after the commit.
    An e-mail with the same key is not queued twice: (email, created). Over
    the limit for its address it is stored as LIMITED and never sent.
    ``attachments`` are stored files ({"storage", "path", "filename",
    "content_type"}), read when the e-mail is sent.
    """
    email, created = OutgoingEmail.objects.get_or_create(
        key=key,
        defaults={
            "to": to,
            "subject": subject[:250],
            "body_text": text,
            "body_html": html,
            "request": request,
            "chat": chat,
            "attachments": list(attachments),
        },
    )
    if not created:
        return email, created
    if not recipient_allowed(to):
        email.status = EmailStatus.LIMITED
        email.last_error = _("Not sent: more than %(limit)d e-mails to this address within an hour.") % {
            "limit": settings.HELPDESK_EMAIL_RECIPIENT_LIMIT
        }
        email.save(update_fields=["status", "last_error"])
        return email, created
    transaction.on_commit(lambda: send_in_background(email.pk))
    return email, created


def recipient_allowed(address):
    """Count one e-mail to ``address``; False once the address has had its limit within the hour."""
    # Hashed: the shared cache holds no addresses.
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    return throttle.hit(
        "email-to", digest, limit=settings.HELPDESK_EMAIL_RECIPIENT_LIMIT, window_seconds=RECIPIENT_WINDOW_SECONDS
    )


def will_be_sent(email):
    """Whether the outbox entry is sent or still on its way (not over the limit, not given up)."""
    return email.status not in (EmailStatus.LIMITED, EmailStatus.FAILED)


def send_in_background(email_id):
    """Send without making the customer wait for the mail server."""
    threading.Thread(target=_send_and_close, args=(email_id,), daemon=True, name=f"mail-{email_id}").start()


def _send_and_close(email_id):
    try:
        send_email(email_id)
    finally:
        close_old_connections()


def _claim(email_id, now):
    """Take the e-mail for sending; False when another process has it or it is not due."""
    due = Q(status=EmailStatus.PENDING, next_attempt_at__isnull=True) | Q(
        status=EmailStatus.PENDING, next_attempt_at__lte=now
    )
    stale = Q(status=EmailStatus.SENDING, next_attempt_at__lte=now - STALE_CLAIM)
    return bool(
        OutgoingEmail.objects.filter(due | stale, pk=email_id).update(status=EmailStatus.SENDING, next_attempt_at=now)
    )


def send_email(email_id, now=None):
    """One attempt at one e-mail. Returns its status afterwards."""
    now = now or timezone.now()
    if not _claim(email_id, now):
        return OutgoingEmail.objects.filter(pk=email_id).values_list("status", flat=True).first()
    email = OutgoingEmail.objects.filter(pk=email_id).first()
    if email is None:
        return None  # deleted since the claim (by an administrator, or a test's clean-up)
    message = EmailMultiAlternatives(email.subject, email.body_text, to=[email.to])
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    attempts = email.attempts + 1
    try:
        _attach_files(message, email.attachments)
        message.send(fail_silently=False)
    except Exception as error:  # Any failure of the backend is recorded and retried.
        # The log line names the error's kind and SMTP code only: the error's
        # text often holds the recipient's address, which stays out of logs
        # (docs/privacy-widget.md); the full text is kept with the e-mail.
        logger.warning("E-mail %s failed (attempt %s): %s", email.pk, attempts, error_summary(error))
        if attempts >= MAX_ATTEMPTS:
            status, next_attempt = EmailStatus.FAILED, None
        else:
            status, next_attempt = EmailStatus.PENDING, now + RETRY_DELAYS[attempts - 1]
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=status,
            attempts=attempts,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=next_attempt,
        )
        return status
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENT, attempts=attempts, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    return EmailStatus.SENT


def error_summary(error):
    """A sending error without the addresses in its text: its class, and the SMTP code where there is one."""
    code = getattr(error, "smtp_code", None)
    if code is None and isinstance(error, smtplib.SMTPRecipientsRefused):
        code = next((answer[0] for answer in error.recipients.values()), None)
    return f"{type(error).__name__} {code}" if code is not None else type(error).__name__


def _attach_files(message, attachments):
    for attachment in attachments or ():
        storage = storages[attachment["storage"]]
        try:
            with storage.open(attachment["path"], "rb") as file:
                content = file.read()
        except FileNotFoundError:
            # Deleted since the e-mail was queued (its chat was erased): it goes without that file.
            logger.warning("E-mail attachment %s is gone; sent without it", attachment["path"])
            continue
        message.attach(attachment["filename"], content, attachment["content_type"])


def send_due_emails(now=None):
    """Retry what is due (called by the housekeeping loop). Returns how many were tried."""
    now = now or timezone.now()
    due = OutgoingEmail.objects.filter(
        Q(status=EmailStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=EmailStatus.PENDING, next_attempt_at__isnull=True, created_at__lte=now - timedelta(seconds=30))
        | Q(status=EmailStatus.SENDING, next_attempt_at__lte=now - STALE_CLAIM)
    ).values_list("pk", flat=True)[:50]
    tried = 0
    for email_id in list(due):
        send_email(email_id, now=now)
        tried += 1
    return tried
