"""The outbox in the admin: read only, to see whether an e-mail went out and why not."""

from django.contrib import admin

from infra.dates import datetime_column
from infra.outbox.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "status", "attempts", "created", "sent")
    list_filter = ("status", "created_at")
    search_fields = ("to", "subject", "key")
    # The outbox serves every app: its times in the server's zone, named.
    created = datetime_column(OutgoingEmail, "created_at")
    next_attempt = datetime_column(OutgoingEmail, "next_attempt_at")
    sent = datetime_column(OutgoingEmail, "sent_at")
    fields = (
        "key",
        "to",
        "subject",
        "body_text",
        "body_html",
        "status",
        "attempts",
        "last_error",
        "created",
        "next_attempt",
        "sent",
        "request",
        "chat",
        "attachments",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
