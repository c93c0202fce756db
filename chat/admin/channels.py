"""
Administrators configure channels here: forms, opening hours, members, the
embed snippet, the websites refused (chat.admin.refused_origins), the FAQ figures.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from chat.admin.canned_replies import CannedReplyInline
from chat.admin.refused_origins import RefusedOriginsAdmin
from chat.configuration.colors import contrast_ratio, readable_text_color
from chat.configuration.models import (
    Channel,
    ChannelFaqStats,
    ChannelMembership,
    ChannelPrivacyText,
    ChannelText,
    OpeningInterval,
    PreChatField,
    SpecialDate,
    Weekday,
)
from chat.conversations.file_checks import KIND_LABELS, KINDS
from chat.conversations.models import ChatStatus
from chat.statistics.access import access_managed_channel
from faq.admin import ChannelCategoryInline
from faq.models import SuggestionOutcome
from infra.admin_tables import LabelledTabularInline
from infra.languages import Language


class PreChatFieldForm(forms.ModelForm):
    """Narrow inputs: all seven columns and "Delete" fit a 1,280 px window."""

    class Meta:
        model = PreChatField
        fields = ("form", "order", "key", "label", "field_type", "required", "choices")
        widgets = {
            "order": forms.NumberInput(attrs={"class": "helpdesk-narrow-number"}),
            "key": forms.TextInput(attrs={"size": 12}),
            "label": forms.TextInput(attrs={"size": 16}),
            "choices": forms.Textarea(attrs={"rows": 2, "cols": 14}),
        }


class PreChatFieldInline(LabelledTabularInline):
    model = PreChatField
    form = PreChatFieldForm
    extra = 0
    verbose_name_plural = _("form fields (name and e-mail are always asked for)")
    fields = ("form", "order", "key", "label", "field_type", "required", "choices")


# The browser's own time and date inputs: no typing "9:00" into a text field,
# and none of the admin's clock pop-up with its note about the server's time
# (opening hours are in the channel's time zone, whatever the server's is).
CALENDAR_INPUTS = {
    models.TimeField: {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")},
    models.DateField: {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")},
}


class OpeningIntervalInline(LabelledTabularInline):
    model = OpeningInterval
    extra = 0
    fields = ("weekday", "opens_at", "closes_at")
    formfield_overrides = CALENDAR_INPUTS


class SpecialDateInline(LabelledTabularInline):
    model = SpecialDate
    extra = 0
    fields = ("date", "name", "opens_at", "closes_at")
    formfield_overrides = CALENDAR_INPUTS


class ChannelPrivacyTextInline(LabelledTabularInline):
    model = ChannelPrivacyText
    extra = 0
    fields = ("language", "text", "link")
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }
    verbose_name_plural = _("privacy texts (the consent checkbox, per language the widget speaks)")


class ChannelTextFormSet(forms.BaseInlineFormSet):
    """Texts for other languages only: the channel's own fields above are its texts in its own language."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.cleaned_data.get("language") == self.instance.language:
                form.add_error(
                    "language",
                    _("The texts above are the channel's texts in %(language)s. Choose another language.")
                    % {"language": self.instance.get_language_display()},
                )


class ChannelTextInline(admin.StackedInline):
    """
    The channel's texts in other languages. Stacked, not a table: ten texts
    side by side would not fit the window, and each input keeps its visible label.
    """

    model = ChannelText
    formset = ChannelTextFormSet
    extra = 0
    max_num = len(Language.choices) - 1
    fields = (
        "language",
        ("button_label", "header_title"),
        ("welcome_message", "queue_message"),
        "closed_message",
        ("request_header", "request_message"),
        ("postchat_header", "postchat_message"),
        "rating_label",
    )
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }
    # The heading: with two languages shipped there is one other, and Django names it in the singular.
    verbose_name = _("texts in another language (for customers whose browser prefers it)")
    verbose_name_plural = _("texts in other languages (for customers whose browser prefers one)")


