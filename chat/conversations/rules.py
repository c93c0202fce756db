"""
Who may do what with a chat, decided from the chat as read (the caller locks
it where a race matters): posting, reopening, a transcript by e-mail. Each
rule is written once, here; the message paths (services.post_message and
group_commit) and the payloads ask these.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from chat.conversations.models import ChatStatus, Message, MessageKind, Party
from chat.conversations.texts import welcome_texts


def token_lifetime():
    """
    How long after its end a chat's customer token still opens it
    (HELPDESK_TOKEN_TTL_HOURS, 24 h), and so how long the customer may write
    again and reopen it: long enough for "one more question" after lunch or
    the next morning, short enough that the next person at a shared browser
    reads nothing of it and an old chat is not woken up weeks later. One
    window for both, because a reopen needs the token.
    """
    return timedelta(hours=settings.HELPDESK_TOKEN_TTL_HOURS)


def token_expired(chat, now=None):
    """Whether the chat ended longer ago than the token lives (selectors.access_chat_by_token asks it in SQL)."""
    return (
        chat.status == ChatStatus.ENDED
        and chat.ended_at is not None
        and chat.ended_at < (now or timezone.now()) - token_lifetime()
    )


def token_expires_at(chat):
    """When the customer token of this ended chat stops working; None while the chat goes on."""
    if chat.status != ChatStatus.ENDED or chat.ended_at is None:
        return None
    return chat.ended_at + token_lifetime()


def may_post(chat, *, author, agent=None, participant=False):
    """
    Whether ``author`` may add a message to the chat as it is: its customer
    while it waits or is active, its agent while it is active, and a second
    agent in it (a manager who joined, ``participant``: an open
    ChatParticipant whose listening right holds, which the caller has read
    with the chat locked) while it is active. A caller that has not read that
    (group_commit's batch) leaves ``participant`` False and sends what it
    cannot decide the locked way, services.post_message. (An ended chat that
    the customer's message reopens is reopened first: may_reopen.)
    """
    if author == Party.AGENT:
        return chat.status == ChatStatus.ACTIVE and agent is not None and (chat.agent_id == agent.pk or participant)
    return author == Party.CUSTOMER and chat.status in (ChatStatus.QUEUED, ChatStatus.ACTIVE)


def may_reopen(chat, now=None):
    """
    Whether a message from the customer reopens this ended chat: only when the
    agent ended it (not the customer, nor the system because the customer was
    gone), within the token's lifetime, and the customer has not sent the post-chat form. A chat
    whose personal data was removed (chat.privacy: an erasure may come within
    the window) stays ended: its customer is no longer known.
    """
    now = now or timezone.now()
    return (
        chat.status == ChatStatus.ENDED
        and chat.ended_by == Party.AGENT
        and chat.postchat_submitted_at is None
        and chat.personal_data_removed_at is None
        and chat.ended_at is not None
        and chat.ended_at >= now - token_lifetime()
    )


def transcript_available(chat):
    """
    Whether the customer may have the chat's transcript by e-mail: the channel
    offers it, there is an address, and an agent answered (a text of theirs
    other than the channel's automatic welcome, with or without thanks for
    the wait). A chat nobody answered holds only what the sender typed, and a
    transcript of it would let anyone send their own text, from this site, to
    any address they enter.
    """
    if not (chat.channel.transcript_enabled and chat.customer_email):
        return False
    answers = Message.objects.filter(chat=chat, author=Party.AGENT, kind=MessageKind.TEXT)
    welcome = welcome_texts(chat)
    if welcome:
        answers = answers.exclude(client_id="", body__in=welcome)
    return answers.exists()
