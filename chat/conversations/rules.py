"""
Who may do what with a chat, decided from the chat as read (the caller locks
it where a race matters): posting, reopening, a transcript by e-mail. Each
rule is written once, here; the message paths (services.post_message and
group_commit) and the payloads ask these.
"""

from datetime import timedelta

from django.utils import timezone

from chat.conversations.models import ChatStatus, Message, MessageKind, Party

# A customer who writes again after the agent ended the chat reopens it only
# within this time: long enough for "one more question" after lunch or the
# next morning, short enough that an old chat is not woken up weeks later
# (a new question after that starts a new chat).
REOPEN_WINDOW = timedelta(hours=24)


def may_post(chat, *, author, agent=None):
    """
    Whether ``author`` may add a message to the chat as it is: its customer
    while it waits or is active, its agent while it is active. (An ended chat
    that the customer's message reopens is reopened first: may_reopen.)
    """
    if author == Party.AGENT:
        return chat.status == ChatStatus.ACTIVE and agent is not None and chat.agent_id == agent.pk
    return author == Party.CUSTOMER and chat.status in (ChatStatus.QUEUED, ChatStatus.ACTIVE)


def may_reopen(chat, now=None):
    """
    Whether a message from the customer reopens this ended chat: only when the
    agent ended it (not the customer, nor the system because the customer was
    gone), recently, and the customer has not sent the post-chat form.
    """
    now = now or timezone.now()
    return (
        chat.status == ChatStatus.ENDED
        and chat.ended_by == Party.AGENT
        and chat.postchat_submitted_at is None
        and chat.ended_at is not None
        and chat.ended_at >= now - REOPEN_WINDOW
    )


def transcript_available(chat):
    """
    Whether the customer may have the chat's transcript by e-mail: the channel
    offers it, there is an address, and an agent answered (a text of theirs
    other than the channel's automatic welcome). A chat nobody answered holds
    only what the sender typed, and a transcript of it would let anyone send
    their own text, from this site, to any address they enter.
    """
    if not (chat.channel.transcript_enabled and chat.customer_email):
        return False
    answers = Message.objects.filter(chat=chat, author=Party.AGENT, kind=MessageKind.TEXT)
    welcome = chat.channel.welcome_message.strip()
    if welcome:
        answers = answers.exclude(client_id="", body=welcome)
    return answers.exists()
