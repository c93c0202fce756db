"""
Who is there: an agent's presence, the heartbeats of connected dashboards and
widgets (chat.conversations.housekeeping), and the sweep that ends the chats
of customers who are gone. When an agent counts as available is
chat.conversations.agents.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from chat.configuration.models import Channel, ChannelMembership
from chat.conversations import assignment, events, services
from chat.conversations.agents import AGENT_GRACE_SECONDS
from chat.conversations.models import (
    AgentPresence,
    Chat,
    ChatStatus,
    EndReason,
    Party,
    PresencePeriod,
    PresenceStatus,
)


def set_presence(agent, *, status):
    with transaction.atomic():
        presence, _created = AgentPresence.objects.get_or_create(user=agent)
        presence.status = status
        presence.seen_at = timezone.now()
        presence.save(update_fields=["status", "seen_at"])
        if status == PresenceStatus.PRESENT:
            open_presence_periods([agent.pk], now=presence.seen_at)
        else:
            PresencePeriod.objects.filter(agent=agent, ended_at__isnull=True).update(ended_at=presence.seen_at)
        events.notify_presence(agent.pk, status)
        notify_queues_of_agents([agent.pk])
    if status == PresenceStatus.PRESENT:
        for channel in Channel.objects.filter(memberships__user=agent, assign_automatically=True):
            assignment.assign_waiting_chats(channel)
    return presence


def notify_agent_access_changed(user_id, *, ended_session_key=""):
    """
    Who the agent is or which channels they belong to changed: their open
    sockets check their access at once (chat.dashboard.consumer). A logout names
    its session, whose sockets close without asking the database.
    """
    events.notify_access_changed(user_id, ended_session_key)


def touch_agents(user_ids, now=None):
    """Record that dashboards of these agents are connected right now."""
    if not user_ids:
        return
    now = now or timezone.now()
    with transaction.atomic():
        # Locked in order, so that two processes touching the same agents cannot deadlock.
        locked = list(
            AgentPresence.objects.select_for_update()
            .filter(user_id__in=user_ids)
            .order_by("user_id")
            .values_list("pk", flat=True)
        )
        AgentPresence.objects.filter(pk__in=locked).update(seen_at=now)
    missing = set(user_ids) - set(AgentPresence.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    for user_id in missing:
        AgentPresence.objects.get_or_create(user_id=user_id, defaults={"seen_at": now})
    # A present agent whose dashboards were all gone past the grace period
    # (their period was closed by the sweep) is back with this dashboard.
    back = AgentPresence.objects.filter(user_id__in=user_ids, status=PresenceStatus.PRESENT).exclude(
        user_id__in=PresencePeriod.objects.filter(ended_at__isnull=True).values("agent_id")
    )
    back_ids = list(back.values_list("user_id", flat=True))
    open_presence_periods(back_ids, now=now)
    notify_queues_of_agents(back_ids)


def notify_queues_of_agents(user_ids):
    """
    These agents came or went: the queues of their channels are announced
    again, so that waiting customers learn at once whether anyone could take
    their chat, and the estimate follows who is there (payloads.queue_place).
    """
    if not user_ids:
        return
    channel_ids = ChannelMembership.objects.filter(user_id__in=user_ids).values_list("channel_id", flat=True).distinct()
    for channel_id in sorted(channel_ids):
        events.notify_queue_changed(channel_id)


def open_presence_periods(user_ids, *, now):
    """
    Open a presence period for each of these agents who has none open. The
    database's unique key (one open period per agent) decides between
    processes: a second INSERT at the same moment is skipped, not doubled.
    """
    if user_ids:
        PresencePeriod.objects.bulk_create(
            [PresencePeriod(agent_id=user_id, started_at=now) for user_id in user_ids], ignore_conflicts=True
        )


def close_presence_periods_of_gone_agents(now=None):
    """
    Close the open periods of agents who are no longer available: away, or no
    dashboard seen within the grace period. Such a period ends when a
    dashboard was last seen (never before it began). One UPDATE, so several
    processes may run it at once (the queues of the agents read before it
    may be announced twice, which costs a read). Returns how many were closed.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=AGENT_GRACE_SECONDS)
    last_seen = AgentPresence.objects.filter(user_id=OuterRef("agent_id")).values("seen_at")[:1]
    available = AgentPresence.objects.filter(
        seen_at__gte=cutoff, status=PresenceStatus.PRESENT, user__is_active=True
    ).values("user_id")
    gone = PresencePeriod.objects.filter(ended_at__isnull=True).exclude(agent_id__in=available)
    gone_agents = list(gone.values_list("agent_id", flat=True))
    closed = gone.filter(agent_id__in=gone_agents).update(
        ended_at=Greatest("started_at", Coalesce(Subquery(last_seen), "started_at"))
    )
    if closed:
        # Gone without saying so (the last dashboard closed): waiting customers hear of it too.
        notify_queues_of_agents(gone_agents)
    return closed


def touch_customers(chat_ids, now=None):
    """
    Record that these chats' customers are connected right now. The rows are
    locked in order of id, as chat.conversations.group_commit locks them: a multi-row UPDATE
    locks in no set order and deadlocked with the message batches.
    """
    if not chat_ids:
        return
    with transaction.atomic():
        locked = list(
            Chat.objects.select_for_update()
            .filter(pk__in=chat_ids)
            .exclude(status=ChatStatus.ENDED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Chat.objects.filter(pk__in=locked).update(customer_seen_at=now or timezone.now())


def end_chats_of_gone_customers(now=None):
    """
    A customer with no connection for their channel's time-out leaves the
    queue, or their chat ends as abandoned: the queue never fills with ghosts.
    Returns how many chats were ended.
    """
    now = now or timezone.now()
    ended = 0
    for channel in Channel.objects.all().only("pk", "customer_timeout_seconds"):
        cutoff = now - timedelta(seconds=channel.customer_timeout_seconds)
        gone = Chat.objects.filter(channel=channel, customer_seen_at__lt=cutoff).exclude(status=ChatStatus.ENDED)
        for chat in gone:
            reason = EndReason.LEFT_QUEUE if chat.status == ChatStatus.QUEUED else EndReason.ABANDONED
            services.end_chat(chat, by=Party.SYSTEM, reason=reason)
            ended += 1
    return ended
