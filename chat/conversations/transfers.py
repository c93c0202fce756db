"""
Moving chats: offering one to another agent of the channel (who accepts or
declines; no answer by ``expires_at`` counts as a decline), moving one to
another channel's queue, and a manager's reassignment. The chat keeps its
log, notes and form data; a ChatTransfer row records each move. As in
chat.conversations.assignment, the chat row is locked first, so a transfer,
a take, an end and a message of the same chat are decided one after another.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from chat.configuration.models import Channel, ChannelMembership
from chat.conversations import assignment, events, log, selectors
from chat.conversations.agents import available_agents_q, display_name
from chat.conversations.errors import ChatEnded, NotYourChat
from chat.conversations.models import AgentPresence, Chat, ChatNote, ChatStatus, ChatTransfer, TransferStatus
from chat.conversations.transfer_errors import (
    AgentUnavailable,
    NotAManager,
    NoteTooLong,
    SameChannel,
    TargetAtLimit,
    TransferGone,
    TransferPending,
    UnknownChannel,
)
from infra import safejson
from infra.errors import InvalidText

# A few sentences for the colleague; the chat's own notes hold anything longer.
MAX_NOTE_LENGTH = 1000


# Offering to an agent -----------------------------------------------------------


def offer_to_agent(requester, chat_id, to_agent_id, note="", now=None):
    """Offer the chat to another present member of its channel; it stays with its agent until they accept."""
    note = clean_note(note)
    now = now or timezone.now()
    with transaction.atomic():
        chat = _locked_chat(requester, chat_id)
        _check_may_move(requester, chat)
        if chat.status != ChatStatus.ACTIVE:
            raise ChatEnded() if chat.status == ChatStatus.ENDED else NotYourChat()
        target = _available_member(chat.channel, to_agent_id, exclude=chat.agent_id, now=now)
        _check_below_limit(target, chat.channel)
        _check_nothing_pending(chat)
        try:
            with transaction.atomic():
                transfer = ChatTransfer.objects.create(
                    chat=chat,
                    requested_by=requester,
                    from_agent=chat.agent,
                    to_agent=target,
                    from_channel=chat.channel,
                    to_channel=chat.channel,
                    note=note,
                    expires_at=now + timedelta(seconds=chat.channel.transfer_timeout_seconds),
                )
        except IntegrityError:
            raise TransferPending() from None
        _notify(transfer)
    return transfer


def answer(agent, transfer_id, accept, now=None):
    """The receiver accepts (the chat is theirs) or declines (it stays with the sender)."""
    now = now or timezone.now()
    with transaction.atomic():
        found = ChatTransfer.objects.filter(pk=transfer_id, to_agent=agent).values_list("chat_id", flat=True).first()
        if found is None:
            raise TransferGone()
        chat = Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").get(pk=found)
        transfer = ChatTransfer.objects.select_for_update().get(pk=transfer_id)
        if transfer.status != TransferStatus.PENDING:
            raise TransferGone()
        if transfer.expires_at is not None and transfer.expires_at <= now:
            _decide(transfer, TransferStatus.EXPIRED, now)
            return transfer
        still_the_senders = (
            chat.status == ChatStatus.ACTIVE
            and chat.agent_id == transfer.from_agent_id
            and chat.channel_id == transfer.from_channel_id
        )
        if not still_the_senders:
            # Ended, or moved by someone else meanwhile: the offer is void.
            _decide(transfer, TransferStatus.CANCELLED, now)
            return transfer
        if not accept:
            _decide(transfer, TransferStatus.DECLINED, now)
            return transfer
        if not chat.channel.memberships.filter(user=agent).exists():
            _decide(transfer, TransferStatus.CANCELLED, now)
            return transfer
        _check_below_limit(agent, chat.channel)
        # Told by _hand_over, after the "transferred" event: a sender's
        # dashboard that heard of the acceptance first would leave the chat's
        # group before that event reached it.
        _decide(transfer, TransferStatus.ACCEPTED, now, notify=False)
        _hand_over(chat, transfer, to_agent=agent)
    return transfer


def cancel(requester, transfer_id, now=None):
    """The sender (or whoever offered it) takes the offer back."""
    now = now or timezone.now()
    with transaction.atomic():
        transfer = (
            ChatTransfer.objects.select_for_update()
            .filter(Q(requested_by=requester) | Q(from_agent=requester), pk=transfer_id)
            .first()
        )
        if transfer is None or transfer.status != TransferStatus.PENDING:
            raise TransferGone()
        _decide(transfer, TransferStatus.CANCELLED, now)
    return transfer


def expire_due(now=None):
    """
    Offers nobody answered in time go back to their sender. Run by every
    process's housekeeping at once: each takes the rows the others have not
    locked, and a row an answer holds is skipped (the answer decides it).
    Returns how many expired.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            ChatTransfer.objects.select_for_update(skip_locked=True).filter(
                status=TransferStatus.PENDING, expires_at__lte=now
            )[:100]
        )
        for transfer in due:
            _decide(transfer, TransferStatus.EXPIRED, now)
    return len(due)


