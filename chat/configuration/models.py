"""
A channel's configuration: the channel itself, its members, its pre-chat and
request forms, its opening hours and special dates.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from chat.configuration.colors import normalize_hex_color
from infra.languages import Language
from infra.origin import normalize_origin


def default_in(text, language):
    """A lazily translated default, as it reads in ``language``."""
    with override(language):
        return str(text)


hex_color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, e.g. #1a73e8."))

RESERVED_FIELD_KEYS = {"name", "email", "question", "website"}


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value})


def validate_origin_list(value):
    """Each entry exactly scheme://host[:port]: the list goes into a Content-Security-Policy header as it is."""
    for origin in value.split():
        if normalize_origin(origin) is None:
            raise ValidationError(
                _(
                    "%(origin)s is not a website origin. Write the scheme (http or https), the host and, if "
                    "needed, the port, and nothing else, e.g. https://www.example.com or http://localhost:8000"
                ),
                params={"origin": origin},
            )


class RetentionAction(models.TextChoices):
    """
    What happens to a chat (and the requests, files and e-mails that came of
    it) after the channel's retention_days. Either way the chat's row stays,
    with its times, status, agent and rating, so statistics keep their counts.
    """

    # Everything the customer or an agent wrote or sent goes: messages, notes,
    # files, form data, comment, requests and the e-mails' bodies.
    DELETE = "delete", _("delete the conversation and the personal data")
    # The conversation stays readable, without who it was: name, e-mail, form
    # data, page, browser, comment, files and e-mail bodies go; the name and
    # the e-mail address are blanked out in the messages.
    ANONYMISE = "anonymise", _("anonymise: keep the conversation without personal data")


