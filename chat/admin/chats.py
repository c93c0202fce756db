"""Administrators look at chats and presence here; what changes a chat goes through chat.conversations."""

from django.contrib import admin, messages
from django.db.models import Avg, Count
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
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
from infra.outbox.models import EmailStatus


class MessageInline(LabelledTabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ("seq", "created_at", "author", "agent", "kind", "body", "event")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChatNoteInline(LabelledTabularInline):
    """The agents' internal notes, read-only: they are the agents' record, written from the dashboard."""

    model = ChatNote
    extra = 0
    can_delete = False
    fields = ("created_at", "agent", "body")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChatTransferInline(LabelledTabularInline):
    """Who handed the chat on, to whom and how it was answered; read-only, transfers happen in the dashboard."""

    model = ChatTransfer
    fk_name = "chat"
    extra = 0
    can_delete = False
    fields = ("created_at", "requested_by", "from_agent", "to_agent", "from_channel", "to_channel", "status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttachmentInline(LabelledTabularInline):
    """The chat's files, read-only: sent from the widget and the dashboard, removed with the chat."""

    model = Attachment
    extra = 0
    can_delete = False
    fields = ("created_at", "author", "agent", "name", "content_type", "size_display", "is_image")
    readonly_fields = fields

    @admin.display(description=_("size"))
    def size_display(self, attachment):
        return format_size(attachment.size)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
        "created_at",
        "ended_by",
        "rating",
    )
    list_filter = ("status", "channel", "agent", "rating", "email_domain_verified", "created_at")
    search_fields = ("customer_name", "customer_email")
    date_hierarchy = "created_at"
    inlines = [MessageInline, AttachmentInline, ChatNoteInline, ChatTransferInline]
    actions = ["end_chats"]
    readonly_fields = [f.name for f in Chat._meta.fields if f.name != "token_hash"] + [
        "form_data_display",
        "transcript_state",
    ]
    fieldsets = (
        (None, {"fields": ("channel", "status", "agent", "customer_name", "customer_email", "email_domain_verified")}),
        (_("Pre-chat form"), {"fields": ("form_data_display", "consent_at")}),
        (
            _("Where the chat started"),
            {"fields": ("page_url", "page_title", "user_agent", "customer_time_zone", "language")},
        ),
        (_("After the chat"), {"fields": ("rating", "rating_comment", "postchat_submitted_at", "transcript_state")}),
        (
            _("Times"),
            {
                "fields": (
                    "created_at",
                    "queued_at",
                    "accepted_at",
                    "ended_at",
                    "ended_by",
                    "end_reason",
                    "reopened_count",
                )
            },
        ),
        (
            _("Details"),
            {
                "fields": ("initial_position", "last_seq", "agent_read_seq", "customer_seen_at"),
                "classes": ("collapse",),
            },
        ),
    )

    def has_add_permission(self, request):
        return False

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
            return format_html(
                "{} {} · {}", _("Sent"), date_format(localtime(email.sent_at), "DATETIME_FORMAT"), email.to
            )
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
    list_display = ("user", "status", "seen_at")
    list_filter = ("status",)
    readonly_fields = ("seen_at",)
