"""The dashboard socket's session and user (infra.realtime.session): as Channels gives them, with the server's own send."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from infra.realtime.session import WebsocketAuthStack
from tests.support.wsclient import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def connect_with(cookie):
    seen = {}

    async def application(scope, receive, send):
        seen["user_id"] = await database_sync_to_async(lambda: scope["user"].pk)()
        seen["session_key"] = scope["session"].session_key
        seen["send"] = send

    async def receive():
        return {"type": "websocket.connect"}

    async def server_send(message):
        pass

    headers = [(b"cookie", cookie.encode())] if cookie else []
    await WebsocketAuthStack(application)(
        {"type": "websocket", "path": "/ws/agent/", "headers": headers}, receive, server_send
    )
    return seen, server_send


async def test_a_logged_in_agent_s_socket_has_their_user_and_session_and_frames_go_straight_to_the_server():
    user = await database_sync_to_async(get_user_model().objects.create_user)(username="anna", password="x" * 12)
    cookie = await database_sync_to_async(session_cookie)(user)
    seen, server_send = await connect_with(cookie)
    assert seen["user_id"] == user.pk
    assert seen["session_key"] == cookie.split("=", 1)[1]
    assert seen["send"] is server_send, "no session wrapper around every frame"


async def test_without_a_session_the_socket_is_anonymous():
    seen, _send = await connect_with(None)
    assert seen["user_id"] is None
    assert seen["session_key"] is None