# Moving to another channel's queue -----------------------------------------------


def move_to_channel(requester, chat_id, to_channel_id, note="", now=None):
    """The chat joins the other channel's queue, with its log, notes and form data; its agent lets go of it."""
    note = clean_note(note)
    now = now or timezone.now()
    with transaction.atomic():
        chat = _locked_chat(requester, chat_id)
        manager = _check_may_move(requester, chat)
        if chat.status == ChatStatus.ENDED:
            raise ChatEnded()
        if chat.status == ChatStatus.QUEUED and not manager:
            raise NotYourChat()
        to_channel = Channel.objects.filter(pk=to_channel_id).first()
        if to_channel is None:
            raise UnknownChannel()
        if to_channel.pk == chat.channel_id:
            raise SameChannel()
        _check_nothing_pending(chat)
        from_channel, from_agent, was_queued = chat.channel, chat.agent, chat.status == ChatStatus.QUEUED
        chat.channel = to_channel
        chat.status = ChatStatus.QUEUED
        chat.agent = None
        chat.queued_at = now
        chat.accepted_at = None
        chat.save(update_fields=["channel", "status", "agent", "queued_at", "accepted_at"])
        chat.initial_position = selectors.queue_position(chat)
        chat.save(update_fields=["initial_position"])
        transfer = ChatTransfer.objects.create(
            chat=chat,
            requested_by=requester,
            from_agent=from_agent,
            from_channel=from_channel,
            to_channel=to_channel,
            note=note,
            status=TransferStatus.QUEUED,
            decided_at=now,
        )
        log.append_event(chat, "transferred", **{"from": display_name(from_agent), "to_channel": to_channel.name})
        _keep_note(chat, transfer)
        events.notify_state(chat)
        events.notify_team_changed(from_channel.pk)
        if was_queued:
            events.notify_queue_changed(from_channel.pk)
        events.notify_queue_changed(to_channel.pk)
        _notify(transfer)
    if to_channel.assign_automatically:
        assignment.assign_waiting_chats(to_channel)
    return transfer


# A manager's reassignment --------------------------------------------------------


def reassign(manager, chat_id, agent_id, note="", now=None):
    """A manager of the chat's channel hands an open chat to another available member at once."""
    note = clean_note(note)
    now = now or timezone.now()
    with transaction.atomic():
        chat = _locked_chat(manager, chat_id)
        if not _is_manager(manager, chat.channel_id):
            raise NotAManager()
        if chat.status == ChatStatus.ENDED:
            raise ChatEnded()
        target = _available_member(chat.channel, agent_id, exclude=chat.agent_id, now=now)
        _check_below_limit(target, chat.channel)
        # A manager's word overrides an offer still open.
        for pending in ChatTransfer.objects.select_for_update().filter(chat=chat, status=TransferStatus.PENDING):
            _decide(pending, TransferStatus.CANCELLED, now)
        was_queued = chat.status == ChatStatus.QUEUED
        transfer = ChatTransfer.objects.create(
            chat=chat,
            requested_by=manager,
            from_agent=chat.agent,
            to_agent=target,
            from_channel=chat.channel,
            to_channel=chat.channel,
            note=note,
            status=TransferStatus.ACCEPTED,
            decided_at=now,
        )
        if was_queued:
            chat.status = ChatStatus.ACTIVE
            chat.accepted_at = now
            chat.save(update_fields=["status", "accepted_at"])
            events.notify_queue_changed(chat.channel_id)
        _hand_over(chat, transfer, to_agent=target)
    return transfer


