"""The agents' dashboard page; everything live goes over /ws/agent/."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chat.conversations import selectors
from chat.dashboard.strings import dashboard_strings
from chat.statistics.access import managed_channels


@login_required
def dashboard(request):
    # Only agents of a channel: a logged-in user of the admin alone has no queue here.
    if not selectors.agent_channel_ids(request.user):
        return render(request, "agent/not_an_agent.html", status=403)
    config = {"strings": dashboard_strings(), "agentName": request.user.get_short_name() or request.user.get_username()}
    # Transfers leave the agent out of their own list of colleagues (static/dashboard/transfer.js).
    config["agentId"] = request.user.pk
    return render(
        request,
        "agent/dashboard.html",
        # The channels, recent chats and open requests come live in the socket's state (static/dashboard/live.js).
        {"config": config, "is_manager": managed_channels(request.user).exists()},
    )
