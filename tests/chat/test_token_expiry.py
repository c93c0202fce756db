"""
A customer token stops working HELPDESK_TOKEN_TTL_HOURS after its chat ended
(docs/privacy-widget.md): over the real endpoints and socket, every door that
takes the token answers as for an unknown token, and the reopen window is the
same time.
"""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import AsyncClient
from django.utils import timezone

from chat.conversations import assignment, attachments, rules, selectors, services
from chat.conversations.models import Chat, ChatStatus, Party
from tests.chat.files import PDF, customer_headers, empty_file_storage
from tests.support.http import post_json
from tests.support.sockets import customer_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_stored_files():
    empty_file_storage()


@pytest.fixture
def ended_chat(make_channel, make_agent, make_chat):
    """A chat the agent answered with a file and then ended, with its token."""
    channel = make_channel(slug="shop", postchat_enabled=True, transcript_enabled=True, request_enabled=True)
    agent = make_agent(channel)
    chat, token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Here is your invoice.")
    message, _created = attachments.post_file(chat, author=Party.AGENT, agent=agent, content=PDF, name="invoice.pdf")
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    return Chat.objects.select_related("channel").get(pk=chat.pk), token, message.params["key"]


def ended_hours_ago(chat, hours):
    Chat.objects.filter(pk=chat.pk).update(ended_at=timezone.now() - timedelta(hours=hours))


async def every_door(token, file_key):
    """The status and error code of each endpoint that takes the token (None where it let the token in)."""
    client = AsyncClient()
    headers = customer_headers(token)
    answers = {
        "state": await client.get("/chat/shop/api/state", headers=headers),
        "file": await client.get(f"/chat/shop/api/files/{file_key}", headers=headers),
        "upload": await client.post("/chat/shop/api/files", {"file": ("a.pdf", PDF)}, headers=headers),
        "postchat": await post_json(client, "/chat/shop/api/postchat", {"rating": 5}, headers=headers),
        "request": await post_json(client, "/chat/shop/api/request", {}, headers=headers),
        "chat-faq": await post_json(client, "/chat/shop/api/chat-faq/1", {}, headers=headers),
    }
    return {
        door: response.json().get("error", {}).get("code") if response.status_code == 404 else None
        for door, response in answers.items()
    }


async def hello(token):
    socket = await customer_socket(token)
    output = await socket.receive_output(timeout=3)
    if output["type"] == "websocket.send":
        await socket.disconnect()
    return output


async def test_a_token_25_hours_after_the_end_opens_nothing(ended_chat):
    chat, token, file_key = ended_chat
    await database_sync_to_async(ended_hours_ago)(chat, 25)

    assert await every_door(token, file_key) == {door: "unknown_token" for door in await every_door("x" * 43, "k")}
    assert set((await every_door(token, file_key)).values()) == {"unknown_token"}
    assert await hello(token) == {"type": "websocket.close", "code": 4401}
    refreshed = await database_sync_to_async(Chat.objects.get)(pk=chat.pk)
    assert refreshed.rating is None and refreshed.postchat_submitted_at is None


async def test_a_token_23_hours_after_the_end_still_opens_the_chat(ended_chat):
    chat, token, file_key = ended_chat
    await database_sync_to_async(ended_hours_ago)(chat, 23)

    state = await AsyncClient().get("/chat/shop/api/state", headers=customer_headers(token))
    assert state.status_code == 200
    # The agent ended it within the window: writing again would reopen it.
    assert state.json()["state"]["can_reopen"] is True
    assert 3500 <= state.json()["state"]["token_expires_in_seconds"] <= 3600
    download = await AsyncClient().get(f"/chat/shop/api/files/{file_key}", headers=customer_headers(token))
    assert download.status_code == 200
    welcome = await hello(token)
    assert welcome["type"] == "websocket.send" and '"welcome"' in welcome["text"]


async def test_a_chat_that_goes_on_has_no_expiry_however_old(make_channel, make_chat):
    channel = await database_sync_to_async(make_channel)(slug="shop")
    chat, token = await database_sync_to_async(make_chat)(channel)
    await database_sync_to_async(Chat.objects.filter(pk=chat.pk).update)(created_at=timezone.now() - timedelta(days=9))

    state = await AsyncClient().get("/chat/shop/api/state", headers=customer_headers(token))
    assert state.status_code == 200
    assert state.json()["state"]["token_expires_in_seconds"] is None
    socket = await customer_socket(token)
    assert (await receive_until(socket, "welcome"))[-1]["state"]["status"] == ChatStatus.QUEUED
    await socket.disconnect()


@pytest.mark.django_db
def test_the_lifetime_is_a_setting_and_the_reopen_window_follows_it(ended_chat, settings):
    chat, token, _key = ended_chat
    settings.HELPDESK_TOKEN_TTL_HOURS = 2
    ended_hours_ago(chat, 1)
    chat.refresh_from_db()
    assert selectors.access_chat_by_token(token) is not None
    assert rules.may_reopen(chat)

    ended_hours_ago(chat, 3)
    chat.refresh_from_db()
    assert selectors.access_chat_by_token(token) is None
    assert not rules.may_reopen(chat)


@pytest.mark.django_db
@pytest.mark.parametrize("hours", [0, 23.9, 24.1, 48])
def test_the_sql_and_the_python_rule_agree(ended_chat, hours):
    chat, token, _key = ended_chat
    ended_hours_ago(chat, hours)
    chat.refresh_from_db()
    now = timezone.now()
    assert (selectors.access_chat_by_token(token, now=now) is None) == rules.token_expired(chat, now=now)
    assert rules.token_expired(chat, now=now) == (hours > 24)
