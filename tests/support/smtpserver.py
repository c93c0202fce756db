"""
A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), keeping what it
receives. ``smtp_server`` points Django's SMTP backend at it; ``fail_next``
makes it refuse messages, to test retries, and ``refuse_recipients_next``
refuses their recipients (an error that names the address).
"""

import email
import email.policy
import time

import pytest
from aiosmtpd.controller import Controller

from tests.support.servers import free_port


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, smtp_server, session, envelope, address, rcpt_options):
        if self.server.recipient_refusals > 0:
            self.server.recipient_refusals -= 1
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp_server, session, envelope):
        if self.server.refusals > 0:
            self.server.refusals -= 1
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.server.messages.append(message)
        return "250 OK"


class SMTPServer:
    def __init__(self):
        self.messages = []
        self.refusals = 0
        self.recipient_refusals = 0
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def fail_next(self, count=1):
        self.refusals = count

    def refuse_recipients_next(self, count=1):
        self.recipient_refusals = count

    def wait_for(self, count=1, timeout=10):
        """The messages received, once there are at least ``count`` (fails after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} e-mails, got {len(self.messages)}"
        return list(self.messages)

    @staticmethod
    def text_of(message):
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html_of(message):
        part = message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    @property
    def environment(self):
        """For server processes: send through this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
        }


@pytest.fixture
def smtp_server(settings):
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    yield server
    server.stop()
