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

Subclasses and Daphne's documented hook rather than patches of Daphne's
classes, so that the plain ``daphne`` command still runs the project (only
heavier per socket). What they rely on in Daphne, Autobahn and Twisted was
read in the major versions of infra.realtime.versions.TESTED_MAJOR_VERSIONS;
with others, this starts plain Daphne and says so (tests/infra/test_server.py
checks both the versions installed and each of the savings).
"""

import asyncio
import logging
import sys
from functools import partial

from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.web.http import HTTPChannel

from infra.realtime.server_queue import ConnectionQueue
from infra.realtime.versions import untested_versions

logger = logging.getLogger(__name__)


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
        """Daphne's (4.2) create_application, with a ConnectionQueue for ``receive``."""
        assert "application_instance" not in self.connections[protocol]
        input_queue = ConnectionQueue()
        scope.setdefault("asgi", {"version": "3.0"})
        application_instance = self.application(
            scope=scope, receive=input_queue.get, send=partial(self.handle_reply, protocol)
        )
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
