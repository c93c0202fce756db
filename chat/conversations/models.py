"""Conversations: chats, their messages, and the agents' presence."""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PresenceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    AWAY = "away", _("Away")


class AgentPresence(models.Model):
    """
    Whether an agent wants chats, and when a dashboard of theirs was last
    connected. An agent is available only when both hold: present, and seen
    within the grace period (see chat.conversations.agents).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence", verbose_name=_("agent")
    )
    status = models.CharField(_("status"), max_length=10, choices=PresenceStatus.choices, default=PresenceStatus.AWAY)
    seen_at = models.DateTimeField(_("dashboard last connected"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presences")

    def __str__(self):
        return f"{self.user}: {self.get_status_display()}"


class ChatStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting in the queue")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Party(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class EndReason(models.TextChoices):
    ENDED = "ended", _("Ended")
    ABANDONED = "abandoned", _("Abandoned: the customer was gone")
    LEFT_QUEUE = "left_queue", _("Left the queue: the customer was gone")
    REQUEST = "request", _("Turned into a request")


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class Chat(models.Model):
    channel = models.ForeignKey(
        "chat.Channel", on_delete=models.PROTECT, related_name="chats", verbose_name=_("channel")
    )
    status = models.CharField(_("status"), max_length=10, choices=ChatStatus.choices, default=ChatStatus.QUEUED)
    # Only the hash is stored: a database leak does not hand out live chats.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    customer_name = models.CharField(_("customer name"), max_length=100)
    customer_email = models.EmailField(_("customer e-mail"))
    email_domain_verified = models.BooleanField(
        _("e-mail domain verified"),
        default=True,
        help_text=_("Off when the DNS check could not be completed (time-out): the domain was not verified."),
    )
    form_data = models.JSONField(_("pre-chat form"), default=dict, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chats",
        verbose_name=_("agent"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    initial_position = models.PositiveIntegerField(_("position when queued"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("taken"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=10, choices=Party.choices, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=12, choices=EndReason.choices, blank=True)
    last_seq = models.PositiveIntegerField(_("last message number"), default=0)
    agent_read_seq = models.PositiveIntegerField(default=0)
    customer_seen_at = models.DateTimeField(_("customer last connected"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("comment"), blank=True)
    postchat_submitted_at = models.DateTimeField(_("post-chat form sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["channel", "status", "queued_at"], name="chat_queue_idx"),
            models.Index(fields=["agent", "status"], name="chat_agent_status_idx"),
            models.Index(fields=["status", "customer_seen_at"], name="chat_status_seen_idx"),
        ]

    def __str__(self):
        return _("Chat %(id)s with %(name)s") % {"id": self.pk, "name": self.customer_name}

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)

    @property
    def is_open(self):
        return self.status != ChatStatus.ENDED


class MessageKind(models.TextChoices):
    TEXT = "text", _("Text")
    EVENT = "event", _("Event")


class Message(models.Model):
    """
    One entry of a chat's log. Text is plain text, never HTML. Events (an agent
    joined, the chat ended) are stored in the same log so that both sides see
    them in order and get them again after a reconnect.
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages", verbose_name=_("chat"))
    seq = models.PositiveIntegerField(_("number"))
    client_id = models.CharField(max_length=64, blank=True)
    author = models.CharField(_("author"), max_length=10, choices=Party.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("agent")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices, default=MessageKind.TEXT)
    body = models.TextField(_("text"), blank=True)
    event = models.CharField(_("event"), max_length=20, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["chat", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chat", "seq"], name="unique_message_seq"),
            models.UniqueConstraint(
                fields=["chat", "client_id"], condition=~models.Q(client_id=""), name="unique_message_client_id"
            ),
        ]

    def __str__(self):
        return f"#{self.seq} {self.author}: {self.body[:40]}"
