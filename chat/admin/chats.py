"""Administrators look at chats and presence here; what changes a chat goes through chat.conversations."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chat.conversations import postchat, services
from chat.conversations.file_checks import format_size
from chat.conversations.models import (
    AgentPresence,
    Attachment,
    Chat,
    ChatNote,
    ChatStatus,
    ChatTransfer,
    Message,
    Party,
)
from infra.admin_tables import LabelledTabularInline
from infra.dates import EMPTY, datetime_column, duration_text, local_datetime
from infra.outbox.models import EmailStatus


def chat_zone(chat):
    """A chat's times are read in its channel's time zone, where its customers and agents are."""
    return chat.channel.time_zone


def row_zone(row):
    return chat_zone(row.chat)


class ChatRowInline(LabelledTabularInline):
    """A read-only table of a chat's rows, whose times are in the channel's zone."""

    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("chat__channel")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MessageInline(ChatRowInline):
    model = Message
    fields = ("seq", "sent", "author", "agent", "kind", "body", "event")
    readonly_fields = fields
    sent = datetime_column(Message, "created_at", zone_of=row_zone)


class ChatNoteInline(ChatRowInline):
    """The agents' internal notes, read-only: they are the agents' record, written from the dashboard."""

    model = ChatNote
    fields = ("written", "agent", "body")
    readonly_fields = fields
    written = datetime_column(ChatNote, "created_at", zone_of=row_zone)


class ChatTransferInline(ChatRowInline):
    """Who handed the chat on, to whom and how it was answered; read-only, transfers happen in the dashboard."""

    model = ChatTransfer
    fk_name = "chat"
    fields = ("offered", "requested_by", "from_agent", "to_agent", "from_channel", "to_channel", "status", "note")
    readonly_fields = fields
    offered = datetime_column(ChatTransfer, "created_at", zone_of=row_zone)


class AttachmentInline(ChatRowInline):
    """The chat's files, read-only: sent from the widget and the dashboard, removed with the chat."""

    model = Attachment
    fields = ("sent", "author", "agent", "name", "content_type", "size_display", "is_image")
    readonly_fields = fields
    sent = datetime_column(Attachment, "created_at", zone_of=row_zone)

    @admin.display(description=_("size"))
    def size_display(self, attachment):
        return format_size(attachment.size)


