"""A sample host page with the embed snippet, for the demo set-up."""
from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from chat.models import Channel


# The page stands for a customer's website, where the loader draws its button
# with a <style> element of its own (the channel's colours). Only style
# elements are let in; style attributes and scripts stay under the site's policy.
@csp_update({"style-src-elem": [SELF, UNSAFE_INLINE]})
def host_page(request):
    if not settings.HELPDESK_DEMO_PAGE:
        raise Http404()
    channel = Channel.objects.order_by("pk").first()
    return render(request, "demo/host_page.html", {"channel": channel, "page": request.GET.get("page", "home")})
