"""
Reads, with the permission check where one is needed: ``access_*`` fetches and
checks in one step, so a caller cannot forget the check.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from chat.configuration.models import Channel, ChannelMembership
from chat.conversations import rules
from chat.conversations.agents import available_agents_q
from chat.conversations.errors import NotYourChat
from chat.conversations.models import Chat, ChatStatus, Message, Party, PresencePeriod, hash_token

# How many recent chats of a channel the wait estimate looks at, and how far
# back: enough to smooth one slow pick-up, recent enough to follow the day.
WAIT_SAMPLE_SIZE = 20
WAIT_SAMPLE_DAYS = 7


def access_chat_by_token(token, now=None):
    """
    The chat a customer's token opens, or None. The token is the only key,
    and it stops working a while after the chat ended (rules.token_lifetime):
    an expired token gets the same None as an unknown one, so the widget
    starts afresh. The same rule as rules.token_expired, in SQL.
    """
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    cutoff = (now or timezone.now()) - rules.token_lifetime()
    return (
        Chat.objects.select_related("channel", "agent")
        .filter(token_hash=hash_token(token))
        .exclude(status=ChatStatus.ENDED, ended_at__lt=cutoff)
        .first()
    )


def agent_channel_ids(agent):
    return list(Channel.objects.filter(memberships__user=agent).values_list("pk", flat=True))


def agent_channel_ids_by_pk(user_id):
    return list(Channel.objects.filter(memberships__user_id=user_id).values_list("pk", flat=True))


@dataclass(frozen=True)
class AgentAccess:
    user: object
    channel_ids: list
    # The channels whose chats the user may listen in on (chat.conversations.listening.listen_channel_ids).
    listen_channel_ids: tuple = ()


def access_agent_session(session_key):
    """
    The user a session is logged in as, with their channels, checked as
    Django checks each request (django.contrib.auth.get_user: the session
    exists, its backend knows an active user, the password has not changed
    since the login); None otherwise. Unlike get_user it changes nothing: a
    check in the background must not log anyone out.
    """
    return access_agent_sessions([session_key]).get(session_key)


def access_agent_sessions(session_keys):
    """
    ``access_agent_session`` for many sessions at once: {session key: AgentAccess or None}.
    Every dashboard socket of a process is checked each heartbeat
    (chat.dashboard.consumer); in one go that is three queries for all of
    them instead of three for each: the sessions, the users, the memberships.
    Sessions of another engine than the database's, and users of a backend
    that reads them otherwise than ModelBackend, are read one by one.
    """
    keys = [key for key in dict.fromkeys(session_keys) if key]
    found = {key: None for key in session_keys}
    session_data = _session_data(keys)
    by_backend = defaultdict(set)
    for data in session_data.values():
        backend_path = data.get(BACKEND_SESSION_KEY)
        if isinstance(data.get(SESSION_KEY), str | int) and backend_path in settings.AUTHENTICATION_BACKENDS:
            by_backend[backend_path].add(data[SESSION_KEY])
    users = {
        (path, user_id): user
        for path, user_ids in by_backend.items()
        for user_id, user in _users(path, user_ids).items()
    }
    checked = {}
    for key, data in session_data.items():
        if not isinstance(data.get(SESSION_KEY), str | int):
            continue
        user = users.get((data.get(BACKEND_SESSION_KEY), data[SESSION_KEY]))
        if user is None or not user.is_active:
            continue
        session_hash = data.get(HASH_SESSION_KEY) or ""
        hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
        if any(constant_time_compare(session_hash, known) for known in hashes):
            checked[key] = user
    memberships = defaultdict(list)
    rows = ChannelMembership.objects.filter(user_id__in={user.pk for user in checked.values()}).order_by("channel_id")
    for user_id, channel_id, manager, may_listen in rows.values_list(
        "user_id", "channel_id", "is_manager", "may_listen_in"
    ):
        memberships[user_id].append((channel_id, manager and may_listen))
    for key, user in checked.items():
        rows = memberships.get(user.pk, [])
        found[key] = AgentAccess(
            user=user,
            channel_ids=[channel_id for channel_id, _ in rows],
            listen_channel_ids=tuple(channel_id for channel_id, listens in rows if listens),
        )
    return found


def _session_data(keys):
    """{session key: its data} of the sessions that exist and have not expired, as SessionStore.load reads them."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not keys:
        return {}
    if not issubclass(store_class, DatabaseSessionStore):
        return {key: data for key in keys if (data := store_class(key).load())}
    decoder = store_class()
    rows = store_class.get_model_class().objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
    return {key: data for key, raw in rows.values_list("session_key", "session_data") if (data := decoder.decode(raw))}