def _display_value(value):
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def rating_averages(chats):
    """Average rating and number of rated chats per channel and per agent, of the chats given."""
    rated = chats.exclude(rating=None).order_by()
    by_channel = (
        rated.values("channel__name").annotate(average=Avg("rating"), count=Count("pk")).order_by("channel__name")
    )
    by_agent = (
        rated.exclude(agent=None)
        .values("agent__username", "agent__first_name", "agent__last_name")
        .annotate(average=Avg("rating"), count=Count("pk"))
        .order_by("agent__username")
    )
    return {
        "channels": [(row["channel__name"], row["average"], row["count"]) for row in by_channel],
        "agents": [
            (
                " ".join(filter(None, [row["agent__first_name"], row["agent__last_name"]])) or row["agent__username"],
                row["average"],
                row["count"],
            )
            for row in by_agent
        ],
    }


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "channel",
        "customer_name",
        "customer_email",
        "status",
        "agent",
        "created",
        "wait",
        "length",
        "ended_by",
        "rating",
    )
    list_select_related = ("channel", "agent")
    list_filter = ("status", "channel", "agent", "rating", "email_domain_verified", "created_at")
    search_fields = ("customer_name", "customer_email")
    date_hierarchy = "created_at"
    inlines = [MessageInline, AttachmentInline, ChatNoteInline, ChatTransferInline]
    actions = ["end_chats"]
    # Each time in the channel's zone, named (infra.dates).
    created = datetime_column(Chat, "created_at", zone_of=chat_zone)
    queued = datetime_column(Chat, "queued_at", zone_of=chat_zone)
    taken = datetime_column(Chat, "accepted_at", zone_of=chat_zone)
    first_answer = datetime_column(Chat, "first_response_at", zone_of=chat_zone)
    ended = datetime_column(Chat, "ended_at", zone_of=chat_zone)
    consent = datetime_column(Chat, "consent_at", zone_of=chat_zone)
    postchat_sent = datetime_column(Chat, "postchat_submitted_at", zone_of=chat_zone)
    customer_seen = datetime_column(Chat, "customer_seen_at", zone_of=chat_zone)
    personal_data_removed = datetime_column(Chat, "personal_data_removed_at", zone_of=chat_zone)
    LOCAL_TIMES = (
        "created",
        "queued",
        "taken",
        "first_answer",
        "ended",
        "consent",
        "postchat_sent",
        "customer_seen",
        "personal_data_removed",
    )
    readonly_fields = [
        f.name for f in Chat._meta.fields if f.name != "token_hash" and not isinstance(f, models.DateTimeField)
    ] + ["form_data_display", "transcript_state", "wait", "length", *LOCAL_TIMES]
    fieldsets = (
        (None, {"fields": ("channel", "status", "agent", "customer_name", "customer_email", "email_domain_verified")}),
        (_("Pre-chat form"), {"fields": ("form_data_display", "consent")}),
        (
            _("Where the chat started"),
            {"fields": ("page_url", "page_title", "user_agent", "customer_time_zone", "language")},
        ),
        (_("After the chat"), {"fields": ("rating", "rating_comment", "postchat_sent", "transcript_state")}),
        (
            _("Times"),
            {
                "fields": (
                    "created",
                    "queued",
                    "taken",
                    "wait",
                    "first_answer",
                    "ended",
                    "length",
                    "ended_by",
                    "end_reason",
                    "reopened_count",
                )
            },
        ),
        (
            _("Details"),
            {
                "fields": (
                    "initial_position",
                    "last_seq",
                    "agent_read_seq",
                    "customer_seen",
                    "personal_data_removed",
                ),
                "classes": ("collapse",),
            },
        ),
    )

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("wait"))
    def wait(self, chat):
        """From joining the queue until an agent took the chat (or it ended untaken); still waiting: until now."""
        if chat.queued_at is None:
            return EMPTY
        return duration_text((chat.accepted_at or chat.ended_at or timezone.now()) - chat.queued_at)

    @admin.display(description=_("chat length"))
    def length(self, chat):
        """From the agent taking the chat until it ended; still going on: until now."""
        if chat.accepted_at is None:
            return EMPTY
        return duration_text((chat.ended_at or timezone.now()) - chat.accepted_at)

    @admin.display(description=_("pre-chat form"))
    def form_data_display(self, chat):
        rows = [
            (field.get("label") or field.get("key", ""), _display_value(field.get("value")))
            for field in (chat.form_data or [])
            if isinstance(field, dict)
        ]
        if not rows:
            return "—"
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

    @admin.display(description=_("transcript"))
    def transcript_state(self, chat):
        email = postchat.transcript_email(chat)
        if email is None:
            return _("Not requested")
        if email.status == EmailStatus.SENT:
            return format_html("{} {} · {}", _("Sent"), local_datetime(email.sent_at, chat_zone(chat)), email.to)
        if email.status == EmailStatus.FAILED:
            return format_html("{}: {}", _("Failed"), email.last_error)
        if email.status == EmailStatus.LIMITED:
            return email.last_error  # why it was not sent: too many e-mails to the address
        if email.last_error:
            return format_html(
                "{} ({}): {}",
                email.get_status_display(),
                _("attempt %(n)d failed") % {"n": email.attempts},
                email.last_error,
            )
        return email.get_status_display()

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # Averages of the chats the filters select; a redirect (after an action) has no context.
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["rating_summary"] = rating_averages(context["cl"].queryset)
        return response

    @admin.action(description=_("End the selected chats"))
    def end_chats(self, request, queryset):
        ended = 0
        for chat in queryset.exclude(status=ChatStatus.ENDED):
            services.end_chat(chat, by=Party.SYSTEM)
            ended += 1
        self.message_user(
            request,
            ngettext("%(count)d chat ended.", "%(count)d chats ended.", ended) % {"count": ended},
            messages.SUCCESS,
        )


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin):
    list_display = ("user", "status", "seen")
    list_filter = ("status",)
    fields = ("user", "status", "seen")
    readonly_fields = ("seen",)
    # An agent may work for channels in several zones: the server's.
    seen = datetime_column(AgentPresence, "seen_at")
