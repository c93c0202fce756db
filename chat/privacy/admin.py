"""
The admin's privacy page: export or erase what is stored about one e-mail
address (chat.privacy.export, chat.privacy.erasure), beside the list of
past erasures. Superusers may do both; other staff need the permission
"Can export a person's data" or "Can erase a person's data" (ErasureRecord's
permissions), since both reach every channel's chats, not only their own.

Every step is a POST: the address never stands in a URL, where server and
proxy logs and the browser's history would keep it.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from chat.privacy import erasure, export
from chat.privacy.models import ErasureRecord
from infra.dates import datetime_column

EXPORT_PERMISSION = "chat.export_personal_data"
ERASE_PERMISSION = "chat.erase_personal_data"


class AddressForm(forms.Form):
    address = forms.CharField(label=_("E-mail address"), max_length=300, strip=True)

    def clean_address(self):
        try:
            return erasure.clean_address(self.cleaned_data["address"])
        except ValidationError:
            raise ValidationError(_("Enter a valid e-mail address.")) from None


def may_export(user):
    return user.is_active and user.is_staff and (user.has_perm(EXPORT_PERMISSION) or user.has_perm(ERASE_PERMISSION))


def may_erase(user):
    return user.is_active and user.is_staff and user.has_perm(ERASE_PERMISSION)


@admin.register(ErasureRecord)
class ErasureRecordAdmin(admin.ModelAdmin):
    """Past erasures, read-only: the proof that they were done. The page to do one is linked from the list."""

    list_display = ("erased", "erased_by", "counts_display")
    fields = ("erased", "erased_by", "counts_display", "address_hash")
    readonly_fields = fields
    # An erasure reaches every channel: the server's zone, named.
    erased = datetime_column(ErasureRecord, "erased_at")
    change_list_template = "admin/chat/privacy/erasure_list.html"

    @admin.display(description=_("removed"))
    def counts_display(self, record):
        return ", ".join(f"{label}: {record.counts.get(key, 0)}" for key, label in COUNT_LABELS)

    def has_module_permission(self, request):
        return may_export(request.user)

    def has_view_permission(self, request, obj=None):
        return may_export(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.person_view)
        return [path("person/", view, name="chat_privacy_person"), *super().get_urls()]

    def person_view(self, request):
        if not may_export(request.user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export or erase a person's data"),
            "opts": self.model._meta,
            "may_erase": may_erase(request.user),
        }
        if request.method != "POST":
            context["form"] = AddressForm()
            return TemplateResponse(request, "admin/chat/privacy/person.html", context)
        form = AddressForm(request.POST)
        context["form"] = form
        action = request.POST.get("action", "")
        if not form.is_valid():
            return TemplateResponse(request, "admin/chat/privacy/person.html", context, status=400)
        address = form.cleaned_data["address"]
        if action == "json":
            response = HttpResponse(export.as_json(export.collect(address)), content_type="application/json")
            response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
            response["Cache-Control"] = "no-store"
            return response
        if action == "show":
            context["export"] = export.collect(address)
        elif action in ("confirm", "erase"):
            if not may_erase(request.user):
                raise PermissionDenied
            if action == "erase":
                try:
                    removed, _record = erasure.erase(address, by=request.user)
                except erasure.ErasureRefused as refused:
                    context["refused"] = str(refused)
                    context["found"] = erasure.find(address)
                else:
                    counts = removed.as_dict()
                    context["removed"] = [(label, counts[key]) for key, label in COUNT_LABELS]
                    context["form"] = AddressForm()
            else:
                context["found"] = erasure.find(address)
        response = TemplateResponse(request, "admin/chat/privacy/person.html", context)
        response["Cache-Control"] = "no-store"
        return response


COUNT_LABELS = (
    ("chats", _("chats")),
    ("messages", _("messages")),
    ("notes", _("internal notes")),
    ("files", _("files")),
    ("requests", _("requests")),
    ("emails", _("e-mails")),
)
