"""A small client of the documented websocket protocol, for tests that talk to real server processes."""

import asyncio
import json
import urllib.request
from http.cookies import SimpleCookie

import websockets
from django.test import Client


class ProtocolClient:
    def __init__(self, base_url, path, *, cookie=None):
        self.base_url = base_url
        self.ws_url = base_url.replace("http://", "ws://") + path
        self.cookie = cookie
        self.socket = None

    async def connect(self):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.socket = await websockets.connect(self.ws_url, origin=self.base_url, additional_headers=headers)
        return self

    async def send(self, frame_type, **fields):
        await self.socket.send(json.dumps({"type": frame_type, **fields}))

    async def receive(self, timeout=5):
        return json.loads(await asyncio.wait_for(self.socket.recv(), timeout))

    async def receive_until(self, predicate, timeout=5):
        """Frames up to and including the first one ``predicate`` accepts."""
        frames = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.receive(timeout=max(0.01, deadline - loop.time()))
            frames.append(frame)
            if predicate(frame):
                return frames

    async def close(self):
        if self.socket is not None:
            await self.socket.close()


def log_entry(frame):
    """
    The entry of a chat's log a frame brings, or None: a ``message`` frame's,
    or the sender's own message inside its ``ack`` (docs/protocol.md).
    """
    if frame.get("type") in ("message", "ack"):
        return frame.get("message")
    return None


def start_chat_over_http(base_url, slug, *, name="Erika", email="erika@example.com", question="Hello?"):
    body = json.dumps({"name": name, "email": email, "question": question}).encode()
    request = urllib.request.Request(
        f"{base_url}/chat/{slug}/api/start",
        data=body,
        # As the widget's own page sends it: the endpoint refuses other origins.
        headers={"Content-Type": "application/json", "Origin": base_url},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def session_cookie(user):
    """A logged-in session for ``user`` in the shared database, as a Cookie header."""
    client = Client()
    client.force_login(user)
    morsel = client.cookies["sessionid"]
    cookie = SimpleCookie()
    cookie["sessionid"] = morsel.value
    return cookie.output(header="", attrs=[]).strip()
