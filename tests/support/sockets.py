"""Both sockets over Channels' test communicator, through the whole ASGI application as a browser reaches it."""

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from helpdesk.asgi import application
from tests.support.wsclient import session_cookie

SITE_HEADERS = [(b"origin", b"http://testserver"), (b"host", b"testserver")]


async def customer_socket(token=None, last_seq=0, headers=SITE_HEADERS):
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    if token is not None:
        await communicator.send_json_to({"type": "hello", "token": token, "last_seq": last_seq})
    return communicator


async def agent_socket(user, chats=None, *, cookie=None, hello=True):
    """A dashboard socket with a real session of ``user`` (or the given Cookie header), as the browser opens it."""
    if cookie is None:
        cookie = await database_sync_to_async(session_cookie)(user)
    communicator = WebsocketCommunicator(
        application, "/ws/agent/", headers=[*SITE_HEADERS, (b"cookie", cookie.encode())]
    )
    connected, _ = await communicator.connect()
    assert connected
    if hello:
        await communicator.send_json_to({"type": "hello", "chats": chats or {}})
    return communicator


async def receive_until(communicator, frame_type, *, timeout=3):
    """Frames up to and including the first of ``frame_type``."""
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        frames.append(frame)
        if frame["type"] == frame_type:
            return frames


async def closed_with(communicator, *, timeout=3):
    """The close code the socket ends with, skipping the frames before it."""
    while True:
        output = await communicator.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return output.get("code")
