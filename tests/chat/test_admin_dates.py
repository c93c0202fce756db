"""
Times in the admin as people read them (infra.dates): a chat's in its
channel's zone, named, in the admin's language, its wait and length as
durations; the other lists' times named too.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest

from chat.conversations.models import Chat, ChatStatus, Message, MessageKind, Party
from chat.privacy.models import ErasureRecord
from infra.outbox.models import OutgoingEmail
from requests_app.models import Request

pytestmark = pytest.mark.django_db

QUEUED = datetime(2026, 12, 3, 8, 40, tzinfo=UTC)


@pytest.fixture
def chats(make_channel):
    """An ended chat of a Berlin channel and one of a Tokyo channel, at the same moment."""
    made = {}
    for slug, zone in (("berlin", "Europe/Berlin"), ("tokyo", "Asia/Tokyo")):
        channel = make_channel(slug=slug, name=slug.title(), time_zone=zone)
        chat = Chat.objects.create(
            channel=channel,
            token_hash=slug[0] * 64,
            customer_name=f"Erika {slug}",
            status=ChatStatus.ENDED,
            queued_at=QUEUED,
            accepted_at=QUEUED + timedelta(minutes=2, seconds=5),
            ended_at=QUEUED + timedelta(minutes=14, seconds=10),
        )
        Chat.objects.filter(pk=chat.pk).update(created_at=QUEUED)
        made[slug] = chat
    return made


def row_of(page, name):
    """The text of the change list's row that names ``name``, tags removed."""
    for row in re.findall(r"<tr>.*?</tr>", page, re.DOTALL):
        if name in row:
            return " ".join(re.sub(r"<[^>]+>", " ", row).split())
    raise AssertionError(f"no row with {name}")


@pytest.mark.parametrize(
    "language, berlin, tokyo, wait, length",
    [
        ("en", "Dec. 3, 2026, 09:40 CET", "Dec. 3, 2026, 17:40 JST", "2 min 5 s", "12 min 5 s"),
        ("de", "3. Dezember 2026, 09:40 MEZ", "3. Dezember 2026, 17:40 JST", "2 Min. 5 Sek.", "12 Min. 5 Sek."),
    ],
)
def test_a_chat_row_shows_its_local_time_named_and_its_wait_and_length(
    admin_client, chats, language, berlin, tokyo, wait, length
):
    page = admin_client.get("/admin/chat/chat/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"{berlin} {wait} {length}" in row_of(page, "Erika berlin")
    assert f"{tokyo} {wait} {length}" in row_of(page, "Erika tokyo")
    # The raw timestamp Django would show in the server's zone is gone.
    assert "9:40 a.m." not in page


def test_a_chats_page_shows_its_times_and_its_messages_in_the_channels_zone(admin_client, chats):
    chat = chats["tokyo"]
    message = Message.objects.create(chat=chat, seq=1, author=Party.CUSTOMER, kind=MessageKind.TEXT, body="Hello")
    Message.objects.filter(pk=message.pk).update(created_at=QUEUED + timedelta(seconds=30))
    page = admin_client.get(f"/admin/chat/chat/{chat.pk}/change/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Erstellt: 3. Dezember 2026, 17:40 JST" in text
    assert "Übernommen: 3. Dezember 2026, 17:42 JST" in text
    assert "Wartezeit: 2 Min. 5 Sek." in text and "Chatdauer: 12 Min. 5 Sek." in text
    assert "3. Dezember 2026, 17:40 JST Kunde" in text, "the message's time, in the inline"


def test_a_chat_still_waiting_has_waited_until_now_and_has_no_length_yet(admin_client, make_channel):
    channel = make_channel(slug="queue")
    Chat.objects.create(
        channel=channel,
        token_hash="q" * 64,
        customer_name="Still Waiting",
        status=ChatStatus.QUEUED,
        queued_at=datetime.now(UTC) - timedelta(seconds=65),
    )
    row = row_of(admin_client.get("/admin/chat/chat/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "Still Waiting")
    assert re.search(r"1 min (5|6|7) s —", row), row


def test_requests_outbox_and_erasures_name_their_zone(admin_client, chats, settings):
    Request.objects.create(
        number="R-2026-00001",
        channel=chats["tokyo"].channel,
        source="closed_form",
        customer_name="Erika",
        customer_email="erika@example.com",
        question="Where?",
    )
    Request.objects.update(created_at=QUEUED)
    OutgoingEmail.objects.create(key="k", to="erika@example.com", subject="Your request", body_text="Hi")
    OutgoingEmail.objects.update(created_at=QUEUED)
    ErasureRecord.objects.create(address_hash="0" * 64)
    ErasureRecord.objects.update(erased_at=QUEUED)

    requests = admin_client.get("/admin/requests_app/request/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dec. 3, 2026, 17:40 JST" in row_of(requests, "R-2026-00001"), "in the request's channel's zone"
    # Without a channel: the server's zone (Europe/Berlin in the tests' settings), named.
    outbox = admin_client.get("/admin/outbox/outgoingemail/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "3. Dezember 2026, 09:40 MEZ" in row_of(outbox, "Your request")
    erasures = admin_client.get("/admin/chat/erasurerecord/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dec. 3, 2026, 09:40 CET" in erasures
