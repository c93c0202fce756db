"""
Every change of a chat's state happens here: start, post, accept, end,
presence, and the sweeps of the housekeeping loop. Views, consumers, admin
actions and commands call these functions; live events leave only from here,
after the commit (chat.events). The one companion is chat.group_commit, the
batched form of post_message for the sockets: it stores the common case many
at a time and hands everything else to post_message.
"""
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from chat import events, selectors
from infra.realtime import broadcast
from infra import safejson
from chat.errors import AtChatLimit, ChatAlreadyTaken, ChatEnded, EmptyMessage, MessageTooLong, NotYourChat, QueueEmpty
from infra.errors import InvalidText
from chat.models import (
    AgentPresence,
    Channel,
    Chat,
    ChatStatus,
    EndReason,
    Message,
    MessageKind,
    Party,
    PresenceStatus,
    hash_token,
)
from chat.presence import available_agents_q, display_name
from chat.serializers import chat_state_payload, message_payload

# Long enough for a detailed question, short enough that one message cannot
# flood the other side's screen or the database.
MAX_MESSAGE_LENGTH = 4000
MAX_CLIENT_ID_LENGTH = 64


# Starting and posting ------------------------------------------------------


def start_chat(channel, *, name, email, email_verified, form_data, question):
    """
    Create a chat in the channel's queue with the question as its first
    message. Returns (chat, token): the token is shown to the customer once and
    only its hash is kept.
    """
    question = clean_body(question)
    token = Chat.new_token()
    with transaction.atomic():
        now = timezone.now()
        chat = Chat.objects.create(
            channel=channel,
            status=ChatStatus.QUEUED,
            token_hash=hash_token(token),
            customer_name=name,
            customer_email=email,
            email_domain_verified=email_verified,
            form_data=form_data,
            queued_at=now,
            customer_seen_at=now,
        )
        chat.initial_position = selectors.queue_position(chat)
        chat.save(update_fields=["initial_position"])
        _append(chat, author=Party.CUSTOMER, body=question)
        _notify_queue_changed(channel.pk)
    if channel.assign_automatically:
        assign_waiting_chats(channel)
    chat.refresh_from_db()
    return chat, token


def post_message(chat, *, author, body, client_id="", agent=None):
    """
    Store a message and announce it after the commit. A message whose
    ``client_id`` was stored before is not stored again: the earlier one is
    returned with created=False, so a client may resend until it gets an ack.
    A customer who writes to a chat the agent ended a short while ago reopens
    it (chat.postchat.may_reopen). Only ``chat.pk`` is read: the row is locked
    and read here, and an agent other than the chat's is refused.
    """
    from chat import postchat

    body = clean_body(body)
    client_id = (client_id or "")[:MAX_CLIENT_ID_LENGTH]
    message = _post_to_open_chat(chat.pk, author=author, body=body, client_id=client_id, agent=agent)
    if message is not None:
        return message, True
    reopened = False
    with transaction.atomic():
        locked = Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").filter(pk=chat.pk).first()
        if locked is None or (author == Party.AGENT and locked.agent_id != agent.pk):
            raise NotYourChat()
        if client_id:
            earlier = Message.objects.filter(chat=locked, client_id=client_id).first()
            if earlier is not None:
                # Announce the stored message again. A resend means the client
                # never got its ack: the first announcement may be lost too (the
                # process died between commit and group_send, or Redis was
                # down), and the other side, still connected elsewhere, would
                # not hear of it until the chat's next message. Sockets that
                # already have this seq drop the repeat (FrameConsumer.deliver).
                earlier.chat = locked
                broadcast.send_on_commit(
                    events.chat_group(locked.pk),
                    {"type": "chat.message", "chat_id": locked.pk, "message": message_payload(earlier)},
                )
                return earlier, False
        if locked.status == ChatStatus.ENDED:
            if author != Party.CUSTOMER or not postchat.may_reopen(locked):
                raise ChatEnded()
            postchat.do_reopen(locked)
            reopened = True
        if author == Party.AGENT and locked.status != ChatStatus.ACTIVE:
            raise NotYourChat()
        message = _append(locked, author=author, body=body, client_id=client_id, agent=agent)
    if reopened:
        postchat.after_reopen(locked)
    return message, True


