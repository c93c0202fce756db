"""When an agent counts as available, decided from the database alone."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from chat.conversations.models import PresenceStatus

# Each server process refreshes "seen" for the dashboards connected to it this
# often (chat.conversations.housekeeping). Short enough that presence reacts within seconds,
# long enough that a thousand open dashboards cost one UPDATE per process.
HEARTBEAT_SECONDS = 10

# An agent whose dashboards have all gone (closed tab, crashed process, lost
# network) counts as away after this long. Three heartbeats: a reload or a
# process restart does not flap the agent's state.
AGENT_GRACE_SECONDS = 3 * HEARTBEAT_SECONDS


def available_agents_q(now=None):
    """A filter on users: active, present, with a dashboard seen within the grace period."""
    now = now or timezone.now()
    return (
        Q(is_active=True)
        & Q(presence__status=PresenceStatus.PRESENT)
        & Q(presence__seen_at__gte=now - timedelta(seconds=AGENT_GRACE_SECONDS))
    )


def display_name(user):
    """What a customer sees of an agent: the first name, else the login name."""
    if user is None:
        return ""
    return user.first_name or user.get_username()
