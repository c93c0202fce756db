"""E-mail templates (with a preview), requests and the e-mail outbox in the Django admin."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from infra.dates import datetime_column, local_datetime
from requests_app import services
from requests_app.models import ReplyTemplate, Request, RequestStatus, TemplatePurpose
from requests_app.rendering import PLACEHOLDERS, render

# Sample values for the preview, with markup in them to show it stays text.
PREVIEW_VALUES = {
    "customer_name": "Erika Mustermann",
    "customer_email": "erika@example.com",
    "request_id": "R-2026-00042",
    "question": "Where is my parcel? <b>urgent</b>",
    "channel": "Support",
    "date": "2026-11-25 14:30",
    "agent": "Anna",
    "conversation": "14:30 Erika Mustermann: Hello\n14:31 Anna: Hello Erika, how can I help?",
}


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "purpose", "language", "subject")
    list_filter = ("purpose", "language")
    search_fields = ("name", "subject", "body")
    readonly_fields = ("placeholders", "preview")
    fields = ("name", "purpose", "language", "subject", "body", "placeholders", "preview")

    @admin.display(description=_("placeholders"))
    def placeholders(self, template):
        """The template's placeholders; on a new one, each of every purpose once, with what it means where."""
        purposes = [template.purpose] if template.pk else list(PLACEHOLDERS)
        meanings = {}  # name -> {meaning: [purpose labels]}
        for purpose in purposes:
            for name, meaning in PLACEHOLDERS[purpose].items():
                meanings.setdefault(name, {}).setdefault(str(meaning), []).append(TemplatePurpose(purpose).label)
        rows = []
        for name, by_meaning in meanings.items():
            if len(by_meaning) == 1:
                meaning, used_in = next(iter(by_meaning.items()))
                if len(used_in) < len(purposes):
                    meaning = _("%(meaning)s (%(purpose)s only)") % {"meaning": meaning, "purpose": used_in[0]}
            else:
                meaning = "; ".join(
                    f"{meaning} ({', '.join(map(str, used_in))})" for meaning, used_in in by_meaning.items()
                )
            rows.append(("{" + name + "}", meaning))
        return format_html("<dl>{}</dl>", format_html_join("", "<dt><code>{}</code></dt><dd>{}</dd>", rows))

    @admin.display(description=_("preview"))
    def preview(self, template):
        if not template.pk:
            return _("Save the template to see a preview.")
        subject, text, html = render(template.subject, template.body, PREVIEW_VALUES)
        return format_html(
            "<p><strong>{}</strong></p><pre class='helpdesk-email-text'>{}</pre>"
            "<iframe class='helpdesk-email-html' sandbox srcdoc='{}' title='{}'></iframe>",
            subject,
            text,
            html,
            _("HTML preview"),
        )


def request_zone(request):
    return request.channel.time_zone


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ("number", "channel", "status", "customer_name", "customer_email", "source", "created")
    list_select_related = ("channel",)
    list_filter = ("status", "channel", "source", "created_at")
    search_fields = ("number", "customer_email", "customer_name")
    date_hierarchy = "created_at"
    readonly_fields = (
        "number",
        "channel",
        "source",
        "customer_name",
        "customer_email",
        "email_domain_verified",
        "language",
        "question",
        "form_data",
        "consent",
        "transcript",
        "chat",
        "created_by",
        "created",
        "closed",
        "confirmation_state",
    )
    # A request's times in its channel's zone, named (infra.dates).
    created = datetime_column(Request, "created_at", zone_of=request_zone)
    closed = datetime_column(Request, "closed_at", zone_of=request_zone)
    consent = datetime_column(Request, "consent_at", zone_of=request_zone)
    fields = ("status",) + readonly_fields
    actions = ["close_requests"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("confirmation e-mail"))
    def confirmation_state(self, obj):
        email = obj.emails.order_by("created_at").first()
        if email is None:
            return "—"
        detail = local_datetime(email.sent_at, request_zone(obj)) if email.sent_at else email.last_error or ""
        return f"{email.get_status_display()} {detail}".strip()

    @admin.action(description=_("Close the selected requests"))
    def close_requests(self, request, queryset):
        for item in queryset.filter(status=RequestStatus.OPEN):
            services.close_request(item)
