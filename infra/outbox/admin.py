"""The outbox in the admin: read only, to see whether an e-mail went out and why not."""

from django.contrib import admin

from infra.outbox.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "created_at")
    search_fields = ("to", "subject", "key")
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    def has_add_permission(self, request):
        return False