def take_over(manager, chat, now=None):
    """
    A manager who listened in takes the chat (``chat`` locked, the right
    checked by chat.conversations.listening): a reassignment to themselves,
    told to the agent and shown in the log as any other. A manager's word:
    neither presence nor the channel's limit stands in the way, and an offer
    still open is cancelled.
    """
    now = now or timezone.now()
    if chat.status != ChatStatus.ACTIVE:
        raise ChatEnded()
    for pending in ChatTransfer.objects.select_for_update().filter(chat=chat, status=TransferStatus.PENDING):
        _decide(pending, TransferStatus.CANCELLED, now)
    transfer = ChatTransfer.objects.create(
        chat=chat,
        requested_by=manager,
        from_agent=chat.agent,
        to_agent=manager,
        from_channel=chat.channel,
        to_channel=chat.channel,
        status=TransferStatus.ACCEPTED,
        decided_at=now,
    )
    _hand_over(chat, transfer, to_agent=manager)
    return transfer


# Reading ---------------------------------------------------------------------------


def opened_under(chat, channel):
    """
    Whether the widget of ``channel`` may speak for ``chat``: its own chats,
    and those moved away from it (the customer's widget was loaded under the
    first channel's address and stays there).
    """
    return chat.channel_id == channel.pk or ChatTransfer.objects.filter(chat=chat, from_channel=channel).exists()


def transfer_payload(transfer):
    chat = transfer.chat
    return {
        "id": transfer.pk,
        "chat": {"id": chat.pk, "customer_name": chat.customer_name, "channel": transfer.from_channel.name},
        "status": transfer.status,
        "from_name": display_name(transfer.from_agent or transfer.requested_by),
        "by_name": display_name(transfer.requested_by),
        "to_name": display_name(transfer.to_agent),
        "to_channel": transfer.to_channel.name if transfer.to_channel_id != transfer.from_channel_id else "",
        "note": transfer.note,
        "expires_at": transfer.expires_at.isoformat() if transfer.expires_at else None,
    }


