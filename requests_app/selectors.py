"""Reads of requests, limited to what the reader may see."""

from requests_app.models import Request, RequestStatus

# The dashboard lists the newest open requests; older ones are in the admin.
OPEN_REQUESTS_SHOWN = 30


def open_requests_for_agent(agent):
    return list(
        Request.objects.select_related("channel")
        .filter(status=RequestStatus.OPEN, channel__memberships__user=agent)
        .order_by("-created_at")[:OPEN_REQUESTS_SHOWN]
    )
