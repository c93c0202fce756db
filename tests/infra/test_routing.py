"""
infra/realtime/routing.py and the language middleware (docs/performance.md):
routes as Channels' routers route, the consumer's coroutine handed back
through every layer of helpdesk.asgi, and the scope the server built passed
on with what they add instead of copies.
"""

import asyncio
import json

import pytest
from channels.testing import WebsocketCommunicator
from django.urls import path, re_path

from helpdesk.asgi import application
from infra.realtime.consumer import FrameConsumer
from infra.realtime.routing import ProtocolTypeRouter, URLRouter
from infra.realtime.server_queue import ConnectionQueue
from tests.support.sockets import SITE_HEADERS


class ScopeEcho(FrameConsumer):
    """Sends back what routing put into its scope."""

    async def connect(self):
        await super().connect()
        await self.send(
            text_data=json.dumps(
                {
                    "url_route": self.scope["url_route"],
                    "path_remaining": self.scope["path_remaining"],
                    **self.initkwargs,
                }
            )
        )

    def __init__(self, **initkwargs):
        super().__init__()
        self.initkwargs = initkwargs


router = URLRouter(
    [
        path("ws/item/<int:number>/", ScopeEcho.as_asgi(kind="path")),
        re_path(r"^ws/word/(?P<word>[a-z]+)/$", ScopeEcho.as_asgi(kind="regex")),
        path("ws/default/", ScopeEcho.as_asgi(), {"flag": "on"}),
    ]
)


async def first_frame(app, url, **scope):
    communicator = WebsocketCommunicator(app, url)
    communicator.scope.update(scope)
    connected, _ = await communicator.connect()
    assert connected
    frame = await communicator.receive_json_from()
    await communicator.disconnect()
    return frame


async def test_a_routed_consumer_gets_its_url_arguments_and_its_init_arguments():
    assert await first_frame(router, "/ws/item/42/") == {
        "url_route": {"args": [], "kwargs": {"number": 42}},
        "path_remaining": "",
        "kind": "path",
    }
    assert (await first_frame(router, "/ws/word/hello/"))["url_route"]["kwargs"] == {"word": "hello"}
    assert (await first_frame(router, "/ws/default/"))["url_route"]["kwargs"] == {"flag": "on"}


async def test_the_root_path_is_taken_off_as_channels_takes_it_off():
    frame = await first_frame(router, "/prefix/ws/item/7/", root_path="/prefix")
    assert frame["url_route"]["kwargs"] == {"number": 7}


@pytest.mark.parametrize(
    "url, scope",
    [("/ws/nothing/", {}), ("/ws/item/x/", {}), ("/ws/item/7/", {"root_path": "/elsewhere"})],
)
async def test_no_route_fails_inside_the_application_as_channels_fails(url, scope):
    communicator = WebsocketCommunicator(router, url)
    communicator.scope.update(scope)
    with pytest.raises(ValueError, match="No route found"):
        await communicator.connect()


async def test_an_unknown_scope_type_fails_inside_the_application():
    routed = ProtocolTypeRouter({"websocket": router})
    coroutine = routed({"type": "lifespan"}, None, None)
    with pytest.raises(ValueError, match="No application configured"):
        await coroutine


async def test_the_widget_socket_is_the_consumers_own_coroutine_with_the_servers_scope():
    """No router or middleware frame stays alive under the socket, and the scope is the server's dict, added to."""
    queue = ConnectionQueue()
    scope = {
        "type": "websocket",
        "path": "/ws/chat/",
        "headers": [*SITE_HEADERS, (b"accept-language", b"de-DE,de;q=0.9")],
        "query_string": b"",
        "client": ["127.0.0.1", 5000],
        "server": ["127.0.0.1", 8000],
        "subprotocols": [],
    }
    sent = []

    async def send(message):
        sent.append(message)

    coroutine = application(scope, queue.get, send)
    assert coroutine.cr_code is FrameConsumer.__call__.__code__
    task = asyncio.ensure_future(coroutine)
    queue.put_nowait({"type": "websocket.connect"})
    for _ in range(50):
        if sent:
            break
        await asyncio.sleep(0.01)
    assert sent[0]["type"] == "websocket.accept"
    consumer = coroutine.cr_frame.f_locals["self"]
    assert consumer.scope is scope
    assert scope["language"] == "de"
    assert scope["url_route"] == {"args": (), "kwargs": {}}
    queue.put_nowait({"type": "websocket.disconnect", "code": 1000})
    await asyncio.wait_for(task, 5)