class ChannelMembershipForm(forms.ModelForm):
    """A membership: "may listen in" is a manager's right only (chat.conversations.listening)."""

    class Meta:
        model = ChannelMembership
        fields = ("user", "is_manager", "may_listen_in")
        help_texts = {
            "is_manager": _("Sees the team's load and may hand any chat of the channel to another agent."),
            "may_listen_in": _(
                "Only for a manager: follows every active chat of the channel live without the customer "
                "being told, may whisper to its agent, and join or take over the chat."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("may_listen_in") and not cleaned.get("is_manager"):
            self.add_error(
                "may_listen_in",
                _("Only a manager may listen in. Tick “manager” as well, or untick “may listen in”."),
            )
        return cleaned


class ChannelMembershipInline(LabelledTabularInline):
    model = ChannelMembership
    form = ChannelMembershipForm
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "is_manager", "may_listen_in")
    verbose_name = _("agent")
    verbose_name_plural = _("agents")


class ChannelAdminForm(forms.ModelForm):
    """The channel with its kinds of file as checkboxes (stored comma-separated, as file_checks reads them)."""

    attachment_kinds = forms.MultipleChoiceField(
        label=_("allowed kinds of file"),
        choices=[(kind, KIND_LABELS[kind]) for kind in KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Files are checked by their content, not their name. SVG and HTML are never accepted."),
    )

    class Meta:
        model = Channel
        # The admin adds the other fields of its fieldsets.
        fields = ["attachments_enabled", "attachment_kinds", "attachment_max_mb"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.initial.get("attachment_kinds")
        if isinstance(stored, str):
            self.initial["attachment_kinds"] = [kind.strip() for kind in stored.split(",") if kind.strip() in KINDS]

    def clean_attachment_kinds(self):
        return ",".join(kind for kind in KINDS if kind in self.cleaned_data["attachment_kinds"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("attachments_enabled") and not cleaned.get("attachment_kinds"):
            self.add_error("attachment_kinds", _("Choose at least one kind of file, or switch files off."))
        return cleaned


@admin.register(Channel)
class ChannelAdmin(RefusedOriginsAdmin, admin.ModelAdmin):
    form = ChannelAdminForm
    list_display = ("name", "slug", "language", "assign_automatically", "agent_count", "waiting_count")
    list_filter = ("language", "assign_automatically")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("embed_snippet", "color_preview", "opening_week")
    inlines = [
        PreChatFieldInline,
        ChannelMembershipInline,
        OpeningIntervalInline,
        SpecialDateInline,
        ChannelCategoryInline,
        CannedReplyInline,
        ChannelPrivacyTextInline,
        ChannelTextInline,
    ]
    fieldsets = (
        (None, {"fields": ("name", "slug", "language", "time_zone", "allowed_origins", "embed_snippet")}),
        (
            _("Look and texts"),
            {
                "fields": (
                    "button_label",
                    "header_title",
                    "color",
                    "color_preview",
                    "welcome_message",
                    "queue_message",
                ),
                "description": _(
                    "The texts are in the channel's language. Texts in other languages are given further down; "
                    "a customer whose browser prefers one of those reads the channel in it."
                ),
            },
        ),
        (
            _("Queue and agents"),
            {
                "fields": (
                    "assign_automatically",
                    "max_chats_per_agent",
                    "customer_timeout_seconds",
                    "transfer_timeout_seconds",
                )
            },
        ),
        (
            _("Alerts on the dashboard"),
            {
                "fields": ("wait_alert_minutes", "unanswered_alert_minutes"),
                "description": _(
                    "Agents are alerted when a customer has waited in the queue, or a customer's message "
                    "has stayed unanswered, longer than this."
                ),
            },
        ),
        (
            _("Opening hours and closed view"),
            {
                "fields": ("opening_hours_enabled", "opening_week", "closed_message", "hide_button_when_closed"),
                "description": _(
                    "The weekly hours, holidays and special dates are edited further down. Every time is in the "
                    "channel's time zone."
                ),
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
            _("Files in the chat"),
            {
                "fields": ("attachments_enabled", "attachment_kinds", "attachment_max_mb"),
                "description": _(
                    "Customers and agents may send files of these kinds up to this size. Images are re-encoded "
                    "without their metadata (such as the place a photo was taken)."
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
        (
            _("Privacy"),
            {
                "fields": ("consent_enabled", "retention_days", "retention_action"),
                "description": _(
                    "The consent checkbox shows the privacy text of the customer's language (further down). "
                    "Statistics keep their counts when chats are deleted or anonymised."
                ),
            },
        ),
    )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The statistics are for the channel's managers alone (chat.statistics.access).
        extra_context = dict(extra_context or {})
        if str(object_id).isdigit() and access_managed_channel(request.user, int(object_id)) is not None:
            extra_context["statistics_url"] = reverse("agent:statistics") + f"?channel={object_id}"
        return super().change_view(request, object_id, form_url, extra_context)

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

    @admin.display(description=_("the week"))
    def opening_week(self, channel):
        """Each weekday's opening hours in one table, as saved (the rows below change them)."""
        if not channel.pk:
            return _("Save the channel, then add its opening hours below.")
        by_day = {day: [] for day in Weekday}
        for interval in channel.opening_intervals.order_by("weekday", "opens_at"):
            by_day[interval.weekday].append(f"{interval.opens_at:%H:%M}–{interval.closes_at:%H:%M}")
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td></tr>',
            ((day.label, ", ".join(times) or _("closed")) for day, times in by_day.items()),
        )
        return format_html(
            '<table class="helpdesk-week"><caption>{}</caption><tbody>{}</tbody></table>',
            _("The week (%(zone)s)") % {"zone": channel.time_zone},
            rows,
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
