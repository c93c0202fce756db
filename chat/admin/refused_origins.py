"""
The channel page's list of websites the button was refused on
(chat.configuration.refused_origins), each with a button that allows it. For
those who may change the channel only; the button posts a small form of its
own (templates/admin/chat/channel/change_form.html), with the CSRF token,
outside the channel's form, which HTML does not let forms nest in.
"""

from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from chat.configuration.refused_origins import ALLOW_LABEL, LIST_DAYS, LIST_LABEL, allow_origin, recent_refusals

# The id of the form the Allow buttons submit (the buttons name it in their form attribute).
ALLOW_FORM_ID = "helpdesk-allow-origin"
FIELD = "recently_refused"


class RefusedOriginsAdmin:
    """Mixed into ChannelAdmin: the list beside the allowed origins, and the view its buttons post to."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        (name, options), *rest = fieldsets
        fields = list(options["fields"])
        fields.insert(fields.index("allowed_origins") + 1, FIELD)
        return [(name, {**options, "fields": fields}), *rest]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), FIELD)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        channel = self.get_object(request, unquote(object_id))
        if channel is not None and self.has_change_permission(request, channel):
            extra_context["allow_origin_form"] = {
                "id": ALLOW_FORM_ID,
                "url": reverse("admin:chat_channel_allow_origin", args=[channel.pk]),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view(self.allow_origin_view)
        return [path("<path:object_id>/allow-origin/", view, name="chat_channel_allow_origin"), *super().get_urls()]

    def allow_origin_view(self, request, object_id):
        """Add the posted origin to the channel's allowed origins (admin_view checks CSRF and the login)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        channel = self.get_object(request, unquote(object_id))
        if channel is None:
            raise Http404
        if not self.has_change_permission(request, channel):
            raise PermissionDenied
        back = redirect(reverse("admin:chat_channel_change", args=[channel.pk]))
        try:
            channel, origin = allow_origin(channel.pk, request.POST.get("origin", ""))
        except ValueError:
            messages.error(request, _("That is not a website origin that can be allowed."))
            return back
        label = capfirst(channel._meta.get_field("allowed_origins").verbose_name)
        self.log_change(request, channel, [{"changed": {"fields": [str(label)]}}])
        messages.success(
            request,
            _(
                "The chat “%(channel)s” may now be shown on %(origin)s: its button appears there when the page "
                "is reloaded."
            )
            % {"origin": origin, "channel": channel.name},
        )
        return back

    @admin.display(description=LIST_LABEL)
    def recently_refused(self, channel):
        refusals = recent_refusals(channel)
        if not refusals:
            return _("No website was refused in the last %(days)d days.") % {"days": LIST_DAYS}
        zone = ZoneInfo(channel.time_zone)
        rows = format_html_join("", "<tr>{}</tr>", ((_row(refusal, zone),) for refusal in refusals))
        return format_html(
            '<table class="helpdesk-refused"><caption>{}</caption><thead><tr>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table><p class="helpdesk-refused__note">{}</p>',
            _(
                "Pages on these websites asked for the chat button and got none (the last %(days)d days, newest "
                "first, times in %(zone)s)."
            )
            % {"days": LIST_DAYS, "zone": channel.time_zone},
            *(capfirst(heading) for heading in (_("origin"), _("times"), _("first seen"), _("last seen"), _("action"))),
            rows,
            _("“%(allow)s” adds the website to the allowed origins at once; save other changes on this page first.")
            % {"allow": ALLOW_LABEL},
        )


def _when(moment, zone):
    return date_format(localtime(moment, zone), "DATETIME_FORMAT")


def _row(refusal, zone):
    if refusal.can_be_allowed:
        action = format_html(
            '<button type="submit" class="button" form="{}" name="origin" value="{}" aria-label="{}">{}</button>',
            ALLOW_FORM_ID,
            refusal.origin,
            _("Allow %(origin)s") % {"origin": refusal.origin},
            ALLOW_LABEL,
        )
    else:
        action = _("cannot be allowed (a page opened from a file or in a sandboxed frame)")
    return format_html(
        '<th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>',
        refusal.origin,
        refusal.count,
        _when(refusal.first_seen, zone),
        _when(refusal.last_seen, zone),
        action,
    )
