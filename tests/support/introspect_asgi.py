"""
The project's ASGI application with two sockets more, for
tests/infra/test_server.py: ``/introspect/`` reports, inside a real server
process, what each open websocket connection keeps (the server's protocol
objects, found through the garbage collector), one JSON frame per text frame
it receives; ``/echo/`` sends every frame back as it came (text as text,
bytes as bytes) and closes with the code a text frame ``close NNNN`` names.
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
                    # Set up by Autobahn's onMessageBegin for the first message it reads itself.
                    "read_by_autobahn": "message_data" in vars(obj),
                    # What the event loop calls when the socket is readable (autobahn_tuning's call_with_logger).
                    "reader_callback": _reader_callback(obj.transport.fileno()),
                }
            )
    return found


def _reader_callback(fd):
    import asyncio

    handle = asyncio.get_running_loop()._selector.get_key(fd).data[0]  # (reader, writer) handles
    return f"{handle._callback.__module__}.{handle._callback.__qualname__}"


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


async def echo(scope, receive, send):
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            text = message.get("text")
            if text is not None and text.startswith("close "):
                await send({"type": "websocket.close", "code": int(text.split()[1])})
            elif text is not None:
                await send({"type": "websocket.send", "text": text})
            else:
                await send({"type": "websocket.send", "bytes": message["bytes"]})
        elif message["type"] == "websocket.disconnect":
            return


def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] == "/introspect/":
        return introspect(scope, receive, send)
    if scope["type"] == "websocket" and scope["path"] == "/echo/":
        return echo(scope, receive, send)
    return helpdesk_application(scope, receive, send)


application._asgi_single_callable = True
