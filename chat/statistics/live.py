"""The live numbers at the top of the statistics page: waiting now, the longest wait, agents present, active chats."""

from django.db.models import Count, Min, Q
from django.utils import timezone

from chat.conversations.agents import available_agents_q
from chat.conversations.models import Chat, ChatStatus


def live_numbers(channel, now=None):
    """Two queries: the channel's open chats in one aggregate, its available agents in another."""
    now = now or timezone.now()
    row = Chat.objects.filter(channel=channel, status__in=(ChatStatus.QUEUED, ChatStatus.ACTIVE)).aggregate(
        waiting=Count("pk", filter=Q(status=ChatStatus.QUEUED)),
        active=Count("pk", filter=Q(status=ChatStatus.ACTIVE)),
        oldest=Min("queued_at", filter=Q(status=ChatStatus.QUEUED)),
    )
    longest = max(0, int((now - row["oldest"]).total_seconds())) if row["oldest"] else 0
    return {
        "waiting": row["waiting"],
        "longest_wait_seconds": longest,
        "agents_present": channel.members.filter(available_agents_q(now)).distinct().count(),
        "active_chats": row["active"],
    }
