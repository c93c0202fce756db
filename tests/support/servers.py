"""
Real server processes for the tests that need them: Daphne serving the project
against the test database, and a plain HTTP server for a host page on another
origin (another port), as real websites embed the widget.

Each server's port stays bound from the moment it is chosen: a port found
free and let go is anybody's until the server binds it, seconds later on a
busy machine, and another test run there may take it in between. The test
then talks to that run's server without noticing: its Daphne, with a "shop"
channel of its own for another host page, answered CI's widget with
``403 origin_not_allowed``.
"""

import functools
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_DIR / "test-artifacts"


# Twisted's backlog for Daphne's own tcp endpoint, so that a benchmark's
# burst of connections meets the server it would meet without the handed-over socket.
DAPHNE_BACKLOG = 50


def free_port():
    """
    A port free at this moment, for servers that cannot take a bound socket
    (redis-server, aiosmtpd's Controller). It is free again once this
    returns: RedisProcess checks that the server answering is its own, and
    aiosmtpd raises when it cannot bind.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening_socket(port=0):
    """
    A socket listening on 127.0.0.1 at ``port`` (0: a free one), as Twisted
    binds one; a port another program holds raises OSError (EADDRINUSE).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(DAPHNE_BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def answers_http(port, timeout):
    """Whether a server on ``port`` answers an HTTP request (a static file: no database, no error log) in time."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"HEAD /static/widget/loader.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return sock.recv(5) == b"HTTP/"
    except OSError:
        return False


def database_url():
    """The URL of the database the current test uses (pytest-django's test database)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def server_environment(dns_address, **extra):
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="false",
        # The test process's key, so that sessions it creates log agents in there.
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url(),
        # Production settings insist on a backend; tests that read the mail
        # pass the SMTP test server's environment instead.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        HELPDESK_DNS_NAMESERVERS=dns_address,
        HELPDESK_DNS_TIMEOUT="0.5",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


class DaphneProcess:
    """
    One Daphne process of the project on 127.0.0.1; its output goes to
    test-artifacts/. The listening socket is bound here and handed to Daphne
    (``--fd``), so the port is this server's from the start: no other program
    can take it before Daphne listens, and a port given that another program
    holds fails at once instead of leaving the test to talk to that one.
    """

    def __init__(self, env, port=None, name="daphne", application="helpdesk.asgi:application", arguments=()):
        self.env = env
        self.application = application
        self.arguments = tuple(arguments)  # more of Daphne's options
        self.listener = listening_socket(port or 0)
        self.port = self.listener.getsockname()[1]
        self.name = name
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout=20):
        ARTIFACTS.mkdir(exist_ok=True)
        log = open(ARTIFACTS / f"{self.name}-{self.port}.log", "ab")
        # A second start (after stop or kill) binds the same port again.
        listener, self.listener = self.listener or listening_socket(self.port), None
        try:
            self.process = subprocess.Popen(
                # Daphne as `make run` and the deployment start it (helpdesk.server).
                [
                    *(sys.executable, "-m", "helpdesk.server", "--fd", str(listener.fileno())),
                    *self.arguments,
                    self.application,
                ],
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=[listener.fileno()],
            )
        finally:
            # Daphne's copy is the only one: once it is gone, the port is
            # closed (connections are refused, as after a crash), not queued here.
            listener.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Daphne exited with {self.process.returncode}; see {log.name}")
            # The socket accepts connections before Daphne runs (they wait in
            # its queue), so only an answer says that Daphne serves.
            if answers_http(self.port, timeout=1):
                return self
            time.sleep(0.1)
        raise RuntimeError(f"Daphne did not answer on {self.port} within {timeout} s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self):
        """End the process at once, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class HostSite:
    """A static website on its own port: the customer's side of the embed snippet."""

    def __init__(self, directory):
        self.directory = Path(directory)
        # Port 0: bound to a free port at once, never let go in between.
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(self.directory))
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add_page(self, name, html):
        (self.directory / name).write_text(html, encoding="utf-8")

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host_site(tmp_path):
    site = HostSite(tmp_path).start()
    yield site
    site.stop()
