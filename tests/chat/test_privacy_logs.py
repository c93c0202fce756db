"""
No message text, e-mail address or customer name in log lines at INFO and
above (docs/privacy-widget.md): a whole journey over the real endpoints and
sockets, with every logger at INFO and propagating to the captured root,
leaves none of its distinctive strings in any record or traceback.
"""

import asyncio
import logging
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient
from django.utils import timezone

from chat.conversations.models import Chat, ChatStatus
from infra.outbox import mail
from infra.outbox.models import EmailStatus, OutgoingEmail
from requests_app.models import Request
from tests.chat.files import PDF, customer_headers, empty_file_storage
from tests.support.http import post_json
from tests.support.sockets import agent_socket, customer_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Erika Zwiebelmeyer"
EMAIL = "zwiebel.erika@example.com"
REFUSED_EMAIL = "kohlrabi.erika@nomail.example"
QUESTION = "Wo bleibt mein Paket mit der Nummer Q7X-4711?"
CUSTOMER_TEXT = "Die Lieferung sollte gestern kommen, blau 91"
AGENT_TEXT = "Ich sehe nach, Frau Zwiebelmeyer, gruen 37"
FILE_NAME = "rechnung-zwiebelmeyer.pdf"
COMMENT = "Sehr freundlich, violett 55"
REQUEST_QUESTION = "Bitte rufen Sie mich zurueck, orange 12"
DISTINCTIVE = [
    NAME,
    "Zwiebelmeyer",
    EMAIL,
    "zwiebel.erika",
    REFUSED_EMAIL,
    "kohlrabi.erika",
    QUESTION,
    "Q7X-4711",
    CUSTOMER_TEXT,
    AGENT_TEXT,
    COMMENT,
    REQUEST_QUESTION,
]


@pytest.fixture
def every_logger_at_info():
    """Every logger there is at INFO and propagating to the root, where caplog listens; put back afterwards."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    kept = [(logger, logger.level, logger.propagate, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
        logger.propagate = True
        logger.disabled = False
    yield
    for logger, level, propagate, disabled in kept:
        logger.setLevel(level)
        logger.propagate = propagate
        logger.disabled = disabled


@pytest.fixture(autouse=True)
def no_stored_files():
    empty_file_storage()


# The test's own SMTP server (aiosmtpd) logs the conversation it has; it is no part of the project.
TEST_SERVER_LOGGERS = ("mail.log",)


def logged_text(records):
    """Each record as a handler would write it: the message, the traceback and the stack."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [
        formatter.format(record)
        for record in records
        if record.levelno >= logging.INFO and not record.name.startswith(TEST_SERVER_LOGGERS)
    ]


async def wait_for_attempt(email_id):
    for _ in range(200):
        email = await database_sync_to_async(OutgoingEmail.objects.get)(pk=email_id)
        if email.attempts:
            return email
        await asyncio.sleep(0.05)
    raise AssertionError("the transcript was never tried")


