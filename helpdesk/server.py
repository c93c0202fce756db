"""
Daphne as the ``daphne`` command runs it, keeping less per open websocket:

    python -m helpdesk.server -b 127.0.0.1 -p 8000 helpdesk.asgi:application

It is Daphne's own command line (every option of ``daphne``) with its
``server_class`` hook. What differs is what each connection keeps, for the
thousands of idle widget sockets one process holds (docs/performance.md):

- Autobahn copies its ~40 protocol options from the factory onto every
  connection's instance dict unless the instance has them already. Here the
  class has them, read from the factory (``FactoryOption``): Daphne sets them
  once, before it listens, and never per connection.
- Twisted's HTTP channel that received the upgrade stays the transport's
  producer for the socket's lifetime and keeps the upgrade request (headers,
  body buffer) alive. Once the socket is open it is unregistered.
- Autobahn keeps the opening handshake's raw request and response bytes
  (``http_request_data``, ``http_response_data``, "for the test suite");
  they go once the socket is open.
- Daphne's ``receive`` queue is an ``asyncio.Queue`` (3.3 KiB); here a
  ConnectionQueue (infra.realtime.server_queue).

And what each frame costs, at a few hundred frames a second per process
(docs/performance.md, "One frame's cost"): the common frames take a short
path of their own, everything else Autobahn's and Daphne's as before.

- Received: a complete, masked, final text frame of an open socket (what
  browsers send) is unmasked, decoded as UTF-8 and handed to the queue
  straight from ``dataReceived``, instead of through Autobahn's generic
  frame machine (two passes per frame, a Deferred per message) and Daphne's
  ``onMessage``. Autobahn's frame and message size limits apply to it as
  before; a frame that breaks a limit, text that is not valid UTF-8,
  control frames (ping, pong, close), fragments, binary frames and anything
  while a ping waits for its pong go Autobahn's way, which refuses or
  handles them as it always did.
- Sent: a ``websocket.send`` with text on an open socket becomes one frame
  written at once (``asgi_send``), instead of through Daphne's
  ``handle_reply`` (a dict dispatch and two look-ups of the connection) and
  Autobahn's ``sendMessage``/``sendFrame``/``sendData``; the frame's bytes
  are the same. Compression, fragmentation, a payload over the limit,
  Autobahn's frame logging and anything queued before go Autobahn's way.

Subclasses and Daphne's documented hook rather than patches of Daphne's
classes, so that the plain ``daphne`` command still runs the project (only
heavier per socket). What they rely on in Daphne, Autobahn and Twisted was
read in the major versions of infra.realtime.versions.TESTED_MAJOR_VERSIONS;
with others, this starts plain Daphne and says so (tests/infra/test_server.py
checks both the versions installed and each of the savings).
"""

import asyncio
import logging
import struct
import sys
import time
from functools import partial

from daphne import ws_protocol
from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.web.http import HTTPChannel

from infra.realtime.autobahn_tuning import IntXorMasker
from infra.realtime.server_queue import ConnectionQueue
from infra.realtime.versions import untested_versions

logger = logging.getLogger(__name__)

STATE_OPEN = WebSocketProtocol.STATE_OPEN
# The first octet of a final, uncompressed text frame (FIN, no RSV bits, opcode 1).
FINAL_TEXT = 0x81
# Frames of 126 octets and more carry their length in 2 octets, from 65,536 in 8.
LENGTH_16 = struct.Struct("!BBH")
LENGTH_64 = struct.Struct("!BBQ")


class FactoryOption:
    """
    An Autobahn option read from the connection's factory. A non-data
    descriptor: Autobahn's ``hasattr()`` finds it and copies nothing, and a
    value set on one connection still goes into that connection's own dict,
    as before.
    """

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return getattr(instance.factory, self.name)


