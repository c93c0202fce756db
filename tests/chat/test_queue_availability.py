"""
An honest queue over real sockets: a waiting customer hears at once when
nobody who could take the chat is there (and is offered the request form),
the estimate follows the agents present and the real recent waits, and the
welcome thanks for a wait only when there was one.
"""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import AsyncClient
from django.utils import timezone

from chat.conversations import presence, rules
from chat.conversations.models import AgentPresence, Chat, ChatStatus, PresencePeriod, PresenceStatus
from tests.support.http import post_json
from tests.support.sockets import agent_socket, customer_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

NOBODY_WITH_REQUESTS = (
    "No one is available right now. You can leave a request, and we will answer by e-mail, or keep waiting."
)


def _past_wait(channel, *, seconds, position=1):
    """A chat of the channel taken a while ago after ``seconds`` in the queue at ``position``: the recent waits."""
    accepted = timezone.now() - timedelta(hours=1)
    return Chat.objects.create(
        channel=channel,
        status=ChatStatus.ENDED,
        token_hash=f"past-{seconds}-{position}",
        customer_name="Earlier",
        queued_at=accepted - timedelta(seconds=seconds),
        accepted_at=accepted,
        ended_at=accepted + timedelta(minutes=5),
        initial_position=position,
    )


async def _waiting(make_channel, make_agent, make_chat, **channel_fields):
    channel = await database_sync_to_async(make_channel)(slug="shop", **channel_fields)
    agent = await database_sync_to_async(make_agent)(channel, first_name="Anna")
    chat, token = await database_sync_to_async(make_chat)(channel)
    customer = await customer_socket(token)
    welcome = (await receive_until(customer, "welcome"))[-1]
    return channel, agent, chat, token, customer, welcome["state"]


async def test_the_last_agent_going_away_tells_the_waiting_customer_and_offers_the_request_at_once(
    make_channel, make_agent, make_chat
):
    channel, agent, chat, token, customer, state = await _waiting(
        make_channel, make_agent, make_chat, language="en", request_enabled=True
    )
    # No history yet: the text says the wait is unknown instead of guessing a small number.
    assert state["queue_text"] == "You are number 1 in the queue. We cannot estimate the wait yet."
    assert (state["nobody_available"], state["wait_seconds"], state["request_offer_in_seconds"]) == (False, None, None)
    refused = await post_json(AsyncClient(), "/chat/shop/api/request", {}, headers={"X-Chat-Token": token})
    assert refused.status_code == 409

    await database_sync_to_async(presence.set_presence)(agent, status=PresenceStatus.AWAY)
    queue = (await receive_until(customer, "queue"))[-1]
    assert queue["nobody_available"] is True
    assert queue["text"] == NOBODY_WITH_REQUESTS
    assert (queue["position"], queue["wait_seconds"], queue["request_offer_in_seconds"]) == (1, None, 0)

    # The agent is back: the offer goes, the queue is as before.
    await database_sync_to_async(presence.set_presence)(agent, status=PresenceStatus.PRESENT)
    queue = (await receive_until(customer, "queue"))[-1]
    assert queue["nobody_available"] is False and queue["request_offer_in_seconds"] is None
    assert queue["text"] == "You are number 1 in the queue. We cannot estimate the wait yet."
    await customer.disconnect()


async def test_a_reconnecting_customer_with_nobody_there_may_leave_the_request(make_channel, make_agent, make_chat):
    channel, agent, chat, token, customer, _state = await _waiting(
        make_channel, make_agent, make_chat, language="en", request_enabled=True
    )
    await customer.disconnect()
    await database_sync_to_async(presence.set_presence)(agent, status=PresenceStatus.AWAY)

    again = await customer_socket(token)
    state = (await receive_until(again, "welcome"))[-1]["state"]
    assert state["nobody_available"] is True and state["request_offer_in_seconds"] == 0
    assert state["queue_text"] == NOBODY_WITH_REQUESTS
    await again.disconnect()
    # The request endpoint follows the same rule as the state.
    response = await post_json(AsyncClient(), "/chat/shop/api/request", {}, headers={"X-Chat-Token": token})
    assert response.status_code == 201


async def test_an_agent_whose_dashboards_are_gone_counts_as_gone_for_the_waiting_customer(
    make_channel, make_agent, make_chat
):
    """No "away" was clicked: the last dashboard closed, and the sweep after the grace period tells the queue."""
    channel, agent, chat, _token, customer, _state = await _waiting(
        make_channel, make_agent, make_chat, language="en", request_enabled=False
    )
    long_ago = timezone.now() - timedelta(minutes=2)
    await database_sync_to_async(AgentPresence.objects.filter(user=agent).update)(seen_at=long_ago)
    await database_sync_to_async(presence.close_presence_periods_of_gone_agents)()
    queue = (await receive_until(customer, "queue"))[-1]
    assert queue["nobody_available"] is True and queue["request_offer_in_seconds"] is None
    assert queue["text"] == (
        "No one is available right now. You are number 1 in the queue: please wait, or come back later."
    )
    await customer.disconnect()


