"""
People with everything the helpdesk stores about a customer, made through the
services as the widget and the dashboard make it: a chat with texts, a file,
an internal note, a manager's whisper, a transfer note, form data, page and
browser, rating, comment and transcript e-mail, a request made from the
chat, and a request from the closed-hours form. The privacy tests remove
them and then look for what is left.
"""

import json
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.utils import timezone

from chat.conversations import assignment, attachments, postchat, services
from chat.conversations import requests as chat_requests
from chat.conversations.customer_context import StartContext
from chat.conversations.models import Chat, ChatNote, ChatTransfer, Party
from chat.conversations.notes import write_note
from infra.outbox.models import EmailStatus, OutgoingEmail
from requests_app.models import Request, RequestSource
from requests_app.services import create_request
from tests.chat.files import PDF


@dataclass
class Person:
    name: str
    email: str
    chat: Chat
    texts: list = field(default_factory=list)
    file_names: list = field(default_factory=list)
    requests: list = field(default_factory=list)


def make_person(channel, agent, *, name, email, word):
    """
    ``word`` makes every text of the person unique (ASCII, so that JSON columns
    hold it as written), for the scans to look for.
    """
    question = f"Where is my parcel {word}-question? My address is {email}."
    chat, _token = services.start_chat(
        channel,
        name=name,
        email=email,
        email_verified=True,
        form_data=[{"key": "customer_number", "label": "Customer number", "value": f"K-{word}-number"}],
        question=question,
        context=StartContext(
            page_url=f"https://shop.example/orders/{word}-page",
            page_title=f"Order {word}-title",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
            time_zone="Europe/Berlin",
        ),
    )
    assignment.accept_chat(chat, agent=agent)
    texts = [
        question,
        f"{word}-answer: your parcel left on Monday, {name.split()[0]}.",
        f"Thanks, I am {name}, write to {email} please {word}-thanks.",
        f"{word}-note: {name} ({email}) is a regular customer.",
        f"{word}-comment: quick help",
        f"{word}-transfer: ask {name} about the invoice",
    ]
    services.post_message(chat, author=Party.AGENT, agent=agent, body=texts[1])
    services.post_message(chat, author=Party.CUSTOMER, body=texts[2])
    file_name = f"{word}-invoice.pdf"
    attachments.post_file(chat, author=Party.CUSTOMER, content=PDF, name=file_name, client_id=f"{word}-file")
    write_note(agent, chat, body=texts[3], client_id=f"{word}-note")
    ChatTransfer.objects.create(
        chat=chat, requested_by=agent, from_agent=agent, from_channel=channel, to_channel=channel, note=texts[5]
    )
    chat.refresh_from_db()
    request_from_chat = chat_requests.create_request_from_chat(chat, agent=agent)
    chat = Chat.objects.select_related("channel").get(pk=chat.pk)
    postchat.submit_postchat(chat, rating=4, comment=texts[4], send_transcript=True)
    closed_hours_text = f"Please call me back {word}-later, {name}."
    texts.append(closed_hours_text)
    later = create_request(
        channel, name=name, email=email.upper(), question=closed_hours_text, source=RequestSource.CLOSED_FORM
    )
    _wait_until_sent(email)
    return Person(
        name=name,
        email=email,
        chat=Chat.objects.get(pk=chat.pk),
        texts=texts,
        file_names=[file_name],
        requests=[request_from_chat, later],
    )


def _wait_until_sent(address):
    """
    The e-mails leave in threads after the commit: the tests remove them only
    once they are sent, as retention finds them, and no thread is still at
    work when a test's database is emptied.
    """
    waiting = OutgoingEmail.objects.filter(to__iexact=address, status__in=[EmailStatus.PENDING, EmailStatus.SENDING])
    deadline = time.monotonic() + 10
    while waiting.exists():
        assert time.monotonic() < deadline, f"e-mails to {address} not sent"
        time.sleep(0.05)


def age(person, *, days, now=None):
    """Move the person's chat end and requests back by ``days`` (the clock of the retention tests)."""
    moment = (now or timezone.now()) - timezone.timedelta(days=days)
    Chat.objects.filter(pk=person.chat.pk).update(ended_at=moment, created_at=moment)
    Request.objects.filter(pk__in=[request.pk for request in person.requests]).update(created_at=moment)
    return moment


def text_columns(model):
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.JSONField))
    ]


def rows_holding(needle):
    """
    (model, pk, column) of every row of every model of the project, Django's
    own included (the admin's log, sessions), whose text or JSON holds
    ``needle``, case ignored.
    """
    needle = needle.lower()
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = text_columns(model)
        if not columns:
            continue
        for row in model._default_manager.values("pk", *columns).iterator():
            for column in columns:
                value = row[column]
                text = value if isinstance(value, str) else json.dumps(value)
                if needle in (text or "").lower():
                    found.append((model._meta.label, row["pk"], column))
    return found


def note_count(chat):
    return ChatNote.objects.filter(chat=chat).count()
