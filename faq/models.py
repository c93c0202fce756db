"""FAQ categories and entries, which channels suggest them, and how often they helped."""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from faq.sanitize import sanitize_answer
from infra.languages import Language

# Other ways customers ask (Entry.phrasings): enough for the wordings a team
# collects over time, few enough that 5,000 entries stay a matrix of modest size.
MAX_PHRASINGS = 30
MAX_PHRASING_CHARS = 300


def phrasing_lines(text):
    """The lines of an entry's phrasings: stripped, without blanks and repeats."""
    return list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))


def validate_phrasings(text):
    lines = phrasing_lines(text)
    if len(lines) > MAX_PHRASINGS:
        raise ValidationError(
            ngettext_lazy("At most %(limit)d line, not %(count)d.", "At most %(limit)d lines, not %(count)d.", "limit"),
            params={"limit": MAX_PHRASINGS, "count": len(lines)},
            code="too_many_phrasings",
        )
    for line in lines:
        if len(line) > MAX_PHRASING_CHARS:
            raise ValidationError(
                _("Each line at most %(limit)d characters; this one has %(length)d: %(line)s"),
                params={"limit": MAX_PHRASING_CHARS, "length": len(line), "line": line[:60] + "…"},
                code="phrasing_too_long",
            )


class Category(models.Model):
    """A folder of FAQ entries; a channel suggests the entries of the categories it is linked to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    channels = models.ManyToManyField(
        "chat.Channel",
        through="ChannelCategory",
        related_name="faq_categories",
        blank=True,
        verbose_name=_("channels"),
        help_text=_("The chat channels that suggest this category's entries."),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ChannelCategory(models.Model):
    channel = models.ForeignKey(
        "chat.Channel", on_delete=models.CASCADE, related_name="faq_category_links", verbose_name=_("channel")
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="channel_links", verbose_name=_("FAQ category")
    )

    class Meta:
        verbose_name = _("FAQ category of the channel")
        verbose_name_plural = _("FAQ categories of the channel")
        constraints = [models.UniqueConstraint(fields=["channel", "category"], name="unique_faq_channel_category")]

    def __str__(self):
        return f"{self.category} @ {self.channel}"


class Entry(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="entries", verbose_name=_("category"))
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(
        _("answer"),
        help_text=_(
            "Links and simple formatting are kept: paragraphs, line breaks, bold, italic and lists. "
            "Everything else is removed when the entry is saved."
        ),
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_("Other words customers use for this topic, separated by commas, e.g. refund, send back."),
    )
    phrasings = models.TextField(
        _("other ways customers ask"),
        blank=True,
        validators=[validate_phrasings],
        help_text=_(
            "One customer message per line, in the customers' own words, e.g. "
            "“the seam came open after a week” or “sent it back two weeks ago and still no money”. "
            "The suggestions find this entry by them even when they share no word with it; "
            "customers never see them. At most 30 lines."
        ),
    )
    published = models.BooleanField(_("published"), default=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Among equally good matches, lower numbers come first.")
    )
    suggested_count = models.PositiveIntegerField(_("suggested"), default=0, editable=False)
    opened_count = models.PositiveIntegerField(_("opened"), default=0, editable=False)
    answered_count = models.PositiveIntegerField(_("marked as the answer"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["category", "order", "id"]
        indexes = [
            models.Index(fields=["category", "language", "published"], name="faq_entry_lookup_idx"),
            # selectors.index_stamp runs on every question: with updated_at and id in the index it reads
            # the index alone, not every entry's row (5,000 entries: SQLite 2.6 -> 1.1 ms, PostgreSQL
            # 2.1 -> 1.3 ms, an index-only scan).
            models.Index(fields=["category", "language", "updated_at", "id"], name="faq_entry_stamp_idx"),
        ]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        self.answer = sanitize_answer(self.answer)
        self.phrasings = "\n".join(phrasing_lines(self.phrasings))
        super().save(*args, **kwargs)


class SuggestionOutcome(models.TextChoices):
    OPEN = "", _("No decision")
    ANSWERED = "answered", _("Answered by the FAQ")


class SuggestionSession(models.Model):
    """
    One time a customer was shown FAQ suggestions instead of going straight to
    the queue. Nothing the customer typed is kept: only whether the FAQ answered.
    """

    channel = models.ForeignKey(
        "chat.Channel", on_delete=models.CASCADE, related_name="faq_sessions", verbose_name=_("channel")
    )
    key = models.CharField(max_length=32, unique=True, editable=False)
    created_at = models.DateTimeField(_("shown"), auto_now_add=True, db_index=True)
    shown_count = models.PositiveSmallIntegerField(_("entries shown"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=SuggestionOutcome.choices, blank=True)
    answered_entry = models.ForeignKey(
        Entry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )

    class Meta:
        verbose_name = _("FAQ suggestion")
        verbose_name_plural = _("FAQ suggestions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.channel} {self.created_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def new_key():
        return secrets.token_urlsafe(16)[:32]