def transfer_for(user, transfer_id):
    """
    The transfer as ``user`` may see it, with their part in it (receiver,
    sender), and whether the chat has just left them; None for anyone else.
    """
    transfer = (
        ChatTransfer.objects.select_related(
            "chat", "from_agent", "to_agent", "requested_by", "from_channel", "to_channel"
        )
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        return None
    receiver = transfer.to_agent_id == user.pk
    sender = user.pk in (transfer.from_agent_id, transfer.requested_by_id)
    if not (receiver or sender):
        return None
    moved = transfer.status in (TransferStatus.ACCEPTED, TransferStatus.QUEUED)
    released = moved and transfer.from_agent_id == user.pk and transfer.to_agent_id != user.pk
    return {"transfer": transfer_payload(transfer), "receiver": receiver, "released": released}


def pending_offers_for(agent):
    """Offers still waiting for this agent's answer (a dashboard that connects shows them)."""
    offers = ChatTransfer.objects.select_related(
        "chat", "from_agent", "to_agent", "requested_by", "from_channel", "to_channel"
    ).filter(to_agent=agent, status=TransferStatus.PENDING, expires_at__gt=timezone.now())
    return [transfer_payload(transfer) for transfer in offers]


def team(agent, channel_ids, now=None):
    """
    Each of the agent's channels with its members: present or not, open chats
    against the limit. A manager of a channel also gets its open chats, to
    reassign them.
    """
    now = now or timezone.now()
    managed = set(
        ChannelMembership.objects.filter(user=agent, is_manager=True, channel_id__in=channel_ids).values_list(
            "channel_id", flat=True
        )
    )
    result = []
    for channel in Channel.objects.filter(pk__in=channel_ids, memberships__user=agent).order_by("name", "pk"):
        available = set(channel.members.filter(available_agents_q(now)).values_list("pk", flat=True))
        members = (
            channel.members.filter(is_active=True)
            .annotate(open_chats=Count("chats", filter=Q(chats__status=ChatStatus.ACTIVE, chats__channel=channel)))
            .order_by("first_name", "username", "pk")
        )
        entry = {
            "id": channel.pk,
            "name": channel.name,
            "max_chats": channel.max_chats_per_agent,
            "manager": channel.pk in managed,
            "members": [
                {
                    "id": member.pk,
                    "name": display_name(member),
                    "available": member.pk in available,
                    "open_chats": member.open_chats,
                }
                for member in members
            ],
        }
        if channel.pk in managed:
            chats = (
                Chat.objects.filter(channel=channel, status__in=(ChatStatus.ACTIVE, ChatStatus.QUEUED))
                .select_related("agent")
                .order_by("pk")[:200]
            )
            entry["chats"] = [
                {"id": c.pk, "customer_name": c.customer_name, "status": c.status, "agent_id": c.agent_id}
                for c in chats
            ]
        result.append(entry)
    # Any channel may receive a chat (as the source product allows): its name, never its chats.
    destinations = [
        {"id": pk, "name": name} for pk, name in Channel.objects.order_by("name", "pk").values_list("pk", "name")[:200]
    ]
    return {"channels": result, "destinations": destinations}


def clean_note(note):
    """The note as stored: trimmed, not too long, storable; empty when none was given."""
    if note is None:
        return ""
    if not isinstance(note, str):
        raise NoteTooLong()
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise NoteTooLong()
    if safejson.has_forbidden_text(note):
        raise InvalidText()
    return note


# Helpers -----------------------------------------------------------------------------


def _locked_chat(user, chat_id):
    """The chat row, locked; a chat of a channel the user does not belong to looks like no chat at all."""
    selectors.access_chat_for_agent(user, chat_id)
    return Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").get(pk=chat_id)


def _is_manager(user, channel_id):
    return ChannelMembership.objects.filter(user=user, channel_id=channel_id, is_manager=True).exists()


def _check_may_move(user, chat):
    """The chat's own agent, or a manager of its channel. Returns whether the user is a manager."""
    manager = _is_manager(user, chat.channel_id)
    if chat.agent_id != user.pk and not manager:
        raise NotYourChat()
    return manager


def _available_member(channel, agent_id, *, exclude, now):
    if not isinstance(agent_id, int) or agent_id == exclude:
        raise AgentUnavailable()
    target = channel.members.filter(available_agents_q(now), pk=agent_id).first()
    if target is None:
        raise AgentUnavailable()
    return target


def _check_below_limit(agent, channel):
    # The receiver's presence row is locked as in assignment.accept_chat, so
    # a take and a transfer at the same moment are counted one after the other.
    AgentPresence.objects.get_or_create(user=agent)
    AgentPresence.objects.select_for_update().get(user=agent)
    open_chats = Chat.objects.filter(agent=agent, channel_id=channel.pk, status=ChatStatus.ACTIVE).count()
    if open_chats >= channel.max_chats_per_agent:
        raise TargetAtLimit()


def _check_nothing_pending(chat):
    if ChatTransfer.objects.filter(chat=chat, status=TransferStatus.PENDING).exists():
        raise TransferPending()


def _decide(transfer, status, now, *, notify=True):
    transfer.status = status
    transfer.decided_at = now
    transfer.save(update_fields=["status", "decided_at"])
    if notify:
        _notify(transfer)


def _hand_over(chat, transfer, *, to_agent):
    """The receiver becomes the chat's agent; everyone sees it in the log; the sender lets go of it."""
    from_agent = transfer.from_agent
    chat.agent = to_agent
    chat.save(update_fields=["agent"])
    params = {"from": display_name(from_agent), "to": display_name(to_agent)}
    if transfer.requested_by_id not in (None, transfer.from_agent_id):
        params["by"] = display_name(transfer.requested_by)
    log.append_event(chat, "transferred", **params)
    _keep_note(chat, transfer)
    events.notify_state(chat)
    # The receiver's dashboards get the chat with its whole log, as with an assignment.
    events.notify_assigned(to_agent.pk, chat.pk)
    _notify(transfer)


def _keep_note(chat, transfer):
    """The note stays with the chat, among its internal notes (which only agents see)."""
    if transfer.note:
        ChatNote.objects.create(chat=chat, agent=transfer.requested_by, body=transfer.note)


def _notify(transfer):
    events.notify_transfer((transfer.requested_by_id, transfer.from_agent_id, transfer.to_agent_id), transfer.pk)
