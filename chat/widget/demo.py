"""A sample host page with the embed snippet, for the demo set-up."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from chat.configuration.models import Channel


# Under the site's own policy, as strict as any page: the loader's button is
# styled by a constructed style sheet, which a page's CSP does not block.
def host_page(request):
    if not settings.HELPDESK_DEMO_PAGE:
        raise Http404()
    channels = list(Channel.objects.order_by("pk"))
    wanted = request.GET.get("channel")
    channel = next((c for c in channels if c.slug == wanted), channels[0] if channels else None)
    return render(
        request,
        "demo/host_page.html",
        {"channel": channel, "channels": channels, "page": request.GET.get("page", "home")},
    )
