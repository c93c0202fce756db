"""The one rule of who may post to a chat, as both message paths ask it (services.post_message, group_commit)."""

import pytest
from django.contrib.auth import get_user_model

from chat.conversations.models import Chat, ChatStatus, Party
from chat.conversations.rules import may_post

AGENT, OTHER_AGENT = 7, 8


@pytest.mark.parametrize(
    "status, author, agent_id, allowed",
    [
        (ChatStatus.QUEUED, Party.CUSTOMER, None, True),
        (ChatStatus.ACTIVE, Party.CUSTOMER, None, True),
        (ChatStatus.ENDED, Party.CUSTOMER, None, False),
        (ChatStatus.ACTIVE, Party.AGENT, AGENT, True),
        (ChatStatus.ACTIVE, Party.AGENT, OTHER_AGENT, False),
        (ChatStatus.ACTIVE, Party.AGENT, None, False),
        (ChatStatus.QUEUED, Party.AGENT, AGENT, False),
        (ChatStatus.ENDED, Party.AGENT, AGENT, False),
        (ChatStatus.ACTIVE, Party.SYSTEM, None, False),
    ],
)
def test_who_may_post(status, author, agent_id, allowed):
    agent = get_user_model()(pk=agent_id) if agent_id is not None else None
    chat = Chat(status=status, agent_id=AGENT if status != ChatStatus.QUEUED else None)
    assert may_post(chat, author=author, agent=agent) is allowed


@pytest.mark.django_db
def test_both_message_paths_refuse_what_the_rule_refuses(make_channel, make_chat, make_agent):
    """An agent's message to a colleague's chat: refused in a batch and on the locked path alike."""
    from chat.conversations import assignment, group_commit, services
    from chat.conversations.errors import NotYourChat

    channel = make_channel()
    chat, _token = make_chat(channel)
    owner, colleague = make_agent(channel), make_agent(channel)
    assignment.accept_chat(chat, agent=owner)
    [batched] = group_commit.post_messages(
        [group_commit.PendingMessage(chat.pk, Party.AGENT, "Hi", "c1", agent=colleague)]
    )
    assert isinstance(batched, NotYourChat)
    with pytest.raises(NotYourChat):
        services.post_message(chat, author=Party.AGENT, body="Hi", client_id="c2", agent=colleague)
