"""Administrators configure channels here: forms, opening hours, members, the embed snippet, the FAQ figures."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from chat.configuration.colors import contrast_ratio, readable_text_color
from chat.configuration.models import (
    Channel,
    ChannelFaqStats,
    ChannelMembership,
    OpeningInterval,
    PreChatField,
    SpecialDate,
)
from chat.conversations.models import ChatStatus
from faq.admin import ChannelCategoryInline
from faq.models import SuggestionOutcome


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
    inlines = [
        PreChatFieldInline,
        ChannelMembershipInline,
        OpeningIntervalInline,
        SpecialDateInline,
        ChannelCategoryInline,
    ]
    fieldsets = (
        (None, {"fields": ("name", "slug", "language", "time_zone", "allowed_origins", "embed_snippet")}),
        (
            _("Look and texts"),
            {"fields": ("button_label", "header_title", "color", "color_preview", "welcome_message", "queue_message")},
        ),
        (
            _("Queue and agents"),
            {"fields": ("assign_automatically", "max_chats_per_agent", "customer_timeout_seconds")},
        ),
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


@admin.register(ChannelFaqStats)
class ChannelFaqStatsAdmin(admin.ModelAdmin):
    """Per channel: how often suggestions were shown, and the share of chats they avoided."""

    list_display = ("name", "faq_enabled", "category_list", "sessions_shown", "sessions_answered", "avoided_share")
    list_filter = ("faq_enabled",)
    search_fields = ("name", "slug")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _shown=Count("faq_sessions", distinct=True),
                _answered=Count(
                    "faq_sessions", filter=Q(faq_sessions__outcome=SuggestionOutcome.ANSWERED), distinct=True
                ),
            )
            .prefetch_related("faq_categories")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("FAQ categories"))
    def category_list(self, channel):
        return ", ".join(category.name for category in channel.faq_categories.all())

    @admin.display(description=_("questions with suggestions"), ordering="_shown")
    def sessions_shown(self, channel):
        return channel._shown

    @admin.display(description=_("answered by the FAQ"), ordering="_answered")
    def sessions_answered(self, channel):
        return channel._answered

    @admin.display(description=_("chats avoided"))
    def avoided_share(self, channel):
        """Of the questions that got suggestions, the share the customer marked as answered."""
        if not channel._shown:
            return "–"
        return f"{channel._answered / channel._shown:.0%}"
