"""
Which pages the loader's answer (GET button) is for: the channel's allowed
websites read it through CORS; a page of any other website gets
``403 origin_not_allowed`` and nothing of the channel, and the refusal is
counted for the channel's admin page (chat.configuration.refused_origins).
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from chat.configuration.models import Channel
from chat.configuration.refused_origins import ALLOW_LABEL, LIST_LABEL, record_refusal
from infra import throttle
from infra.jsonapi import error_response
from infra.origin import is_same_origin, normalize_origin, origin_of

# New origins one client address may add to the refused lists an hour: a
# flood of made-up Origin headers from one address cannot push the real ones out.
NEW_REFUSALS_PER_HOUR = 20


def with_cors(request, channel, response):
    """Let the channel's websites (and no others) read the loader's answer."""
    origin = request.headers.get("Origin")
    if origin and origin in channel.allowed_origin_list:
        response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ["Origin"])
    return response


def refused(request, channel):
    """
    None when the request may have the button's configuration: no Origin
    (not a page of another website), this site's own, or one of the
    channel's. Otherwise the refusal, readable by any page (it holds only
    the code and a hint for the site's owner) and never cached, so that the
    button appears as soon as the origin is allowed.
    """
    origin = request.headers.get("Origin")
    if not origin or origin in channel.allowed_origin_list:
        return None
    if is_same_origin(origin, origin_of(request.scheme, request.get_host())):
        return None
    record_refusal(channel, origin, may_add=lambda: _may_add(request))
    # In the language the admin speaks to this browser, not the channel's:
    # the hint is for whoever is building the page.
    with translation.override(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)):
        response = error_response("origin_not_allowed", _hint(channel, origin), 403)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Origin"
    return response


def _may_add(request):
    return throttle.hit(
        "refused-origin", throttle.client_address(request), limit=NEW_REFUSALS_PER_HOUR, window_seconds=3600
    )


def _hint(channel, origin):
    """The console message the loader writes: the setting to change, as the admin labels it, and the origin."""
    setting = capfirst(Channel._meta.get_field("allowed_origins").verbose_name)
    normal = normalize_origin(origin)
    if normal is None:
        return _(
            "Helpdesk chat “%(channel)s”: no chat button, because this page has no website origin that "
            "can be allowed (pages opened from a file or in a sandboxed frame have none). Serve it over "
            "http or https from an address listed under “%(setting)s” of the channel in the helpdesk admin."
        ) % {"channel": channel.slug, "setting": setting}
    return _(
        "Helpdesk chat “%(channel)s”: no chat button, because this page's origin %(origin)s is not "
        "allowed. In the helpdesk admin, add %(origin)s to “%(setting)s” of the channel, or press “%(allow)s” "
        "beside it under “%(list)s” on the channel's page."
    ) % {
        "channel": channel.slug,
        "origin": normal,
        "setting": setting,
        "allow": ALLOW_LABEL,
        "list": capfirst(LIST_LABEL),
    }
