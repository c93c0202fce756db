"""Conversations: chats, their messages, and the agents' presence."""

import hashlib
import secrets

from django.conf import settings
from django.core.files.storage import storages
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
    # Where and with what the customer started the chat (the agent's view of
    # the customer): the page, the browser's User-Agent, the browser's time zone.
    page_url = models.URLField(_("page address"), max_length=2000, blank=True)
    page_title = models.CharField(_("page title"), max_length=300, blank=True)
    user_agent = models.CharField(_("browser (User-Agent)"), max_length=512, blank=True)
    customer_time_zone = models.CharField(_("customer's time zone"), max_length=64, blank=True)
    # The language the widget spoke to the customer when the chat began (the
    # browser's where the channel speaks it, chat.widget.language): canned
    # replies, the channel's texts and the transcript follow it.
    language = models.CharField(_("customer's language"), max_length=5, blank=True)
    # When an agent first wrote to the customer (the statistics' first-response
    # time): set once, by the path that stores the agent's first text.
    first_response_at = models.DateTimeField(_("first answer"), null=True, blank=True)
    # Privacy (docs/privacy.md): when the customer ticked the channel's consent
    # checkbox, and when the chat's personal data was removed (by retention
    # or an erasure), after which nothing of the person is left in it.
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    personal_data_removed_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["channel", "status", "queued_at"], name="chat_queue_idx"),
            models.Index(fields=["agent", "status"], name="chat_agent_status_idx"),
            models.Index(fields=["status", "customer_seen_at"], name="chat_status_seen_idx"),
            # A channel's chats by time (history, search, statistics). The
            # statistics (chat.statistics.figures) read a period's chats from
            # this index alone on PostgreSQL (an index-only scan): it carries
            # every column they aggregate. Other databases leave INCLUDE out
            # and keep the index on (channel, created_at).
            models.Index(
                fields=["channel", "created_at"],
                include=["queued_at", "accepted_at", "ended_at", "first_response_at", "agent", "rating", "end_reason"],
                name="chat_statistics_idx",
            ),
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
    # An FAQ entry an agent sent: params hold the entry's id and question.
    FAQ = "faq", _("FAQ entry")
    # A file: params hold the attachment's key, name, size, type and whether it is an image.
    FILE = "file", _("File")


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


class ChatNote(models.Model):
    """
    An agent's note in a chat that only agents see. Kept apart from the log on
    purpose: the customer's socket, state, transcript and request e-mails read
    Message only, so a note cannot reach them by any path.
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="notes", verbose_name=_("chat"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("agent")
    )
    client_id = models.CharField(max_length=64, blank=True)
    body = models.TextField(_("text"))
    # A manager's note to the handling agent from listening in
    # (chat.conversations.listening): the agent's dashboard marks it and rings.
    is_whisper = models.BooleanField(_("whisper from a manager"), default=False)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["chat", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chat", "client_id"], condition=~models.Q(client_id=""), name="unique_note_client_id"
            ),
        ]

    def __str__(self):
        return self.body[:40]


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Not answered in time")
    CANCELLED = "cancelled", _("Cancelled")
    QUEUED = "queued", _("Put in the channel's queue")


class ChatTransfer(models.Model):
    """
    A chat handed on: offered to another agent (who accepts or declines, or
    does not answer in time), moved to another channel's queue, or reassigned
    by a manager. The chat keeps its log, notes and form data; this row is the
    record of who moved it where.
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("chat"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    from_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from agent"),
    )
    to_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to agent"),
    )
    from_channel = models.ForeignKey(
        "chat.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("from channel")
    )
    to_channel = models.ForeignKey(
        "chat.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("to channel")
    )
    note = models.TextField(_("note to the receiver"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    created_at = models.DateTimeField(_("offered"), auto_now_add=True)
    expires_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"], name="chat_transfer_pending_idx")]
        constraints = [
            # At most one offer open per chat: two agents never both accept it.
            models.UniqueConstraint(
                fields=["chat"], condition=models.Q(status="pending"), name="one_pending_transfer_per_chat"
            ),
        ]

    def __str__(self):
        return _("Transfer of chat %(id)s") % {"id": self.chat_id}


def attachments_storage():
    """
    The storage of chat files, settings.STORAGES["attachments"] (the file
    system or S3, see the README). A callable, so that migrations stay the
    same whichever storage a site uses. Django calls it once, when the model
    is loaded; chat.conversations.attachments asks it again for every file.
    """
    return storages["attachments"]


def attachment_path(attachment, filename):
    """Stored under the chat and an unguessable key; the customer's file name is never a path."""
    return f"chat-files/{attachment.chat_id}/{attachment.key}"


class Attachment(models.Model):
    """
    A file sent in a chat, announced by its Message (kind FILE) so that the
    log's sequence numbers cover it. ``key`` is the unguessable part of its
    address; the file itself lives in the attachments storage and goes with
    its chat.
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("chat"))
    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachment", verbose_name=_("message")
    )
    key = models.CharField(max_length=64, unique=True, editable=False)
    author = models.CharField(_("sent by"), max_length=10, choices=Party.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("agent")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=attachments_storage, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    is_image = models.BooleanField(_("image"), default=False)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["chat", "created_at", "id"]

    def __str__(self):
        return self.name


class ChatParticipant(models.Model):
    """
    A second agent in a chat besides its handling agent (``Chat.agent``): a
    manager who joined from listening in. While ``left_at`` is empty they may
    write in the chat and the customer knows they are there.
    """

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="participants", verbose_name=_("chat"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("agent")
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent in the chat")
        verbose_name_plural = _("agents in the chat")
        constraints = [
            models.UniqueConstraint(
                fields=["chat", "agent"], condition=models.Q(left_at__isnull=True), name="one_open_participation"
            ),
        ]

    def __str__(self):
        return f"{self.agent} in {self.chat_id}"


class PresencePeriod(models.Model):
    """
    A stretch of time an agent was present (the statistics' "agents present
    over the day"): opened when they become present, closed when they go away
    or their last dashboard is gone.
    """

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("agent")
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("presence period")
        verbose_name_plural = _("presence periods")
        indexes = [models.Index(fields=["started_at", "ended_at"], name="presence_period_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"], condition=models.Q(ended_at__isnull=True), name="one_open_presence_period"
            ),
        ]

    def __str__(self):
        return f"{self.agent}: {self.started_at} - {self.ended_at or ''}"