def _users(backend_path, user_ids):
    """{user id as in the session: the user its backend returns}, in one query for ModelBackend's get_user."""
    backend = load_backend(backend_path)
    if type(backend).get_user is not ModelBackend.get_user:
        users = {}
        for user_id in user_ids:
            try:
                users[user_id] = backend.get_user(user_id)
            except (ValueError, TypeError):
                pass
        return users
    user_model = get_user_model()
    pks = {}
    for user_id in user_ids:
        try:
            pks[user_id] = user_model._meta.pk.to_python(user_id)
        except (ValueError, TypeError, ValidationError):
            pass
    by_pk = {user.pk: user for user in user_model._default_manager.filter(pk__in=set(pks.values()))}
    return {
        user_id: by_pk[pk] for user_id, pk in pks.items() if pk in by_pk and backend.user_can_authenticate(by_pk[pk])
    }


def access_chat_for_agent(agent, chat_id):
    """A chat of one of the agent's channels; anything else looks like no chat at all."""
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):
        raise NotYourChat()
    chat = Chat.objects.select_related("channel", "agent").filter(pk=chat_id, channel__memberships__user=agent).first()
    if chat is None:
        raise NotYourChat()
    return chat


def agent_ended_chats(agent, chat_ids):
    """Those of ``chat_ids`` that this agent handled, that have ended, in channels the agent still belongs to."""
    if not chat_ids:
        return []
    return list(
        Chat.objects.select_related("channel", "agent")
        .filter(pk__in=chat_ids, agent=agent, status=ChatStatus.ENDED, channel__memberships__user=agent)
        .order_by("pk")
    )


def messages_between(chat_id, *, after_seq, up_to_seq=None):
    """The chat's log after ``after_seq`` (and up to ``up_to_seq``), in order."""
    messages = Message.objects.select_related("chat", "agent").filter(chat_id=chat_id, seq__gt=after_seq)
    if up_to_seq is not None:
        messages = messages.filter(seq__lte=up_to_seq)
    return list(messages.order_by("seq"))


def queued_chats(channel_ids):
    return Chat.objects.filter(channel_id__in=channel_ids, status=ChatStatus.QUEUED).order_by("queued_at", "pk")


def queue_for_agents(channel_ids, limit=100):
    """The waiting chats of these channels with their first question, in one query."""
    first_question = (
        Message.objects.filter(chat=OuterRef("pk"), author=Party.CUSTOMER, kind="text")
        .order_by("seq")
        .values("body")[:1]
    )
    return list(queued_chats(channel_ids).select_related("channel").annotate(question=Subquery(first_question))[:limit])


def queue_position(chat):
    """1 for the chat that waits longest; None once the chat no longer waits."""
    if chat.status != ChatStatus.QUEUED:
        return None
    ahead = Chat.objects.filter(channel_id=chat.channel_id, status=ChatStatus.QUEUED).filter(
        Q(queued_at__lt=chat.queued_at) | Q(queued_at=chat.queued_at, pk__lt=chat.pk)
    )
    return ahead.count() + 1


def wait_per_place_seconds(channel_id, now=None, agents=None):
    """
    The median wait of the channel's recent chats, per place they had in the
    queue when they arrived, for the agents available now (``agents``, read
    when not given): a chat that waited four minutes while two agents were
    present would have waited about eight with one. A chat from a time without
    presence records counts as it was. None without history, and None with
    nobody available: then nothing can be estimated. Times the customer's
    own place, it estimates their wait from what really happened lately.
    """
    now = now or timezone.now()
    if agents is None:
        agents = available_agent_count_in(channel_id)
    if not agents:
        return None
    recent = list(
        Chat.objects.filter(
            channel_id=channel_id,
            accepted_at__isnull=False,
            queued_at__isnull=False,
            initial_position__isnull=False,
            accepted_at__gte=now - timedelta(days=WAIT_SAMPLE_DAYS),
        )
        .order_by("-accepted_at")
        .values_list("queued_at", "accepted_at", "initial_position")[:WAIT_SAMPLE_SIZE]
    )
    if not recent:
        return None
    present = _presence_periods(channel_id, since=min(queued for queued, _accepted, _position in recent))
    samples = []
    for queued, accepted, position in recent:
        per_place = (accepted - queued).total_seconds() / max(position, 1)
        then = sum(1 for started, ended in present if started <= queued and (ended is None or ended >= queued))
        samples.append(per_place * then / agents if then else per_place)
    return statistics.median(samples)