class Channel(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"), unique=True, help_text=_("Identifies the channel in the embed snippet and the widget's address.")
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    allowed_origins = models.TextField(
        _("allowed website origins"),
        blank=True,
        validators=[validate_origin_list],
        help_text=_(
            "The websites that may show this chat, one per line, e.g. https://www.example.com. "
            "The widget refuses to load anywhere else."
        ),
    )
    button_label = models.CharField(_("button label"), max_length=40, default=_("Chat with us"))
    header_title = models.CharField(_("header title"), max_length=80, default=_("Customer service"))
    welcome_message = models.TextField(
        _("welcome message"),
        blank=True,
        help_text=_("Posted in the agent's name when an agent takes the chat. Leave empty for none."),
    )
    color = models.CharField(
        _("colour"),
        max_length=7,
        default="#1a73e8",
        validators=[hex_color_validator],
        help_text=_("The button and header colour. Text on it is black or white, whichever reads better."),
    )
    queue_message = models.TextField(
        _("queue message"),
        blank=True,
        help_text=_(
            "Shown while the customer waits. {position} becomes the place in the queue, {wait} the estimated "
            "wait. Leave empty for the standard text."
        ),
    )
    max_chats_per_agent = models.PositiveSmallIntegerField(
        _("maximum concurrent chats per agent"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    assign_automatically = models.BooleanField(
        _("assign automatically"),
        default=False,
        help_text=_(
            "A waiting chat goes, oldest first, to the present agent with the fewest open chats, "
            "as soon as one is below the limit."
        ),
    )
    customer_timeout_seconds = models.PositiveIntegerField(
        _("customer time-out (seconds)"),
        default=120,
        validators=[MinValueValidator(30)],
        help_text=_("A customer with no connection for this long leaves the queue, or their chat ends as abandoned."),
    )
    # Opening hours and the closed view (chat.configuration.opening_hours decides).
    opening_hours_enabled = models.BooleanField(
        _("use opening hours"),
        default=False,
        help_text=_("Off: the channel is open whenever an agent is present."),
    )
    closed_message = models.TextField(
        _("closed message"),
        blank=True,
        help_text=_("Shown when nobody can chat, followed by the opening hours. Leave empty for the standard text."),
    )
    hide_button_when_closed = models.BooleanField(
        _("hide the chat button while closed"),
        default=False,
        help_text=_("Only while request submission is off: otherwise the button leads to the request form."),
    )
    # Requests (requests_app).
    request_enabled = models.BooleanField(_("request submission"), default=False)
    request_header = models.CharField(_("request form header"), max_length=120, blank=True)
    request_message = models.TextField(_("request form message"), blank=True)
    request_template = models.ForeignKey(
        "requests_app.ReplyTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("request confirmation template"),
        help_text=_("The e-mail that confirms a request with its ID. Empty: the standard text."),
    )
    offer_request_after_minutes = models.PositiveSmallIntegerField(
        _("offer the request form after waiting (minutes)"),
        null=True,
        blank=True,
        help_text=_("Empty: never. A customer who has waited this long may leave a request instead."),
    )
    offer_request_when_waiting_over = models.PositiveSmallIntegerField(
        _("offer the request form when more customers wait than"),
        null=True,
        blank=True,
        help_text=_("Empty: never."),
    )
    # After the chat.
    postchat_enabled = models.BooleanField(_("post-chat form"), default=False)
    postchat_header = models.CharField(_("post-chat form header"), max_length=120, blank=True)
    postchat_message = models.TextField(_("post-chat form message"), blank=True)
    rating_label = models.CharField(
        _("rating label"), max_length=120, blank=True, help_text=_("e.g. How satisfied are you with our service?")
    )
    transcript_enabled = models.BooleanField(_("transcript by e-mail"), default=False)
    transcript_template = models.ForeignKey(
        "requests_app.ReplyTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transcript template"),
        help_text=_("Empty: the standard text."),
    )
    # FAQ suggestions before the queue (faq).
    faq_enabled = models.BooleanField(_("FAQ suggestions"), default=False)
    faq_max_suggestions = models.PositiveSmallIntegerField(
        _("FAQ suggestions shown"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # The agent's workspace: when a wait or an unanswered message is flagged,
    # and how long an agent has to answer a transfer offered to them.
    wait_alert_minutes = models.PositiveSmallIntegerField(
        _("alert when a customer has waited longer than (minutes)"),
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("The queue entry is highlighted and agents are notified. Empty: never."),
    )
    unanswered_alert_minutes = models.PositiveSmallIntegerField(
        _("alert when a customer message is unanswered for longer than (minutes)"),
        null=True,
        blank=True,
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("The chat is highlighted and its agent is notified. Empty: never."),
    )
    transfer_timeout_seconds = models.PositiveSmallIntegerField(
        _("time to answer a transfer (seconds)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(600)],
        help_text=_("A transfer offered to an agent who does not accept in this time goes back to the sender."),
    )
    # Files in the chat (chat.conversations.attachments checks them by content).
    attachments_enabled = models.BooleanField(
        _("files in the chat"), default=True, help_text=_("Customers and agents may send files.")
    )
    attachment_kinds = models.CharField(
        _("allowed kinds of file"),
        max_length=100,
        default="images,pdf,office,text",
        help_text=_("Comma-separated: images, pdf, office, text. Files are checked by their content, not their name."),
    )
    attachment_max_mb = models.PositiveSmallIntegerField(
        _("largest file (MB)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # Privacy (docs/privacy.md): consent before a chat or request, and how long
    # what the customers said is kept.
    consent_enabled = models.BooleanField(
        _("consent checkbox"),
        default=False,
        help_text=_(
            "Customers must tick the channel's privacy text (below, per language) before a chat or request starts."
        ),
    )
    retention_days = models.PositiveIntegerField(
        _("keep chats for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Days after a chat ended (or a request was made) until its personal data is removed. Empty: kept until "
            "erased by hand."
        ),
    )
    retention_action = models.CharField(
        _("then"),
        max_length=10,
        choices=RetentionAction.choices,
        default=RetentionAction.ANONYMISE,
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ChannelMembership", related_name="chat_channels", verbose_name=_("agents")
    )

    class Meta:
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.color = normalize_hex_color(self.color)
        self._default_texts_in_own_language()
        super().save(*args, **kwargs)

    def _default_texts_in_own_language(self):
        """
        A text still at its default ("Chat with us") in some shipped language
        becomes that default in the channel's own language: a German channel
        made by an administrator who reads the admin in English says "Chatten
        Sie mit uns", and changing a channel's language changes them along.
        A text the administrator wrote stays as it is.
        """
        for field in self._meta.concrete_fields:
            if not isinstance(field.default, Promise):
                continue
            value = getattr(self, field.attname)
            if value in {default_in(field.default, language) for language in Language.values}:
                setattr(self, field.attname, default_in(field.default, self.language))

    @property
    def allowed_origin_list(self):
        """
        The valid entries, as browsers write origins. An entry stored before
        the check was strict (or past it) is left out: it must never reach a
        header.
        """
        origins = (normalize_origin(entry) for entry in self.allowed_origins.split())
        return list(dict.fromkeys(origin for origin in origins if origin))


class ChannelPrivacyText(models.Model):
    """The consent checkbox's text and the privacy notice's address, in one language (the widget's)."""

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="privacy_texts", verbose_name=_("channel")
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    text = models.TextField(
        _("consent text"),
        max_length=1000,
        help_text=_("Next to the checkbox, e.g. “I agree that my data is processed to answer my question.”"),
    )
    link = models.URLField(_("privacy notice"), max_length=500, blank=True, help_text=_("Linked after the text."))

    class Meta:
        verbose_name = _("privacy text")
        verbose_name_plural = _("privacy texts")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "language"], name="one_privacy_text_per_language"),
        ]

    def __str__(self):
        return self.get_language_display()


# The channel's texts a customer reads, which a ChannelText may give in
# another language (chat.configuration.texts picks them).
TEXT_FIELDS = (
    "button_label",
    "header_title",
    "welcome_message",
    "queue_message",
    "closed_message",
    "request_header",
    "request_message",
    "postchat_header",
    "postchat_message",
    "rating_label",
)


class ChannelText(models.Model):
    """
    The channel's texts in a language other than its own, for customers whose
    browser asks for it. Every text is optional: an empty one falls back to
    the channel's own text, and a default there to the default in this language.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="texts", verbose_name=_("channel"))
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    button_label = models.CharField(_("button label"), max_length=40, blank=True)
    header_title = models.CharField(_("header title"), max_length=80, blank=True)
    welcome_message = models.TextField(_("welcome message"), blank=True)
    queue_message = models.TextField(
        _("queue message"), blank=True, help_text=_("{position} and {wait} as in the channel's queue message.")
    )
    closed_message = models.TextField(_("closed message"), blank=True)
    request_header = models.CharField(_("request form header"), max_length=120, blank=True)
    request_message = models.TextField(_("request form message"), blank=True)
    postchat_header = models.CharField(_("post-chat form header"), max_length=120, blank=True)
    postchat_message = models.TextField(_("post-chat form message"), blank=True)
    rating_label = models.CharField(_("rating label"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("texts in another language")
        verbose_name_plural = _("texts in other languages")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "language"], name="one_channel_text_per_language"),
        ]

    def __str__(self):
        return self.get_language_display()


class ChannelMembership(models.Model):
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("channel")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_memberships", verbose_name=_("agent")
    )
    is_manager = models.BooleanField(_("manager"), default=False)
    may_listen_in = models.BooleanField(
        _("may listen in"),
        default=False,
        help_text=_(
            "A manager who may follow every active chat of the channel live without the customer being told, "
            "whisper to its agent, and join or take over the chat."
        ),
    )

    class Meta:
        verbose_name = _("agent of the channel")
        verbose_name_plural = _("agents of the channel")
        constraints = [models.UniqueConstraint(fields=["channel", "user"], name="unique_channel_member")]

    def __str__(self):
        return f"{self.user} @ {self.channel}"


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    LONG_TEXT = "textarea", _("Long text")
    CHOICE = "choice", _("Choice")
    CHECKBOX = "checkbox", _("Checkbox")


class FormKind(models.TextChoices):
    PRECHAT = "prechat", _("Pre-chat form")
    REQUEST = "request", _("Request form")


class PreChatField(models.Model):
    """An extra field of a channel's pre-chat or request form; name and e-mail are always asked."""

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="form_fields", verbose_name=_("channel")
    )
    form = models.CharField(_("form"), max_length=10, choices=FormKind.choices, default=FormKind.PRECHAT)
    key = models.SlugField(_("key"), max_length=40, help_text=_("A short name for the field, e.g. customer_number."))
    label = models.CharField(_("label"), max_length=120)
    field_type = models.CharField(_("type"), max_length=10, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(_("choices"), blank=True, help_text=_("For a choice field: one option per line."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("pre-chat form field")
        verbose_name_plural = _("pre-chat form fields")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["channel", "form", "key"], name="unique_form_field_key")]

    def __str__(self):
        return self.label

    def clean(self):
        if self.key in RESERVED_FIELD_KEYS:
            raise ValidationError({"key": _("This key is reserved; name and e-mail are always asked for.")})
        if self.field_type == FieldType.CHOICE and not self.choice_list:
            raise ValidationError({"choices": _("A choice field needs at least one option.")})

    @property
    def choice_list(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningInterval(models.Model):
    """
    One interval of a weekday, in the channel's time zone. A lunch break is two
    intervals; an interval whose end is not after its start runs past midnight.
    """

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="opening_intervals", verbose_name=_("channel")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"), help_text=_("At or before the opening time: the next day."))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens_at"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class SpecialDate(models.Model):
    """
    A date with its own hours: closed all day (a holiday) when it has no times,
    else open in the given interval instead of the weekday's hours. Several
    rows for one date give several intervals.
    """

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="special_dates", verbose_name=_("channel")
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. Christmas Day"))
    opens_at = models.TimeField(_("opens"), null=True, blank=True, help_text=_("Empty: closed all day."))
    closes_at = models.TimeField(_("closes"), null=True, blank=True)

    class Meta:
        verbose_name = _("holiday or special date")
        verbose_name_plural = _("holidays and special dates")
        ordering = ["date", "opens_at"]

    def __str__(self):
        return f"{self.date} {self.name}"

    def clean(self):
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError(_("Give both times, or neither for a day closed all day."))

    @property
    def closed_all_day(self):
        return self.opens_at is None


class ChannelFaqStats(Channel):
    """The channels seen from the FAQ: how many chats the suggestions avoided (read-only admin)."""

    class Meta:
        proxy = True
        verbose_name = _("FAQ statistics of a channel")
        verbose_name_plural = _("FAQ statistics per channel")
