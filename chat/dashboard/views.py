"""The agents' dashboard page; everything live goes over /ws/agent/."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chat.conversations import selectors
from chat.dashboard.strings import dashboard_strings
from requests_app import selectors as request_selectors


@login_required
def dashboard(request):
    # Only agents of a channel: a logged-in user of the admin alone has no queue here.
    if not selectors.agent_channel_ids(request.user):
        return render(request, "agent/not_an_agent.html", status=403)
    config = {"strings": dashboard_strings(), "agentName": request.user.get_short_name() or request.user.get_username()}
    channels = request.user.chat_channels.all()
    return render(
        request,
        "agent/dashboard.html",
        {
            "config": config,
            "channels": channels,
            "recent": selectors.agent_recent_chats(request.user),
            "open_requests": request_selectors.open_requests_for_agent(request.user),
        },
    )
