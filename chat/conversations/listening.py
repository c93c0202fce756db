"""
Listening in: a manager of a channel who may listen in
(ChannelMembership.is_manager and may_listen_in) follows its active chats
live without the customer being told, whispers to the handling agent, joins
the chat as a second agent (a ChatParticipant) or takes it over.

What the customer may never notice is kept out by construction: reading a
chat here writes nothing (no read mark, no presence, no load), a whisper is
a ChatNote (which no customer path reads), and only joining, leaving and
taking over put an event into the log. Every write locks the chat row first,
as services and transfers do, so a join, a leave, the chat's end and the
messages of both agents are decided one after another.
"""

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.configuration.models import ChannelMembership
from chat.conversations import events, log, notes, transfers
from chat.conversations.agents import display_name
from chat.conversations.errors import ChatEnded, ChatError, TooManyNotes
from chat.conversations.models import Chat, ChatNote, ChatParticipant, ChatStatus, Message, MessageKind

# The overview lists this many chats at most: more than a screen of them is
# no overview, and the read stays bounded on a busy helpdesk.
MAX_OVERVIEW_CHATS = 200
# What the overview shows of a chat's last message.
PREVIEW_LENGTH = 140


class MayNotListen(ChatError):
    code = "may_not_listen"
    message = _("You may not listen in on this chat.")
    http_status = 403


class NotJoined(ChatError):
    code = "not_joined"
    message = _("You have not joined this chat.")
    http_status = 409


class OwnChat(ChatError):
    code = "own_chat"
    message = _("This chat is yours already.")
    http_status = 409


# Who may listen -------------------------------------------------------------------


def listen_channel_ids(user):
    """The channels whose chats ``user`` may listen in on: manager and "may listen in", and the user active."""
    if user is None or not user.is_active:
        return []
    return list(
        ChannelMembership.objects.filter(user=user, is_manager=True, may_listen_in=True)
        .order_by("channel_id")
        .values_list("channel_id", flat=True)
    )


def may_listen(user, channel_id):
    return channel_id in listen_channel_ids(user)


def access_listened_chat(user, chat_id, *, locked=False):
    """
    An active chat of a channel the user may listen in on, handled by someone
    else; anything else is refused with the same error (a chat of another
    channel looks like no chat at all). ``locked``: the row is locked (inside
    the caller's transaction).
    """
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):
        raise MayNotListen()
    chats = Chat.objects.select_related("channel", "agent")
    if locked:
        chats = chats.select_for_update(of=("self",))
    chat = chats.filter(pk=chat_id).first()
    if chat is None or not may_listen(user, chat.channel_id):
        raise MayNotListen()
    if chat.status != ChatStatus.ACTIVE:
        raise ChatEnded() if chat.status == ChatStatus.ENDED else MayNotListen()
    if chat.agent_id == user.pk:
        raise OwnChat()
    return chat


def is_participant(chat, agent):
    """
    Whether ``agent`` is in the chat as a second agent now: an open
    ChatParticipant, and still allowed to listen in on its channel (a right
    taken away silences them at once, before any socket hears of it).
    """
    if agent is None:
        return False
    joined = current_participations(chat).filter(agent=agent).exists()
    return joined and may_listen(agent, chat.channel_id)


def is_participant_in(agent, chat_id):
    """is_participant for an active chat known by its id (a typing frame); False for any other."""
    chat = Chat.objects.filter(pk=chat_id, status=ChatStatus.ACTIVE).only("pk", "channel_id", "accepted_at").first()
    return chat is not None and is_participant(chat, agent)


def current_participations(chat):
    """
    The open participations of the chat as it is now. A chat that went back
    to a queue (its agent gone, moved to another channel) and was taken again
    has a new ``accepted_at``: whoever joined before is not in this one.
    """
    found = ChatParticipant.objects.filter(chat_id=chat.pk, left_at__isnull=True)
    if chat.accepted_at is not None:
        found = found.filter(joined_at__gte=chat.accepted_at)
    return found


# Reading ----------------------------------------------------------------------------


def overview(channel_ids):
    """
    Every active chat of these channels, for the listeners' "All active
    chats": agent, customer, the last message and when it came. One query;
    the sockets of one process with the same channels share it
    (chat.dashboard.listening), and each leaves out its own chats.
    """
    last = Message.objects.filter(chat=OuterRef("pk"), kind__in=(MessageKind.TEXT, MessageKind.FAQ)).order_by("-seq")
    chats = (
        Chat.objects.filter(channel_id__in=list(channel_ids), status=ChatStatus.ACTIVE)
        .select_related("channel", "agent")
        .annotate(
            last_body=Subquery(last.values("body")[:1]),
            last_author=Subquery(last.values("author")[:1]),
            last_at=Subquery(last.values("created_at")[:1]),
        )
        .order_by("channel__name", "accepted_at", "pk")[:MAX_OVERVIEW_CHATS]
    )
    return [
        {
            "id": chat.pk,
            "channel": chat.channel.name,
            "channel_id": chat.channel_id,
            "customer_name": chat.customer_name,
            "agent_id": chat.agent_id,
            "agent_name": display_name(chat.agent),
            "last_author": chat.last_author or "",
            "last_body": (chat.last_body or "")[:PREVIEW_LENGTH],
            "last_at": chat.last_at.isoformat() if chat.last_at else None,
        }
        for chat in chats
    ]


