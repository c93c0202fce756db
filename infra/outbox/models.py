"""
The e-mail outbox: what leaves by e-mail, stored with what caused it (a
request, a chat: related by app label, so the outbox imports neither).
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    LIMITED = "limited", _("Not sent: too many e-mails to this address")


class OutgoingEmail(models.Model):
    """
    One e-mail, stored in the same transaction as what caused it, then sent
    after the commit and retried on failure (infra.outbox.mail). The key makes
    "send the transcript of chat 12" happen once however often it is asked for.
    """

    key = models.CharField(max_length=100, unique=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, validators=[MaxValueValidator(100)])
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    request = models.ForeignKey(
        "requests_app.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("request"),
    )
    chat = models.ForeignKey(
        "chat.Chat", on_delete=models.SET_NULL, null=True, blank=True, related_name="emails", verbose_name=_("chat")
    )
    # Files that go along, read from their storage when the e-mail is sent
    # (not copied into the database): [{"storage", "path", "filename", "content_type"}].
    attachments = models.JSONField(_("attachments"), default=list, blank=True)

    class Meta:
        # The table was made when the outbox lived in requests_app; the model
        # moved without touching the data (migrations/0001_initial.py).
        db_table = "requests_app_outgoingemail"
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due_idx")]

    def __str__(self):
        return f"{self.subject} → {self.to}"