def _presence_periods(channel_id, *, since):
    """(started_at, ended_at) of the presence of the channel's members since ``since``, in one query."""
    members = ChannelMembership.objects.filter(channel_id=channel_id).values("user_id")
    return list(
        PresencePeriod.objects.filter(agent_id__in=members)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since))
        .values_list("started_at", "ended_at")
    )


def wait_estimate_seconds(chat, position, *, agents=None):
    """
    The customer's wait from the recent waits per place and the agents there
    (``agents``, the count of available ones, when the caller knows it);
    None when unknown, and None when none of the channel's agents is there.
    """
    if position is None:
        return None
    if agents is None:
        agents = available_agent_count_in(chat.channel_id)
    per_place = wait_per_place_seconds(chat.channel_id, agents=agents)
    if per_place is None:
        return None
    return round(per_place * position)


def available_agent_count(channel):
    return channel.members.filter(available_agents_q()).count()


def available_agent_count_in(channel_id):
    """The channel's members who could take a chat now (present, dashboard seen: chat.conversations.agents)."""
    return get_user_model().objects.filter(available_agents_q(), chat_channels__pk=channel_id).count()


def agent_open_chats(agent):
    """The agent's active chats in the channels they belong to now, with how many customer messages they have not read."""
    return list(
        Chat.objects.select_related("channel")
        .filter(agent=agent, status=ChatStatus.ACTIVE, channel__in=Channel.objects.filter(memberships__user=agent))
        .annotate(
            unread=Count(
                "messages",
                filter=Q(messages__author=Party.CUSTOMER, messages__seq__gt=F("agent_read_seq")),
            )
        )
        .order_by("accepted_at", "pk")
    )


def agent_recent_chats(agent, *, hours=8, limit=20):
    since = timezone.now() - timedelta(hours=hours)
    return list(
        Chat.objects.select_related("channel")
        .filter(agent=agent, status=ChatStatus.ENDED, ended_at__gte=since)
        .order_by("-ended_at")[:limit]
    )


def access_chat_by_id(chat_id):
    """For a socket that has already proven its right to the chat."""
    return Chat.objects.select_related("channel", "agent").get(pk=chat_id)


def request_offer_delay_seconds(chat, now=None, waiting=None, agents=None):
    """
    For a waiting chat: 0 when the customer may leave a request instead of
    waiting, the seconds until that by the channel's waiting-time rule, or
    None when neither of the channel's rules will offer it. With none of the
    channel's agents there, the request is offered at once: waiting would
    be for nobody. ``waiting`` is the number of chats in the queue and
    ``agents`` the number of available agents, when the caller knows them.
    """
    channel = chat.channel
    if not channel.request_enabled or chat.status != ChatStatus.QUEUED:
        return None
    if agents is None:
        agents = available_agent_count_in(channel.pk)
    if not agents:
        return 0
    if channel.offer_request_when_waiting_over is not None:
        if waiting is None:
            waiting = Chat.objects.filter(channel_id=channel.pk, status=ChatStatus.QUEUED).count()
        if waiting > channel.offer_request_when_waiting_over:
            return 0
    if channel.offer_request_after_minutes is not None and chat.queued_at is not None:
        waited = ((now or timezone.now()) - chat.queued_at).total_seconds()
        return max(0, round(channel.offer_request_after_minutes * 60 - waited))
    return None


def queue_snapshot(channel_id):
    """
    The channel's queue in a few small queries: the waiting chats in order,
    how many agents could take a chat now and the wait per place for them. Sent with
    each queue move and each change of presence, so that each waiting
    customer's socket works out its own place without a query
    (chat.conversations.payloads.queue_place).
    """
    order = list(
        Chat.objects.filter(channel_id=channel_id, status=ChatStatus.QUEUED)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )
    agents = available_agent_count_in(channel_id)
    return {"order": order, "wait_per_place": wait_per_place_seconds(channel_id, agents=agents), "agents": agents}


def request_offered(chat):
    return request_offer_delay_seconds(chat) == 0
