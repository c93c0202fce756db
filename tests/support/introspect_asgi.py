"""
The project's ASGI application with one socket more, ``/introspect/``, for
tests/infra/test_server.py: inside a real server process it reports what each
open websocket connection keeps (the server's protocol objects, found through
the garbage collector), one JSON frame per text frame it receives.
"""

import gc
import json
import sys

from twisted.web.http import HTTPChannel, Request

from helpdesk.asgi import application as helpdesk_application


def connections():
    from autobahn.twisted.websocket import WebSocketServerProtocol

    found = []
    for obj in gc.get_objects():
        if isinstance(obj, WebSocketServerProtocol) and obj.state == obj.STATE_OPEN:
            options = obj.CONFIG_ATTRS
            found.append(
                {
                    "path": obj.path.decode(),
                    "class": f"{type(obj).__module__}.{type(obj).__qualname__}",
                    "options_in_instance": sorted(name for name in options if name in vars(obj)),
                    "options_as_factory": all(getattr(obj, name) == getattr(obj.factory, name) for name in options),
                    "max_message_size": obj.maxMessagePayloadSize,
                    "producer": type(obj.transport.producer).__name__ if obj.transport.producer else None,
                    "handshake_bytes_kept": [
                        name for name in ("http_request_data", "http_response_data") if name in vars(obj)
                    ],
                    "queue": type(obj.application_queue).__name__,
                    "instance_dict_bytes": sys.getsizeof(vars(obj)),
                    "upgrade_channel_kept": isinstance(obj.transport.producer, HTTPChannel),
                }
            )
    return found


async def introspect(scope, receive, send):
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            gc.collect()
            report = {
                "connections": connections(),
                # Twisted HTTP requests still alive: the upgrades' once their channels are no longer kept.
                "http_requests": sum(1 for obj in gc.get_objects() if isinstance(obj, Request)),
            }
            await send({"type": "websocket.send", "text": json.dumps(report)})
        elif message["type"] == "websocket.disconnect":
            return


def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] == "/introspect/":
        return introspect(scope, receive, send)
    return helpdesk_application(scope, receive, send)


application._asgi_single_callable = True