async def test_the_estimate_comes_from_recent_waits_while_agents_are_there(make_channel, make_agent, make_chat):
    channel = await database_sync_to_async(make_channel)(slug="shop", language="de", request_enabled=True)
    await database_sync_to_async(_past_wait)(channel, seconds=240)
    await database_sync_to_async(_past_wait)(channel, seconds=600, position=2)
    agent = await database_sync_to_async(make_agent)(channel)
    _chat, token = await database_sync_to_async(make_chat)(channel)
    customer = await customer_socket(token)
    state = (await receive_until(customer, "welcome"))[-1]["state"]
    # The median of 240 s and 300 s a place.
    assert state["wait_seconds"] == 270
    assert state["queue_text"] == "Sie sind Nummer 1 in der Warteschlange. Geschätzte Wartezeit: etwa 4 Minuten."

    await database_sync_to_async(presence.set_presence)(agent, status=PresenceStatus.AWAY)
    queue = (await receive_until(customer, "queue"))[-1]
    # The history says minutes, but nobody is there to take the chat: no estimate at all.
    assert queue["wait_seconds"] is None and queue["request_offer_in_seconds"] == 0
    assert queue["text"] == (
        "Gerade ist niemand erreichbar. Sie können uns eine Anfrage hinterlassen, wir antworten Ihnen per E-Mail, "
        "oder Sie warten weiter."
    )
    await customer.disconnect()


async def test_with_fewer_agents_than_when_the_recent_chats_waited_the_estimate_grows(
    make_channel, make_agent, make_chat
):
    channel = await database_sync_to_async(make_channel)(slug="shop", language="en")
    await database_sync_to_async(_past_wait)(channel, seconds=240)
    await database_sync_to_async(_past_wait)(channel, seconds=300)
    # Two agents were present while those chats waited; one is there now.
    earlier = [await database_sync_to_async(make_agent)(channel, present=False) for _ in range(2)]
    for agent in earlier:
        await database_sync_to_async(PresencePeriod.objects.create)(
            agent=agent, started_at=timezone.now() - timedelta(hours=3), ended_at=timezone.now() - timedelta(minutes=30)
        )
    await database_sync_to_async(make_agent)(channel)
    _chat, token = await database_sync_to_async(make_chat)(channel)
    customer = await customer_socket(token)
    state = (await receive_until(customer, "welcome"))[-1]["state"]
    assert state["wait_seconds"] == 540
    assert state["queue_text"] == "You are number 1 in the queue. Estimated wait: about 9 minutes."
    await customer.disconnect()


async def _taken_after(make_channel, make_agent, make_chat, *, waited_seconds, **channel_fields):
    """The customer has waited ``waited_seconds`` when the agent takes the chat from the dashboard: the welcome's body."""
    channel = await database_sync_to_async(make_channel)(slug="shop", **channel_fields)
    agent = await database_sync_to_async(make_agent)(channel, first_name="Anna")
    chat, token = await database_sync_to_async(make_chat)(channel)
    queued_at = timezone.now() - timedelta(seconds=waited_seconds)
    await database_sync_to_async(Chat.objects.filter(pk=chat.pk).update)(queued_at=queued_at)
    customer = await customer_socket(token)
    await receive_until(customer, "welcome")
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")
    await dashboard.send_json_to({"type": "take", "chat_id": chat.pk})
    frames = await receive_until(customer, "state")
    while not any(f["type"] == "message" and f["message"]["author"] == "agent" for f in frames):
        frames.append(await customer.receive_json_from(timeout=3))
    [welcome] = [f["message"] for f in frames if f["type"] == "message" and f["message"]["author"] == "agent"]
    await customer.disconnect()
    await dashboard.disconnect()
    return welcome, await database_sync_to_async(Chat.objects.select_related("channel").get)(pk=chat.pk)


async def test_a_chat_taken_at_once_gets_the_plain_welcome(make_channel, make_agent, make_chat):
    welcome, chat = await _taken_after(
        make_channel, make_agent, make_chat, waited_seconds=2, language="en", welcome_message="Hello! How can I help?"
    )
    assert welcome["body"] == "Hello! How can I help?" and welcome["author_name"] == "Anna"


async def test_a_customer_who_really_waited_is_thanked_in_the_welcome(make_channel, make_agent, make_chat):
    welcome, chat = await _taken_after(
        make_channel,
        make_agent,
        make_chat,
        waited_seconds=95,
        language="en",
        welcome_message="Hello! How can I help?",
        transcript_enabled=True,
    )
    assert welcome["body"] == "Hello! Thank you for waiting. How can I help?"
    # Still the automatic welcome, no answer of the agent's: no transcript of it.
    assert not await database_sync_to_async(rules.transcript_available)(chat)


async def test_the_german_welcome_thanks_for_the_patience_in_the_sie_form(make_channel, make_agent, make_chat):
    welcome, _chat = await _taken_after(
        make_channel,
        make_agent,
        make_chat,
        waited_seconds=95,
        language="de",
        welcome_message="Guten Tag! Wie kann ich Ihnen helfen?",
    )
    assert welcome["body"] == "Guten Tag! Vielen Dank für Ihre Geduld. Wie kann ich Ihnen helfen?"


async def test_a_welcome_without_a_salutation_gets_the_thanks_in_front(make_channel, make_agent, make_chat):
    welcome, _chat = await _taken_after(
        make_channel, make_agent, make_chat, waited_seconds=95, language="en", welcome_message="This is Anna."
    )
    assert welcome["body"] == "Thank you for waiting. This is Anna."


async def test_the_button_answers_the_open_widget_with_the_closed_view_when_asked(make_channel, make_agent):
    """The widget follows the channel with the loader's endpoint; only it asks for the closed view."""
    channel = await database_sync_to_async(make_channel)(
        slug="shop", language="en", request_enabled=True, closed_message="Back on Monday."
    )
    client = AsyncClient()
    closed = (await client.get("/chat/shop/api/button?view=closed")).json()
    assert closed["available"] is False and closed["closed"]["message"] == "Back on Monday."
    assert closed["closed"]["request"]["header"] == "Leave us a message"
    assert "closed" not in (await client.get("/chat/shop/api/button")).json()
    await database_sync_to_async(make_agent)(channel)
    opened = (await client.get("/chat/shop/api/button?view=closed")).json()
    assert opened["available"] is True and opened["closed"] is None