def listened_chat_payload(chat, listener):
    """The listened chat's head on the listener's dashboard: who talks with whom, and whether the listener joined."""
    return {
        "id": chat.pk,
        "channel": chat.channel.name,
        "channel_id": chat.channel_id,
        "customer_name": chat.customer_name,
        "customer_email": chat.customer_email,
        "agent_name": display_name(chat.agent),
        "status": chat.status,
        "joined": current_participations(chat).filter(agent=listener).exists(),
    }


def open_listen(user, chat_id):
    """The chat a listener opens (access checked), as listened_chat_payload."""
    return listened_chat_payload(access_listened_chat(user, chat_id), user)


# Writing ----------------------------------------------------------------------------


def whisper(manager, chat_id, *, body, client_id):
    """
    A manager's note to the handling agent, stored as a ChatNote (marked as a
    whisper) so that no path leads it to the customer. A ``client_id`` stored
    before returns the earlier whisper, announced again, with created=False.
    """
    body = log.clean_body(body)
    client_id = (client_id or "")[: log.MAX_CLIENT_ID_LENGTH]
    with transaction.atomic():
        chat = access_listened_chat(manager, chat_id, locked=True)
        earlier = client_id and ChatNote.objects.filter(chat=chat, client_id=client_id).select_related("agent").first()
        if earlier:
            events.notify_note(earlier, chat)
            return earlier, False
        if ChatNote.objects.filter(chat=chat).count() >= notes.MAX_NOTES_PER_CHAT:
            raise TooManyNotes()
        note = ChatNote.objects.create(chat=chat, agent=manager, client_id=client_id, body=body, is_whisper=True)
        events.notify_note(note, chat)
    return note, True


def join(manager, chat_id):
    """
    The manager joins the chat: an open ChatParticipant, and an event in the
    log that both sides see. Joining twice changes nothing.
    """
    with transaction.atomic():
        chat = access_listened_chat(manager, chat_id, locked=True)
        participation = current_participations(chat).filter(agent=manager).first()
        if participation is not None:
            return participation, False
        # One left open from before the chat was last taken: closed, so that a new one may open.
        _end_participations(chat, agents=[manager.pk], announce=False)
        participation = ChatParticipant.objects.create(chat=chat, agent=manager)
        log.append_event(chat, "participant_joined", agent=display_name(manager))
    return participation, True


def leave(manager, chat_id):
    """The manager leaves a chat they joined, with an event in the log. Allowed without the listening right."""
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):
        raise NotJoined()
    with transaction.atomic():
        chat = Chat.objects.select_for_update(of=("self",)).filter(pk=chat_id).first()
        if chat is None:
            raise NotJoined()
        if not _end_participations(chat, agents=[manager.pk], announce=chat.is_open):
            raise NotJoined()
    return chat


def take_over(manager, chat_id):
    """The chat becomes the manager's (transfers.take_over): the agent is told, the customer sees the new name."""
    with transaction.atomic():
        chat = access_listened_chat(manager, chat_id, locked=True)
        # Their part as a second agent ends in the hand-over's event, not one of its own.
        _end_participations(chat, agents=[manager.pk], announce=False)
        return transfers.take_over(manager, chat)


def end_participations_locked(chat):
    """The chat ended (services.end_chat, with the row locked): everyone who joined is out, without more events."""
    _end_participations(chat, agents=None, announce=False)


def end_participations_of(user, channel_ids=None):
    """
    The user may no longer be in these channels' chats (deactivated, the
    right taken away: chat.conversations.access): their open participations
    end, each with its event, chat by chat under the chat's lock.
    """
    open_ones = ChatParticipant.objects.filter(agent_id=user.pk, left_at__isnull=True)
    if channel_ids is not None:
        open_ones = open_ones.filter(chat__channel_id__in=list(channel_ids))
    for chat_id in sorted(set(open_ones.values_list("chat_id", flat=True))):
        with transaction.atomic():
            chat = Chat.objects.select_for_update(of=("self",)).filter(pk=chat_id).first()
            if chat is not None:
                _end_participations(chat, agents=[user.pk], announce=chat.is_open)


def _end_participations(chat, *, agents, announce):
    """Close the open participations (of ``agents``, else all); returns how many. Runs with the chat locked."""
    open_ones = ChatParticipant.objects.select_related("agent").filter(chat=chat, left_at__isnull=True)
    if agents is not None:
        open_ones = open_ones.filter(agent_id__in=agents)
    ended = list(open_ones)
    if ended:
        ChatParticipant.objects.filter(pk__in=[p.pk for p in ended]).update(left_at=timezone.now())
    # Only those in the chat as it is now were seen joining it.
    current = [p for p in ended if chat.accepted_at is None or p.joined_at >= chat.accepted_at]
    if announce:
        for participation in current:
            log.append_event(chat, "participant_left", agent=display_name(participation.agent))
    return len(current)
