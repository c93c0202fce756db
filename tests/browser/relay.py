"""
A page's websockets relayed through Playwright (page.route_web_socket), so
that a test can see every frame both ways, hold the server's answer to the
hello, silence a connection (a half-open socket), cut it, or refuse new ones
(a server that is down).

Playwright relays lazily: a frame the page sends while the connection to the
server is being made is kept here and passed on once it stands, and a test
that wants a connection "up" waits until the server's answer to the hello has
reached the page (``welcomed``).
"""

import json


class Connection:
    def __init__(self, route, *, hold_welcome, welcome_type):
        self.route = route
        self.welcome_type = welcome_type
        self.sent = []  # frames from the page, decoded
        self.received = []  # frames from the server that reached the page
        self.held = []  # frames from the server held back (hold_welcome)
        self.holding = hold_welcome
        self.silent = False
        self.upstream = None
        early = []

        def from_page(message):
            if self.silent:
                return
            self.sent.append(json.loads(message))
            if self.upstream is None:
                early.append(message)
            else:
                self.upstream.send(message)

        # Listening before connecting: the hello, sent as soon as the page
        # sees the socket open, is kept rather than dropped.
        route.on_message(from_page)
        self.upstream = route.connect_to_server()
        for message in early:
            self.upstream.send(message)
        self.upstream.on_message(self._from_server)

    def _from_server(self, message):
        if self.silent:
            return
        if self.holding:
            self.held.append(message)
        else:
            self._to_page(message)

    def _to_page(self, message):
        self.received.append(json.loads(message))
        self.route.send(message)

    @property
    def welcomed(self):
        return any(frame["type"] == self.welcome_type for frame in self.received)

    @property
    def welcome_held(self):
        return any(json.loads(message)["type"] == self.welcome_type for message in self.held)

    def release(self):
        """Pass on what was held back, and everything after it."""
        self.holding = False
        held, self.held = self.held, []
        for message in held:
            self._to_page(message)

    def cut(self, code=4503):
        """The server goes away: both sides are closed (4503: "reconnect and resume")."""
        self.silent = True
        self.route.close(code=code)
        self.upstream.close(code=code)

    def frames_sent(self, frame_type):
        return [frame for frame in self.sent if frame["type"] == frame_type]


class Relay:
    """
    Every websocket of ``page`` to a URL matching ``pattern``. ``welcome_type``
    is the server's answer to the hello: "welcome" on /ws/chat/, "state" on
    /ws/agent/.
    """

    def __init__(self, page, pattern, *, welcome_type):
        self.page = page
        self.welcome_type = welcome_type
        self.connections = []
        self.refused = 0
        self.refusing = False
        self.hold_welcome = False
        page.route_web_socket(pattern, self._route)

    def _route(self, route):
        if self.refusing:
            # Not connected to the server: the page's socket opens against
            # Playwright's stand-in and is closed at once, hello unanswered.
            self.refused += 1
            route.close(code=4503)
            return
        self.connections.append(Connection(route, hold_welcome=self.hold_welcome, welcome_type=self.welcome_type))

    @property
    def last(self):
        return self.connections[-1]

    def errors(self, code):
        return [
            frame
            for connection in self.connections
            for frame in connection.received
            if frame["type"] == "error" and frame.get("code") == code
        ]

    def wait(self, condition, *, timeout=10, message="the condition did not hold"):
        """Until ``condition()`` is true, letting Playwright relay frames meanwhile (real time)."""
        for _ in range(int(timeout / 0.05)):
            if condition():
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(message)
