"""Administrators keep the FAQ here and see how often it answered questions before a chat."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from faq.models import Category, ChannelCategory, Entry
from infra.admin_tables import LabelledListEditableAdmin, LabelledTabularInline
from infra.dates import datetime_column


class ChannelCategoryInline(LabelledTabularInline):
    """On the channel's page (chat.admin): which FAQ categories it suggests."""

    model = ChannelCategory
    fk_name = "channel"
    extra = 0
    verbose_name = _("FAQ category")
    verbose_name_plural = _("FAQ categories suggested by this channel")


class CategoryChannelInline(LabelledTabularInline):
    model = ChannelCategory
    fk_name = "category"
    extra = 0
    verbose_name = _("channel")
    verbose_name_plural = _("channels that suggest this category")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "entry_count", "channel_list")
    search_fields = ("name",)
    inlines = [CategoryChannelInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_entry_count=Count("entries")).prefetch_related("channels")

    @admin.display(description=_("entries"), ordering="_entry_count")
    def entry_count(self, category):
        return category._entry_count

    @admin.display(description=_("channels"))
    def channel_list(self, category):
        return ", ".join(channel.name for channel in category.channels.all())


@admin.register(Entry)
class EntryAdmin(LabelledListEditableAdmin):
    list_display = (
        "question",
        "category",
        "language",
        "published",
        "order",
        "suggested_count",
        "opened_count",
        "answered_count",
        "answer_rate",
    )
    list_filter = ("language", "published", "category")
    list_editable = ("published", "order")
    search_fields = ("question", "keywords", "phrasings", "answer")
    readonly_fields = ("preview", "suggested_count", "opened_count", "answered_count", "created", "changed")
    actions = ["publish", "unpublish"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "category",
                    "language",
                    "question",
                    "answer",
                    "preview",
                    "keywords",
                    "phrasings",
                    "published",
                    "order",
                )
            },
        ),
        (_("Use"), {"fields": ("suggested_count", "opened_count", "answered_count", "created", "changed")}),
    )
    # An entry serves every channel of its categories: the server's zone, named.
    created = datetime_column(Entry, "created_at")
    changed = datetime_column(Entry, "updated_at")

    @admin.display(description=_("answered"))
    def answer_rate(self, entry):
        """Share of the suggestions of this entry that answered the question."""
        if not entry.suggested_count:
            return "–"
        return f"{entry.answered_count / entry.suggested_count:.0%}"

    @admin.display(description=_("preview in the widget"))
    def preview(self, entry):
        if not entry.pk:
            return _("Save the entry to see how its answer shows in the widget.")
        # The answer was sanitized on save (faq.sanitize): only links and simple formatting remain.
        return format_html(
            '<div class="helpdesk-faq-preview"><p class="helpdesk-faq-preview__question">{}</p>{}</div>',
            entry.question,
            mark_safe(entry.answer),
        )

    def _set_published(self, request, queryset, published):
        # updated_at too: it tells every server process to rebuild its index.
        count = queryset.update(published=published, updated_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d entry changed.", "%(count)d entries changed.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish the selected entries"))
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description=_("Unpublish the selected entries"))
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)
