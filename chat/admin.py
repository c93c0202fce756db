"""Administrators configure channels and look at chats here; chat changes go through chat.services."""
from django.contrib import admin, messages
from django.db.models import Avg, Count
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chat import postchat, services
from chat.colors import contrast_ratio, readable_text_color
from chat.models import (
    AgentPresence,
    Channel,
    ChannelMembership,
    Chat,
    ChatStatus,
    Message,
    OpeningInterval,
    Party,
    PreChatField,
    SpecialDate,
)
from faq.admin import ChannelCategoryInline
from requests_app.models import EmailStatus


class PreChatFieldInline(admin.TabularInline):
    model = PreChatField
    extra = 0
    verbose_name_plural = _("form fields (name and e-mail are always asked for)")
    fields = ("form", "order", "key", "label", "field_type", "required", "choices")


class OpeningIntervalInline(admin.TabularInline):
    model = OpeningInterval
    extra = 0
    fields = ("weekday", "opens_at", "closes_at")


class SpecialDateInline(admin.TabularInline):
    model = SpecialDate
    extra = 0
    fields = ("date", "name", "opens_at", "closes_at")


class ChannelMembershipInline(admin.TabularInline):
    model = ChannelMembership
    extra = 0
    autocomplete_fields = ("user",)
    verbose_name = _("agent")
    verbose_name_plural = _("agents")


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "language", "assign_automatically", "agent_count", "waiting_count")
    list_filter = ("language", "assign_automatically")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("embed_snippet", "color_preview")
    inlines = [PreChatFieldInline, ChannelMembershipInline, OpeningIntervalInline, SpecialDateInline, ChannelCategoryInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "language", "time_zone", "allowed_origins", "embed_snippet")}),
        (_("Look and texts"), {"fields": ("button_label", "header_title", "color", "color_preview", "welcome_message", "queue_message")}),
        (_("Queue and agents"), {"fields": ("assign_automatically", "max_chats_per_agent", "customer_timeout_seconds")}),
        (
            _("Opening hours and closed view"),
            {
                "fields": ("opening_hours_enabled", "closed_message", "hide_button_when_closed"),
                "description": _("The weekly hours, holidays and special dates are edited further down."),
            },
        ),
        (
            _("Requests"),
            {
                "fields": (
                    "request_enabled",
                    "request_header",
                    "request_message",
                    "request_template",
                    "offer_request_after_minutes",
                    "offer_request_when_waiting_over",
                )
            },
        ),
        (
            _("After the chat"),
            {
                "fields": (
                    "postchat_enabled",
                    "postchat_header",
                    "postchat_message",
                    "rating_label",
                    "transcript_enabled",
                    "transcript_template",
                ),
                "description": _(
                    "The post-chat form asks for a rating from 1 to 5 and a comment when the customer closes "
                    "the chat or the agent ends it. The transcript goes to the customer's e-mail address."
                ),
            },
        ),
        (
            _("FAQ suggestions"),
            {
                "fields": ("faq_enabled", "faq_max_suggestions"),
                "description": _("The FAQ categories the channel suggests are chosen further down."),
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _agent_count=Count("memberships", distinct=True),
            )
        )

    @admin.display(description=_("agents"), ordering="_agent_count")
    def agent_count(self, channel):
        return channel._agent_count

    @admin.display(description=_("waiting"))
    def waiting_count(self, channel):
        return channel.chats.filter(status=ChatStatus.QUEUED).count()

    @admin.display(description=_("embed snippet"))
    def embed_snippet(self, channel):
        if not channel.pk:
            return _("Save the channel to get its snippet.")
        return format_html(
            '<textarea class="helpdesk-snippet" readonly rows="2" cols="90" aria-label="{}">{}</textarea>'
            '<div class="help">{}</div>',
            _("embed snippet"),
            snippet_for(self.request_base_url, channel),
            _("Paste this before </body> on every page of the channel's websites."),
        )

    @admin.display(description=_("colour preview"))
    def color_preview(self, channel):
        text = readable_text_color(channel.color)
        return format_html(
            '<span class="helpdesk-color-preview" data-background="{}" data-color="{}">{}</span> {}',
            channel.color,
            text,
            channel.button_label,
            _("contrast %(ratio).1f : 1") % {"ratio": contrast_ratio(channel.color, text)},
        )

    # Each template field offers only the templates written for that purpose.
    TEMPLATE_PURPOSES = {"request_template": "request_confirmation", "transcript_template": "transcript"}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.TEMPLATE_PURPOSES:
            kwargs["queryset"] = db_field.related_model.objects.filter(purpose=self.TEMPLATE_PURPOSES[db_field.name])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        # The snippet names this site's address as the administrator reaches
        # it; read-only fields get no request, so it is noted here.
        self.request_base_url = request.build_absolute_uri("/").rstrip("/")
        return super().get_form(request, obj, **kwargs)


def snippet_for(base_url, channel):
    return f'<script src="{base_url}/static/widget/loader.js" data-channel="{channel.slug}" async></script>'


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ("seq", "created_at", "author", "agent", "kind", "body", "event")
    readonly_fields = fields

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
    by_channel = rated.values("channel__name").annotate(average=Avg("rating"), count=Count("pk")).order_by("channel__name")
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
        "pk", "channel", "customer_name", "customer_email", "status", "agent", "created_at", "ended_by", "rating",
    )
    list_filter = ("status", "channel", "agent", "rating", "email_domain_verified", "created_at")
    search_fields = ("customer_name", "customer_email")
    date_hierarchy = "created_at"
    inlines = [MessageInline]
    actions = ["end_chats"]
    readonly_fields = [f.name for f in Chat._meta.fields if f.name != "token_hash"] + [
        "form_data_display",
        "transcript_state",
    ]
    fieldsets = (
        (None, {"fields": ("channel", "status", "agent", "customer_name", "customer_email", "email_domain_verified")}),
        (_("Pre-chat form"), {"fields": ("form_data_display",)}),
        (_("After the chat"), {"fields": ("rating", "rating_comment", "postchat_submitted_at", "transcript_state")}),
        (
            _("Times"),
            {"fields": ("created_at", "queued_at", "accepted_at", "ended_at", "ended_by", "end_reason", "reopened_count")},
        ),
        (
            _("Details"),
            {"fields": ("initial_position", "last_seq", "agent_read_seq", "customer_seen_at"), "classes": ("collapse",)},
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
            return format_html("{} {} · {}", _("Sent"), date_format(localtime(email.sent_at), "DATETIME_FORMAT"), email.to)
        if email.status == EmailStatus.FAILED:
            return format_html("{}: {}", _("Failed"), email.last_error)
        if email.status == EmailStatus.LIMITED:
            return email.last_error  # why it was not sent: too many e-mails to the address
        if email.last_error:
            return format_html(
                "{} ({}): {}", email.get_status_display(), _("attempt %(n)d failed") % {"n": email.attempts}, email.last_error
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