def _post_to_open_chat(chat_id, *, author, body, client_id, agent):
    """
    The common case in four database round trips: a new message to a chat
    that takes it (waiting or active; for an agent, active and theirs). The
    chat row is locked and numbered by one UPDATE that also checks those
    conditions. Anything else (a resend, an ended chat, someone else's chat)
    returns None and goes the full way through post_message.
    """
    table = Chat._meta.db_table
    if author == Party.AGENT:
        condition, params = "status = %s AND agent_id = %s", [ChatStatus.ACTIVE, agent.pk]
    else:
        condition, params = "status IN (%s, %s)", [ChatStatus.QUEUED, ChatStatus.ACTIVE]
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s AND {condition} RETURNING last_seq, customer_name",
                    [chat_id, *params],
                )
                row = cursor.fetchone()
            if row is None:
                return None
            seq, customer_name = row
            # A resend of a stored client_id breaks the unique constraint: the
            # whole transaction (the number too) is undone and the full path answers.
            chat = Chat(pk=chat_id, last_seq=seq, customer_name=customer_name)
            return _store(chat, seq, author=author, body=body, client_id=client_id, agent=agent)
    except IntegrityError:
        return None


def clean_body(body):
    """The text of a message as stored: trimmed, not empty, not too long, storable (else a ChatError)."""
    if not isinstance(body, str):
        raise EmptyMessage()
    body = body.strip()
    if not body:
        raise EmptyMessage()
    if len(body) > MAX_MESSAGE_LENGTH:
        raise MessageTooLong()
    if safejson.has_forbidden_text(body):
        raise InvalidText()
    return body


def _append(chat, *, author, body="", client_id="", agent=None, kind=MessageKind.TEXT, event="", params=None):
    """
    Give the message the chat's next sequence number, store it, and announce it
    after the commit. Must run inside a transaction: the increment locks the
    chat row until the commit, so numbers are handed out one at a time.
    """
    seq = _next_seq(chat.pk)
    chat.last_seq = seq
    return _store(chat, seq, author=author, body=body, client_id=client_id, agent=agent, kind=kind, event=event, params=params)


def _store(chat, seq, *, author, body="", client_id="", agent=None, kind=MessageKind.TEXT, event="", params=None):
    """Insert message ``seq`` (already taken from the locked chat row) and announce it after the commit."""
    message = Message.objects.create(
        chat=chat,
        seq=seq,
        client_id=client_id,
        author=author,
        agent=agent,
        kind=kind,
        body=body,
        event=event,
        params=params or {},
    )
    message.chat = chat
    broadcast.send_on_commit(events.chat_group(chat.pk), {"type": "chat.message", "chat_id": chat.pk, "message": message_payload(message)})
    return message


def _next_seq(chat_id):
    """One statement on PostgreSQL and SQLite (3.35+): increment and read the chat's last number."""
    table = Chat._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq", [chat_id])
        return cursor.fetchone()[0]


def _append_event(chat, event, **params):
    return _append(chat, author=Party.SYSTEM, kind=MessageKind.EVENT, event=event, params=params)


# Taking chats ---------------------------------------------------------------


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
        _append_event(chat, "joined", agent=display_name(agent))
        if chat.channel.welcome_message.strip():
            _append(chat, author=Party.AGENT, agent=agent, body=chat.channel.welcome_message.strip())
        _notify_state(chat)
        _notify_queue_changed(chat.channel_id)
        broadcast.send_on_commit(events.agent_group(agent.pk), {"type": "agent.assigned", "chat_id": chat.pk})
    return chat


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
            _append_event(locked, "returned", agent=name)
            _notify_state(locked)
            _notify_queue_changed(locked.channel_id)
        returned.append(locked)
    for channel in {chat.channel for chat in returned if chat.channel.assign_automatically}:
        assign_waiting_chats(channel)
    return len(returned)


# Ending ---------------------------------------------------------------------


