"""
Canned replies: texts an agent inserts from the composer by typing ``/`` and
a few letters. Shared ones belong to a channel (kept by its managers and in
the admin), personal ones to one agent. A reply may exist once per language;
the customer's language picks the variant, one without a language fits all.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from infra.languages import Language

__all__ = ["CannedReply"]


class CannedReply(models.Model):
    channel = models.ForeignKey(
        "chat.Channel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("channel"),
        help_text=_("Shared with every agent of this channel. Empty for a personal reply."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("agent"),
        help_text=_("A personal reply of this agent. Empty for a reply shared in a channel."),
    )
    shortcut = models.SlugField(
        _("shortcut"), max_length=40, help_text=_("Typed after / in the composer, e.g. greeting.")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(
        _("text"),
        max_length=4000,
        help_text=_(
            "Placeholders: {customer_first_name}, {customer_name}, {agent_name}, {channel}. "
            "They are filled in before the text is sent."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: for customers of every language."),
    )
    usage_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["shortcut", "language"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__isnull=False, owner__isnull=True)
                | models.Q(channel__isnull=True, owner__isnull=False),
                name="canned_reply_shared_or_personal",
            ),
            models.UniqueConstraint(
                fields=["channel", "shortcut", "language"],
                condition=models.Q(owner__isnull=True),
                name="unique_shared_canned_reply",
            ),
            models.UniqueConstraint(
                fields=["owner", "shortcut", "language"],
                condition=models.Q(channel__isnull=True),
                name="unique_personal_canned_reply",
            ),
        ]

    def __str__(self):
        return f"/{self.shortcut}"

    @property
    def is_personal(self):
        return self.owner_id is not None