class LeanWebSocketProtocol(WebSocketProtocol):
    # What Autobahn's _connectionMade would copy (WebSocketServerProtocol.CONFIG_ATTRS).
    locals().update({name: FactoryOption(name) for name in WebSocketProtocol.CONFIG_ATTRS})

    def onOpen(self):
        super().onOpen()
        self._drop_upgrade_request()
        # Kept by Autobahn after the handshake only for its test suite.
        self.__dict__.pop("http_request_data", None)
        self.__dict__.pop("http_response_data", None)

    # Frames received -------------------------------------------------------------

    def dataReceived(self, data):
        if self._reads_text_frames():
            data = self._receive_text_frames(data)
            if not data:
                return
        super().dataReceived(data)

    def _reads_text_frames(self):
        """Whether nothing of Autobahn's is under way that a frame of the short path could bypass."""
        return (
            self.state == STATE_OPEN
            and not self.data  # part of a frame buffered: Autobahn's
            and self.current_frame is None
            and not self.inside_message  # between the fragments of a message
            and self.autoPingTimeoutCall is None  # a ping waits: Autobahn restarts its timer on data
            and self._perMessageCompress is None
            and self.utf8validateIncoming
            and self.requireMaskedClientFrames
            and not (self.logOctets or self.logFrames or self.trackedTimings)
            and self._listeners is None  # nobody observes "message" events
            and not self.muted
            and getattr(self, "application_queue", None) is not None
            and not ws_protocol.logger.isEnabledFor(logging.DEBUG)
        )

    def _receive_text_frames(self, data):
        """
        Hand over the complete, masked, final text frames at the start of
        ``data`` as Autobahn and Daphne's onMessage would; return the rest
        (from the first frame that needs Autobahn, which then sees it as if
        it had come alone).
        """
        frame_limit, message_limit = self.maxFramePayloadSize, self.maxMessagePayloadSize
        stats = self.trafficStats
        put = self.application_queue.put_nowait
        start, end = 0, len(data)
        while end - start >= 6:
            if data[start] != FINAL_TEXT or not data[start + 1] & 0x80:
                break
            length = data[start + 1] & 0x7F
            if length < 126:
                header = 6
            elif length == 126 and end - start >= 8:
                length = int.from_bytes(data[start + 2 : start + 4], "big")
                if length < 126:
                    break  # not the shortest encoding: Autobahn refuses it
                header = 8
            else:
                break  # 8-octet lengths (64 KiB and more), or the length not all here
            if 0 < frame_limit < length or 0 < message_limit < length:
                break  # Autobahn closes with 1009
            payload_at = start + header
            if payload_at + length > end:
                break  # the rest of the frame is still to come
            payload = data[payload_at : payload_at + length]
            if length:
                payload = IntXorMasker(data[payload_at - 4 : payload_at]).process(payload)
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                break  # Autobahn's validator closes with 1007
            wire = header + length
            stats.incomingOctetsWireLevel += wire
            stats.incomingOctetsWebSocketLevel += length
            stats.incomingOctetsAppLevel += length
            stats.incomingWebSocketFrames += 1
            stats.incomingWebSocketMessages += 1
            # Daphne's onMessage.
            self.last_ping = time.time()
            put({"type": "websocket.receive", "text": text})
            start += wire
        return data[start:] if start else data

    # Frames sent -------------------------------------------------------------------

    async def asgi_send(self, message):
        """The application's ``send``: Daphne's Server.handle_reply, a text frame of an open socket written at once."""
        if message.get("type") == "websocket.send" and self.state == STATE_OPEN:
            # Daphne sends nothing for empty text, and refuses text beside bytes.
            text = message.get("text")
            if text and type(text) is str and not message.get("bytes") and self._send_text_frame(text):
                return
        await self.server.handle_reply(self, message)

    def _send_text_frame(self, text):
        """
        Autobahn's sendMessage of one unfragmented, uncompressed, unmasked
        text frame (the same octets); False where its general path is needed.
        An open socket is in Daphne's connections and not disconnected
        (Autobahn closes the state before Daphne's onClose), so
        Server.handle_reply would have handed it on.
        """
        if (
            self._perMessageCompress is not None
            or self.send_queue  # chopped or synchronous writes waiting: after them
            or self.maskServerFrames
            or self.logFrames
            or self.logOctets
            or self.trackedTimings
        ):
            return False
        payload = text.encode("utf-8")
        length = len(payload)
        if 0 < self.maxMessagePayloadSize < length or 0 < self.autoFragmentSize < length:
            return False  # refused (PayloadExceededError) or fragmented there
        if length < 126:
            frame = bytes((FINAL_TEXT, length)) + payload
        elif length <= 0xFFFF:
            frame = LENGTH_16.pack(FINAL_TEXT, 126, length) + payload
        else:
            frame = LENGTH_64.pack(FINAL_TEXT, 127, length) + payload
        stats = self.trafficStats
        stats.outgoingWebSocketMessages += 1
        stats.outgoingOctetsAppLevel += length
        stats.outgoingOctetsWebSocketLevel += length
        stats.outgoingWebSocketFrames += 1
        stats.outgoingOctetsWireLevel += len(frame)
        self.transport.write(frame)
        return True

    # What the open socket keeps ------------------------------------------------------

    def _drop_upgrade_request(self):
        """
        After Daphne's upgrade the HTTP channel is in the middle of a request
        that never finishes, so as the transport's producer it neither pauses
        nor resumes anything (HTTPChannel.pauseProducing with
        ``_handlingRequest``); unregistering it changes nothing but what stays
        alive. Only a plain TCP transport's own producer is touched (TLS
        wraps it differently).
        """
        producer = getattr(self.transport, "producer", None)
        if isinstance(producer, HTTPChannel) and getattr(producer, "_handlingRequest", False):
            self.transport.unregisterProducer()


class LeanServer(Server):
    """Daphne's Server making LeanWebSocketProtocol connections and ConnectionQueues; the rest is Daphne's."""

    @property
    def ws_factory(self):
        return self.__dict__.get("ws_factory")

    @ws_factory.setter
    def ws_factory(self, factory):
        # Server.run() builds its WebSocketFactory (then sets the options on
        # it); the same factory, building LeanWebSocketProtocol connections.
        if type(factory) is WebSocketFactory and factory.protocol is WebSocketProtocol:
            factory.protocol = LeanWebSocketProtocol
        self.__dict__["ws_factory"] = factory

    def create_application(self, protocol, scope):
        """Daphne's (4.2) create_application, with a ConnectionQueue for ``receive`` and a websocket's own ``send``."""
        assert "application_instance" not in self.connections[protocol]
        input_queue = ConnectionQueue()
        scope.setdefault("asgi", {"version": "3.0"})
        if isinstance(protocol, LeanWebSocketProtocol):
            send = protocol.asgi_send
        else:
            send = partial(self.handle_reply, protocol)
        application_instance = self.application(scope=scope, receive=input_queue.get, send=send)
        if protocol not in self.connections:
            return None
        self.connections[protocol]["application_instance"] = asyncio.ensure_future(
            application_instance, loop=asyncio.get_event_loop()
        )
        return input_queue


class HelpdeskCommandLine(CommandLineInterface):
    server_class = LeanServer


def main(argv=None):
    untested = untested_versions()
    command_line = HelpdeskCommandLine()
    if untested:
        logging.basicConfig()
        logger.warning("helpdesk.server is untested with %s: running plain Daphne", ", ".join(untested))
        command_line.server_class = Server
    command_line.run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
