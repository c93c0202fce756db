"""Canned replies in the admin: every channel's shared ones and every agent's own, searchable, with their use."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chat.configuration.canned_replies import CannedReply
from infra.dates import datetime_column


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ("channel", "owner", "shortcut", "title", "body", "language")

    def clean(self):
        cleaned = super().clean()
        # The database's check constraint, in words an administrator reads.
        if bool(cleaned.get("channel")) == bool(cleaned.get("owner")):
            raise ValidationError(
                _("Choose either a channel (a shared reply) or an agent (a personal reply), not both and not neither.")
            )
        return cleaned


class SharedOrPersonalFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return (("shared", _("shared in a channel")), ("personal", _("personal")))

    def queryset(self, request, queryset):
        if self.value() == "shared":
            return queryset.filter(owner__isnull=True)
        if self.value() == "personal":
            return queryset.filter(channel__isnull=True)
        return queryset


def reply_zone(reply):
    return reply.channel.time_zone if reply.channel_id else None


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    form = CannedReplyForm
    list_display = ("shortcut", "title", "language", "channel", "owner", "usage_count")
    list_filter = (SharedOrPersonalFilter, "channel", "language")
    search_fields = ("shortcut", "title", "body")
    autocomplete_fields = ("channel", "owner")
    readonly_fields = ("usage_count", "created", "changed")
    list_select_related = ("channel", "owner")
    # A shared reply's times in its channel's zone; a personal one's in the server's.
    created = datetime_column(CannedReply, "created_at", zone_of=reply_zone)
    changed = datetime_column(CannedReply, "updated_at", zone_of=reply_zone)


class CannedReplyInline(admin.StackedInline):
    """The channel's shared replies on its own page; personal ones are kept by their agents."""

    model = CannedReply
    fk_name = "channel"
    extra = 0
    fields = (("shortcut", "language"), "title", "body", "usage_count")
    readonly_fields = ("usage_count",)
    verbose_name = _("shared canned reply")
    verbose_name_plural = _("shared canned replies")
    classes = ("collapse",)