async def test_a_whole_journey_logs_nothing_personal(
    make_channel, make_agent, smtp_server, every_logger_at_info, caplog
):
    caplog.set_level(logging.INFO)
    channel = await database_sync_to_async(make_channel)(
        slug="shop", transcript_enabled=True, postchat_enabled=True, request_enabled=True
    )
    agent = await database_sync_to_async(make_agent)(channel, first_name="Anna")
    client = AsyncClient()

    # An e-mail check that fails, then a good form, and the chat starts.
    refused = await post_json(client, "/chat/shop/api/form", {"name": NAME, "email": REFUSED_EMAIL})
    assert refused.status_code == 400 and "email" in refused.json()["fields"]
    form = {"name": NAME, "email": EMAIL}
    assert (await post_json(client, "/chat/shop/api/form", form)).status_code == 200
    started = await post_json(client, "/chat/shop/api/start", {**form, "question": QUESTION})
    assert started.status_code == 201
    token = started.json()["token"]

    # Messages both ways over the sockets, and a file from the customer.
    customer = await customer_socket(token)
    await receive_until(customer, "welcome")
    dashboard = await agent_socket(agent)
    chat = await database_sync_to_async(Chat.objects.get)()
    await receive_until(dashboard, "state")
    await dashboard.send_json_to({"type": "take", "chat_id": chat.pk})
    await receive_until(dashboard, "chat")
    await customer.send_json_to({"type": "send", "client_id": "c-1", "body": CUSTOMER_TEXT})
    await receive_until(customer, "ack")
    await dashboard.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-1", "body": AGENT_TEXT})
    frames = await receive_until(customer, "message")
    while frames[-1]["message"]["body"] != AGENT_TEXT:
        frames = await receive_until(customer, "message")
    upload = await client.post(
        "/chat/shop/api/files",
        {"file": SimpleUploadedFile(FILE_NAME, PDF), "client_id": "c-2"},
        headers=customer_headers(token),
    )
    assert upload.status_code == 201

    # The agent ends it; the post-chat form asks for the transcript, whose
    # first delivery the mail server refuses for its recipient.
    smtp_server.refuse_recipients_next(1)
    await dashboard.send_json_to({"type": "end", "chat_id": chat.pk})
    await receive_until(customer, "state")
    postchat = await post_json(
        client,
        "/chat/shop/api/postchat",
        {"rating": 5, "comment": COMMENT, "transcript": True},
        headers=customer_headers(token),
    )
    assert postchat.status_code == 200 and postchat.json()["transcript"] is True
    email = await database_sync_to_async(OutgoingEmail.objects.get)(chat=chat)
    email = await wait_for_attempt(email.pk)
    assert email.status == EmailStatus.PENDING and EMAIL in email.last_error
    await database_sync_to_async(mail.send_due_emails)(now=timezone.now() + timedelta(minutes=2))
    assert (await database_sync_to_async(OutgoingEmail.objects.get)(pk=email.pk)).status == EmailStatus.SENT

    # And a request from the form.
    request = await post_json(client, "/chat/shop/api/request", {**form, "question": REQUEST_QUESTION})
    assert request.status_code == 201
    await customer.disconnect()
    await dashboard.disconnect()

    chat = await database_sync_to_async(Chat.objects.get)()
    assert chat.status == ChatStatus.ENDED and chat.rating == 5
    assert await database_sync_to_async(Request.objects.filter(question=REQUEST_QUESTION).exists)()
    lines = logged_text(caplog.records)
    # The journey was heard: the refused form and the refused delivery are in the log ...
    assert any("Bad Request: /chat/shop/api/form" in line for line in lines)
    assert any(f"E-mail {email.pk} failed" in line for line in lines)
    # ... and nothing of the person or of what was said.
    leaks = [(text, line) for line in lines for text in DISTINCTIVE if text.lower() in line.lower()]
    assert leaks == []


async def test_a_message_the_database_refuses_is_logged_without_the_databases_words(monkeypatch, caplog):
    # PostgreSQL's own message can quote the failing row, the customer's text in it.
    from django.db import IntegrityError

    from chat.conversations import group_commit
    from chat.conversations.errors import NotStored
    from chat.conversations.models import Party

    secret = "my card number is 4111 1111 1111 1111"

    class Batcher:
        async def add(self, pending):
            error = IntegrityError(f'null value violates not-null constraint DETAIL: Failing row contains ("{secret}")')
            return error

    monkeypatch.setattr(group_commit, "_batcher", lambda: Batcher())
    caplog.set_level(logging.INFO)
    with pytest.raises(NotStored):
        await group_commit.post(group_commit.PendingMessage(7, Party.CUSTOMER, secret, "c-1"))
    logged = [(r.levelno, r.getMessage(), caplog.handler.format(r)) for r in caplog.records]
    assert any("could not be stored: IntegrityError" in message for _level, message, _text in logged)
    assert not any(secret in text for level, _message, text in logged if level >= logging.INFO)
