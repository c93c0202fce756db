"""
Reopening a chat that the agent ended, when the customer writes again
(rules.may_reopen decides whether they may): back to the same agent when
that agent is available, else into the channel's queue.
"""

from django.db import transaction
from django.utils import timezone

from chat.conversations import assignment, events, log, selectors
from chat.conversations.agents import available_agents_q, display_name
from chat.conversations.models import Chat, ChatStatus, Party


def reopen_chat(chat):
    """
    Open an ended chat again: back to the same agent when that agent is
    available, else into the channel's queue. Returns the chat; a chat that is
    open already is returned unchanged.
    """
    with transaction.atomic():
        locked = Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").get(pk=chat.pk)
        if locked.status != ChatStatus.ENDED:
            return locked
        reopen_locked(locked)
    after_reopen(locked)
    return locked


def reopen_locked(chat, now=None):
    """
    Reopen ``chat``. Expects the chat row locked inside a transaction
    (services.post_message, reopen_chat) and trusts that it may be reopened;
    call after_reopen once the transaction is over.
    """
    now = now or timezone.now()
    agent = chat.agent
    # The agent's own conversation comes back to them even at the channel's
    # limit: they know it, and they can end it again.
    back_to_agent = agent is not None and chat.channel.members.filter(available_agents_q(now), pk=agent.pk).exists()
    chat.reopened_count += 1
    chat.ended_at = None
    chat.ended_by = ""
    chat.end_reason = ""
    # The customer is here (they just wrote): the sweep for gone customers
    # must not end the chat at once because of an old timestamp.
    chat.customer_seen_at = now
    fields = [
        "status",
        "agent",
        "queued_at",
        "accepted_at",
        "reopened_count",
        "ended_at",
        "ended_by",
        "end_reason",
        "customer_seen_at",
    ]
    if back_to_agent:
        chat.status = ChatStatus.ACTIVE
    else:
        chat.status = ChatStatus.QUEUED
        chat.agent = None
        chat.queued_at = now
        chat.accepted_at = None
    chat.save(update_fields=fields)
    if not back_to_agent:
        chat.initial_position = selectors.queue_position(chat)
        chat.save(update_fields=["initial_position"])
    log.append_event(
        chat,
        "reopened",
        by=Party.CUSTOMER,
        to="agent" if back_to_agent else "queue",
        agent=display_name(agent) if back_to_agent else "",
    )
    events.notify_state(chat)
    if back_to_agent:
        # The dashboard shows the chat again, with its log, as when it was assigned.
        events.notify_assigned(agent.pk, chat.pk)
    else:
        events.notify_queue_changed(chat.channel_id)


def after_reopen(chat):
    """What follows a reopen outside its transaction: automatic assignment of the queued chat."""
    if chat.status == ChatStatus.QUEUED and chat.channel.assign_automatically:
        assignment.assign_waiting_chats(chat.channel)