def end_chat(chat, *, by, agent=None, reason=EndReason.ENDED):
    """
    End a chat; ``by`` is the party that ended it. An ended chat accepts no
    more messages. Ending twice changes nothing.
    """
    with transaction.atomic():
        locked = Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").get(pk=chat.pk)
        if locked.status == ChatStatus.ENDED:
            return locked
        if by == Party.AGENT and locked.agent_id != agent.pk:
            raise NotYourChat()
        was_queued = locked.status == ChatStatus.QUEUED
        locked.status = ChatStatus.ENDED
        locked.ended_at = timezone.now()
        locked.ended_by = by
        locked.end_reason = reason
        locked.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
        ended_by_agent = {"agent": display_name(locked.agent)} if by == Party.AGENT else {}
        _append_event(locked, "ended", by=by, reason=reason, **ended_by_agent)
        _notify_state(locked)
        if was_queued:
            _notify_queue_changed(locked.channel_id)
    if not was_queued and locked.channel.assign_automatically:
        assign_waiting_chats(locked.channel)
    return locked


def post_event(chat, event, **params):
    """Append an event to the chat's log, e.g. that a request was made from it."""
    with transaction.atomic():
        locked = Chat.objects.select_for_update().get(pk=chat.pk)
        return _append_event(locked, event, **params)


def mark_read(chat, *, agent, seq):
    """The agent has read the chat up to ``seq``; never moves backwards. The agent's other tabs hear of it."""
    seq = min(seq, chat.last_seq)
    with transaction.atomic():
        moved = Chat.objects.filter(pk=chat.pk, agent=agent, agent_read_seq__lt=seq).update(agent_read_seq=seq)
        if moved:
            broadcast.send_on_commit(events.agent_group(agent.pk), {"type": "agent.read", "chat_id": chat.pk, "seq": seq})


# Presence and the housekeeping loop ------------------------------------------


def set_presence(agent, *, status):
    with transaction.atomic():
        presence, _created = AgentPresence.objects.get_or_create(user=agent)
        presence.status = status
        presence.seen_at = timezone.now()
        presence.save(update_fields=["status", "seen_at"])
        broadcast.send_on_commit(events.agent_group(agent.pk), {"type": "agent.presence", "status": status})
    if status == PresenceStatus.PRESENT:
        for channel in Channel.objects.filter(memberships__user=agent, assign_automatically=True):
            assign_waiting_chats(channel)
    return presence


def notify_agent_access_changed(user_id, *, ended_session_key=""):
    """
    Who the agent is or which channels they belong to changed: their open
    sockets check their access at once (chat.consumers.agent). A logout names
    its session, whose sockets close without asking the database.
    """
    broadcast.send_on_commit(events.agent_group(user_id), {"type": "agent.access", "session_key": ended_session_key})


def touch_agents(user_ids, now=None):
    """Record that dashboards of these agents are connected right now."""
    if not user_ids:
        return
    now = now or timezone.now()
    with transaction.atomic():
        # Locked in order, so that two processes touching the same agents cannot deadlock.
        locked = list(
            AgentPresence.objects.select_for_update().filter(user_id__in=user_ids)
            .order_by("user_id").values_list("pk", flat=True)
        )
        AgentPresence.objects.filter(pk__in=locked).update(seen_at=now)
    missing = set(user_ids) - set(AgentPresence.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    for user_id in missing:
        AgentPresence.objects.get_or_create(user_id=user_id, defaults={"seen_at": now})


def touch_customers(chat_ids, now=None):
    """
    Record that these chats' customers are connected right now. The rows are
    locked in order of id, as chat.group_commit locks them: a multi-row UPDATE
    locks in no set order and deadlocked with the message batches.
    """
    if not chat_ids:
        return
    with transaction.atomic():
        locked = list(
            Chat.objects.select_for_update().filter(pk__in=chat_ids).exclude(status=ChatStatus.ENDED)
            .order_by("pk").values_list("pk", flat=True)
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
            end_chat(chat, by=Party.SYSTEM, reason=reason)
            ended += 1
    return ended


def assign_in_all_channels():
    """Catch up on assignments that no event triggered (an agent's grace ran out, a chat ended elsewhere)."""
    for channel in Channel.objects.filter(assign_automatically=True, chats__status=ChatStatus.QUEUED).distinct():
        assign_waiting_chats(channel)


# Live events ----------------------------------------------------------------


def _notify_state(chat):
    broadcast.send_on_commit(events.chat_group(chat.pk), {"type": "chat.state", "state": chat_state_payload(chat)})


def _notify_queue_changed(channel_id):
    broadcast.send_coalesced_on_commit(
        events.queue_group(channel_id),
        lambda: {"type": "queue.changed", "channel_id": channel_id, "queue": selectors.queue_snapshot(channel_id)},
    )
