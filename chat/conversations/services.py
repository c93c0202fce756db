"""
A chat's life: start, post, end, events in its log, the agent's reading. The
other actions that change a conversation have modules of their own, by job:
assignment (who handles a chat), reopen, presence, postchat, requests; a
single message is written by log, many at once by group_commit. Views,
consumers, admin actions and commands call these; live events leave only
through chat.conversations.events, after the commit.
"""

from django.db import transaction
from django.utils import timezone

from chat.conversations import assignment, events, listening, log, reopen, rules, selectors
from chat.conversations.agents import display_name
from chat.conversations.customer_context import StartContext
from chat.conversations.errors import ChatEnded, NotYourChat
from chat.conversations.models import Chat, ChatStatus, EndReason, Message, Party, hash_token


def start_chat(
    channel, *, name, email, email_verified, form_data, question, context=None, consent_at=None, language=None
):
    """
    Create a chat in the channel's queue with the question as its first
    message. Returns (chat, token): the token is shown to the customer once and
    only its hash is kept. ``context`` is where and with what the customer
    started (customer_context.check_start_context: cleaned already);
    ``consent_at`` when the customer ticked the channel's consent checkbox;
    ``language`` the one the widget spoke (chat.widget.language), else the channel's.
    """
    context = context or StartContext()
    question = log.clean_body(question)
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
            page_url=context.page_url,
            page_title=context.page_title,
            user_agent=context.user_agent,
            customer_time_zone=context.time_zone,
            language=language or channel.language,
            consent_at=consent_at,
        )
        chat.initial_position = selectors.queue_position(chat)
        chat.save(update_fields=["initial_position"])
        log.append(chat, author=Party.CUSTOMER, body=question)
        events.notify_queue_changed(channel.pk)
    if channel.assign_automatically:
        assignment.assign_waiting_chats(channel)
    chat.refresh_from_db()
    return chat, token


def post_message(chat, *, author, body, client_id="", agent=None):
    """
    Store a message and announce it after the commit. A message whose
    ``client_id`` was stored before is not stored again: the earlier one is
    returned with created=False, so a client may resend until it gets an ack.
    A customer who writes to a chat the agent ended a short while ago reopens
    it (rules.may_reopen). Only ``chat.pk`` is read: the row is locked and
    read here, and an agent other than the chat's is refused. The sockets'
    messages come through chat.conversations.group_commit, which stores the
    common case in batches and hands everything else to this function.
    """
    body = log.clean_body(body)
    client_id = (client_id or "")[: log.MAX_CLIENT_ID_LENGTH]
    reopened = False
    with transaction.atomic():
        locked = (
            Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").filter(pk=chat.pk).first()
        )
        # A second agent in the chat (a manager who joined it) is decided here, with the row locked.
        participant = author == Party.AGENT and locked is not None and locked.agent_id != agent.pk
        participant = participant and listening.is_participant(locked, agent)
        if locked is None or (author == Party.AGENT and locked.agent_id != agent.pk and not participant):
            raise NotYourChat()
        if client_id:
            earlier = Message.objects.filter(chat=locked, client_id=client_id).first()
            if earlier is not None:
                # Announce the stored message again. A resend means the client
                # never got its ack: the first announcement may be lost too (the
                # process died between commit and group_send, or Redis was
                # down), and the other side, still connected elsewhere, would
                # not hear of it until the chat's next message. Sockets that
                # already have this seq drop the repeat (chat.conversations.delivery).
                earlier.chat = locked
                events.notify_message(earlier)
                return earlier, False
        if author == Party.CUSTOMER and rules.may_reopen(locked):
            reopen.reopen_locked(locked)
            reopened = True
        if not rules.may_post(locked, author=author, agent=agent, participant=participant):
            raise ChatEnded() if locked.status == ChatStatus.ENDED else NotYourChat()
        message = log.append(locked, author=author, body=body, client_id=client_id, agent=agent)
    if reopened:
        reopen.after_reopen(locked)
    return message, True


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
        log.append_event(locked, "ended", by=by, reason=reason, **ended_by_agent)
        listening.end_participations_locked(locked)
        events.notify_state(locked)
        if was_queued:
            events.notify_queue_changed(locked.channel_id)
    if not was_queued and locked.channel.assign_automatically:
        assignment.assign_waiting_chats(locked.channel)
    return locked


def post_event(chat, event, **params):
    """Append an event to the chat's log, e.g. that a request was made from it."""
    with transaction.atomic():
        locked = Chat.objects.select_for_update().get(pk=chat.pk)
        return log.append_event(locked, event, **params)


def mark_read(chat, *, agent, seq):
    """The agent has read the chat up to ``seq``; never moves backwards. The agent's other tabs hear of it."""
    seq = min(seq, chat.last_seq)
    with transaction.atomic():
        moved = Chat.objects.filter(pk=chat.pk, agent=agent, agent_read_seq__lt=seq).update(agent_read_seq=seq)
        if moved:
            events.notify_read(agent.pk, chat.pk, seq)
