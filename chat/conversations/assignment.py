"""
Who handles a chat: an agent takes one or the next, the channel hands its
waiting chats to the least busy present agents, an agent who may no longer
take part gives theirs back. Races are decided in the database (accept_chat).
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from chat.configuration.models import Channel
from chat.conversations import events, log, selectors
from chat.conversations.agents import available_agents_q, display_name
from chat.conversations.errors import AtChatLimit, ChatAlreadyTaken, ChatEnded, NotYourChat, QueueEmpty
from chat.conversations.models import AgentPresence, Chat, ChatStatus, Party
from chat.conversations.texts import welcome_text

# The welcome thanks the customer for waiting only after this long in the
# queue: a chat taken within moments had no wait to thank for.
THANKS_AFTER_WAIT_SECONDS = 30


def accept_chat(chat, *, agent):
    """
    Give a waiting chat to an agent. Two agents at the same moment: the
    database decides, one gets it and the other ChatAlreadyTaken.
    """
    with transaction.atomic():
        if not chat.channel.memberships.filter(user=agent).exists():
            raise NotYourChat()
        # Lock the agent's presence row: two chats offered to one agent at once
        # are counted one after the other, so the limit holds.
        AgentPresence.objects.get_or_create(user=agent)
        AgentPresence.objects.select_for_update().get(user=agent)
        open_count = Chat.objects.filter(agent=agent, channel_id=chat.channel_id, status=ChatStatus.ACTIVE).count()
        if open_count >= chat.channel.max_chats_per_agent:
            raise AtChatLimit()
        now = timezone.now()
        taken = Chat.objects.filter(pk=chat.pk, status=ChatStatus.QUEUED).update(
            status=ChatStatus.ACTIVE, agent=agent, accepted_at=now
        )
        if not taken:
            current = Chat.objects.filter(pk=chat.pk).values_list("status", flat=True).first()
            raise ChatEnded() if current == ChatStatus.ENDED else ChatAlreadyTaken()
        chat.refresh_from_db()
        log.append_event(chat, "joined", agent=display_name(agent))
        waited = chat.queued_at is not None and (now - chat.queued_at).total_seconds() > THANKS_AFTER_WAIT_SECONDS
        welcome = welcome_text(chat, waited=waited)
        if welcome:
            log.append(chat, author=Party.AGENT, agent=agent, body=welcome, automatic=True)
        events.notify_state(chat)
        events.notify_queue_changed(chat.channel_id)
        events.notify_assigned(agent.pk, chat.pk)
    return chat


def take_chat(agent, chat_id):
    """The agent takes the waiting chat ``chat_id`` of one of their channels (the dashboard's "take")."""
    return accept_chat(selectors.access_chat_for_agent(agent, chat_id), agent=agent)


def take_next(agent):
    """Accept the chat that has waited longest in any of the agent's channels."""
    channel_ids = selectors.agent_channel_ids(agent)
    for chat in selectors.queued_chats(channel_ids).select_related("channel")[:20]:
        try:
            return accept_chat(chat, agent=agent)
        except (ChatAlreadyTaken, ChatEnded, AtChatLimit):
            # Taken by a colleague meanwhile, or at the limit in that channel:
            # the next one may still be free for this agent.
            continue
    raise QueueEmpty()


def assign_waiting_chats(channel):
    """
    Hand the channel's waiting chats, oldest first, to present members with
    the fewest open chats below the limit, until chats or agents run out.
    Safe to run in several processes at once: accept_chat decides each chat.
    Returns how many chats were assigned.
    """
    assigned = 0
    for chat in list(selectors.queued_chats([channel.pk]).select_related("channel")[:50]):
        agent = _least_busy_available_agent(channel)
        if agent is None:
            break
        try:
            accept_chat(chat, agent=agent)
            assigned += 1
        except (ChatAlreadyTaken, ChatEnded, AtChatLimit):
            continue
    return assigned


def _least_busy_available_agent(channel):
    candidates = (
        channel.members.filter(available_agents_q())
        .annotate(open_chats=Count("chats", filter=Q(chats__status=ChatStatus.ACTIVE, chats__channel=channel)))
        .filter(open_chats__lt=channel.max_chats_per_agent)
        .order_by("open_chats", "presence__seen_at", "pk")
    )
    return candidates.first()


def return_chats_to_queue(agent, *, channel_ids=None):
    """
    The agent may no longer take part (deactivated, deleted, removed from a
    channel): their active chats (in ``channel_ids``, or all) go back to the
    queue, at their old place, so that no customer is left talking to nobody.
    Only ``agent.pk`` is read. Returns how many went back.
    """
    chats = Chat.objects.filter(agent=agent, status=ChatStatus.ACTIVE)
    if channel_ids is not None:
        chats = chats.filter(channel_id__in=channel_ids)
    returned = []
    for chat_id in chats.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            locked = Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").get(pk=chat_id)
            if locked.status != ChatStatus.ACTIVE or locked.agent_id != agent.pk:
                continue
            name = display_name(locked.agent)
            locked.status = ChatStatus.QUEUED
            locked.agent = None
            locked.accepted_at = None
            locked.save(update_fields=["status", "agent", "accepted_at"])
            log.append_event(locked, "returned", agent=name)
            events.notify_state(locked)
            events.notify_queue_changed(locked.channel_id)
        returned.append(locked)
    for channel in {chat.channel for chat in returned if chat.channel.assign_automatically}:
        assign_waiting_chats(channel)
    return len(returned)


def assign_in_all_channels():
    """Catch up on assignments that no event triggered (an agent's grace ran out, a chat ended elsewhere)."""
    for channel in Channel.objects.filter(assign_automatically=True, chats__status=ChatStatus.QUEUED).distinct():
        assign_waiting_chats(channel)
