"""Requests (tickets) left when nobody can chat, e-mail templates, and the e-mail outbox."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from infra.languages import Language


class TemplatePurpose(models.TextChoices):
    REQUEST_CONFIRMATION = "request_confirmation", _("Request confirmation")
    TRANSCRIPT = "transcript", _("Chat transcript")


class ReplyTemplate(models.Model):
    """
    An e-mail text that administrators edit. Subject and body may use only the
    documented placeholders ({customer_name}, {request_id}, ...; see
    requests_app.rendering), so a template cannot reach anything else.
    """

    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=30, choices=TemplatePurpose.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Plain text with placeholders in braces, e.g. {customer_name}."))

    class Meta:
        # "E-mail", not "reply": canned replies for the chat are elsewhere (chat.configuration.canned_replies).
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        ordering = ["purpose", "language", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_language_display()})"

    def clean(self):
        from requests_app.rendering import validate_template_text

        errors = {}
        for field in ("subject", "body"):
            try:
                validate_template_text(getattr(self, field), self.purpose)
            except ValidationError as error:
                errors[field] = error
        if errors:
            raise ValidationError(errors)


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RequestSource(models.TextChoices):
    CLOSED_FORM = "closed_form", _("Closed-hours form")
    QUEUE = "queue", _("From the queue")
    CHAT = "chat", _("From a chat")


class RequestCounter(models.Model):
    """The last request number handed out in a year; locked while the next is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Request(models.Model):
    number = models.CharField(_("request ID"), max_length=20, unique=True, editable=False)
    channel = models.ForeignKey(
        "chat.Channel", on_delete=models.PROTECT, related_name="requests", verbose_name=_("channel")
    )
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    source = models.CharField(_("source"), max_length=20, choices=RequestSource.choices)
    customer_name = models.CharField(_("customer name"), max_length=100)
    customer_email = models.EmailField(_("customer e-mail"))
    email_domain_verified = models.BooleanField(_("e-mail domain verified"), default=True)
    question = models.TextField(_("question"))
    form_data = models.JSONField(_("form"), default=list, blank=True)
    transcript = models.TextField(_("chat transcript"), blank=True)
    chat = models.ForeignKey(
        "chat.Chat", on_delete=models.SET_NULL, null=True, blank=True, related_name="requests", verbose_name=_("chat")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # As for chats: when the customer consented, and when the personal data was removed.
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # The language the widget spoke to the customer: their confirmation e-mail's.
    # Empty for requests from before it was kept: the channel's then.
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True, default="")
    personal_data_removed_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["channel", "status", "created_at"], name="request_channel_status_idx")]

    def __str__(self):
        return self.number
