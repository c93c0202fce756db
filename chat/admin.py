"""Administrators configure channels and look at chats here; chat changes go through chat.services."""
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chat import services
from chat.colors import contrast_ratio, readable_text_color
from chat.models import AgentPresence, Channel, ChannelMembership, Chat, ChatStatus, Message, Party, PreChatField


class PreChatFieldInline(admin.TabularInline):
    model = PreChatField
    extra = 0
    verbose_name_plural = _("pre-chat form fields (name and e-mail are always asked)")
    fields = ("order", "key", "label", "field_type", "required", "choices")


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
    inlines = [PreChatFieldInline, ChannelMembershipInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "language", "time_zone", "allowed_origins", "embed_snippet")}),
        (_("Look and texts"), {"fields": ("button_label", "header_title", "color", "color_preview", "welcome_message", "queue_message")}),
        (_("Queue and agents"), {"fields": ("assign_automatically", "max_chats_per_agent", "customer_timeout_seconds")}),
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
            '<textarea readonly rows="2" cols="90" aria-label="{}" onclick="this.select()">{}</textarea>'
            '<div class="help">{}</div>',
            _("embed snippet"),
            snippet_for(self.request_base_url, channel),
            _("Paste this before </body> on every page of the channel's websites."),
        )

    @admin.display(description=_("colour preview"))
    def color_preview(self, channel):
        text = readable_text_color(channel.color)
        return format_html(
            '<span style="background:{};color:{};padding:.4em 1em;border-radius:1em">{}</span> {}',
            channel.color,
            text,
            channel.button_label,
            _("contrast %(ratio).1f : 1") % {"ratio": contrast_ratio(channel.color, text)},
        )

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


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ("pk", "channel", "customer_name", "customer_email", "status", "agent", "created_at", "ended_by")
    list_filter = ("status", "channel", "agent", "email_domain_verified", "created_at")
    search_fields = ("customer_name", "customer_email")
    date_hierarchy = "created_at"
    inlines = [MessageInline]
    actions = ["end_chats"]
    readonly_fields = [f.name for f in Chat._meta.fields if f.name != "token_hash"]
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False

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
