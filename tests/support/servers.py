"""
Real server processes for the tests that need them: Daphne serving the project
against the test database, and a plain HTTP server for a host page on another
origin (another port), as real websites embed the widget.
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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    """One Daphne process of the project on 127.0.0.1; its output goes to test-artifacts/."""

    def __init__(self, env, port=None, name="daphne"):
        self.env = env
        self.port = port or free_port()
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
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "helpdesk.asgi:application"],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Daphne exited with {self.process.returncode}; see {log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Daphne did not listen on {self.port} within {timeout} s")

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
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", free_port()), functools.partial(_QuietHandler, directory=str(self.directory))
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
