"""
Export and erasure by e-mail address on the admin's privacy page
(chat.privacy.admin): who may, what the export holds (JSON and an escaped
page), and that after an erasure no text or JSON column of any model holds
the address or any of the person's texts while another person's chat in the
same channel is untouched and the statistics keep their figures.
"""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chat.conversations import assignment, history, services
from chat.conversations.errors import ChatEnded
from chat.conversations.models import Attachment, Chat, ChatStatus, Message, Party, attachments_storage
from chat.privacy import erasure
from chat.privacy.admin import COUNT_LABELS
from chat.privacy.models import ErasureRecord, address_digest
from chat.statistics import figures, periods
from infra.outbox.models import OutgoingEmail
from requests_app.models import Request
from tests.chat.files import empty_file_storage
from tests.chat.privacy_people import make_person, rows_holding

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "admin:chat_privacy_person"


@pytest.fixture(autouse=True)
def no_stored_files(smtp_server):
    empty_file_storage()


@pytest.fixture
def shop(make_channel, make_agent):
    channel = make_channel(slug="shop", transcript_enabled=True)
    other = make_channel(slug="other", transcript_enabled=True)
    agent = make_agent(channel, other, first_name="Anna")
    return channel, other, agent


@pytest.fixture
def admin_client(django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.net", "admin-password-123")
    client = Client()
    client.force_login(admin)
    client.user = admin
    return client


def staff_client(django_user_model, *permissions):
    user = django_user_model.objects.create_user("staff", password="staff-password-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    client = Client()
    client.force_login(user)
    return client


def post(client, action, address):
    return client.post(reverse(PAGE), {"address": address, "action": action})


def test_the_erasure_leaves_no_copy_anywhere_and_another_persons_chat_untouched(shop, admin_client):
    channel, other, agent = shop
    erika = make_person(channel, agent, name="Erika Mustermann", email="Erika@Example.com", word="zebra")
    again = make_person(other, agent, name="Erika M.", email="erika@example.com", word="giraffe")
    jonas = make_person(channel, agent, name="Jonas Becker", email="jonas@example.org", word="otter")
    stored = [attachment.file.name for attachment in Attachment.objects.filter(chat__in=[erika.chat, again.chat])]
    # The admin's history names a chat by its customer once an administrator changed it.
    LogEntry.objects.log_actions(admin_client.user.pk, [erika.chat, jonas.chat], CHANGE, change_message="[]")
    assert "Erika Mustermann" in LogEntry.objects.get(object_id=str(erika.chat.pk)).object_repr
    assert all(attachments_storage().exists(name) for name in stored)
    jonas_messages = list(Message.objects.filter(chat=jonas.chat).values_list("seq", "body"))
    period = periods.last_days(channel, 7)
    before = figures.summary(channel, period)

    confirm = post(admin_client, "confirm", "  ERIKA@example.COM ")
    assert confirm.status_code == 200
    found = confirm.context["found"]
    assert (found.chats, found.requests, found.files, found.notes) == (2, 4, 2, 2)
    assert found.emails == 6
    assert not rows_holding("erika@example.com") == []

    done = post(admin_client, "erase", "erika@example.com")

    assert done.status_code == 200
    record = ErasureRecord.objects.get()
    removed = record.counts
    assert [value for _label, value in done.context["removed"]] == [removed[key] for key, _label in COUNT_LABELS]
    assert removed["chats"] == 2 and removed["requests"] == 4 and removed["files"] == 2 and removed["emails"] == 6
    assert "erika@example.com" not in done.content.decode().lower()
    for needle in ["erika@example.com", "Mustermann", "zebra", "giraffe", *erika.texts, *again.texts]:
        assert rows_holding(needle) == [], needle
    assert not any(attachments_storage().exists(name) for name in stored)
    assert LogEntry.objects.get(object_id=str(erika.chat.pk)).object_repr == f"#{erika.chat.pk}"
    assert "Jonas Becker" in LogEntry.objects.get(object_id=str(jonas.chat.pk)).object_repr
    assert list(history.search_chats(agent, "zebra-thanks")) == []
    # Jonas's data is all there.
    assert list(Message.objects.filter(chat=jonas.chat).values_list("seq", "body")) == jonas_messages
    assert Chat.objects.get(pk=jonas.chat.pk).customer_email == "jonas@example.org"
    assert Attachment.objects.filter(chat=jonas.chat).count() == 1
    assert OutgoingEmail.objects.filter(to__iexact="jonas@example.org").count() == 3
    for text in jonas.texts:
        assert rows_holding(text), text
    # The rows stay for the statistics, and the erasure is on record without the address.
    after = figures.summary(channel, period)
    assert (after.offered, after.answered, after.requests, after.ratings) == (
        before.offered,
        before.answered,
        before.requests,
        before.ratings,
    )
    assert record.erased_by == admin_client.user
    assert record.address_hash == address_digest("ERIKA@example.com")


def test_an_open_chat_holds_the_erasure_back_with_a_clear_message(shop, admin_client, make_chat):
    channel, _other, _agent = shop
    chat, _token = make_chat(channel, email="open@example.com")
    assert chat.status != ChatStatus.ENDED

    confirm = post(admin_client, "confirm", "open@example.com")
    assert "still open" in confirm.content.decode()
    assert b'value="erase"' not in confirm.content
    response = post(admin_client, "erase", "open@example.com")

    assert "still open" in response.content.decode()
    assert Chat.objects.get(pk=chat.pk).customer_email == "open@example.com"
    assert not ErasureRecord.objects.exists()


def test_the_json_export_holds_everything_of_the_address_and_nothing_of_others(shop, admin_client):
    channel, other, agent = shop
    erika = make_person(channel, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")
    make_person(other, agent, name="Jonas Becker", email="jonas@example.org", word="otter")

    response = post(admin_client, "json", "ERIKA@example.com ")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    data = json.loads(response.content)
    assert data["address"] == "ERIKA@example.com"
    (chat,) = data["chats"]
    assert (chat["id"], chat["name"], chat["email"], chat["channel"]) == (
        erika.chat.pk,
        "Erika Mustermann",
        "erika@example.com",
        "Channel 1",
    )
    assert chat["form"] == [{"key": "customer_number", "label": "Customer number", "value": "K-zebra-number"}]
    assert (chat["rating"], chat["comment"]) == (4, "zebra-comment: quick help")
    assert chat["page_url"] == "https://shop.example/orders/zebra-page"
    texts = [message["text"] for message in chat["messages"] if "text" in message]
    assert erika.texts[0] in texts and erika.texts[1] in texts and erika.texts[2] in texts
    assert [message["file"] for message in chat["messages"] if "file" in message] == ["zebra-invoice.pdf"]
    assert [note["text"] for note in chat["notes"]] == [erika.texts[3]]
    assert chat["files"][0]["name"] == "zebra-invoice.pdf" and chat["files"][0]["size"] > 0
    assert sorted(request["number"] for request in data["requests"]) == sorted(r.number for r in erika.requests)
    assert {email["to"].lower() for email in data["emails"]} == {"erika@example.com"}
    assert len(data["emails"]) == 3
    assert "otter" not in response.content.decode()


def test_the_export_page_shows_the_data_escaped(shop, admin_client, make_chat):
    channel, _other, agent = shop
    erika = make_person(channel, agent, name="Erika <b>Bold</b>", email="erika@example.com", word="zebra")
    make_chat(channel, name="Erika", email="erika@example.com", question="<script>alert('zebra')</script>")

    response = post(admin_client, "show", "erika@example.com")

    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#x27;zebra&#x27;)&lt;/script&gt;" in page
    assert "<script>alert(" not in page
    assert "Erika &lt;b&gt;Bold&lt;/b&gt;" in page
    assert "zebra-invoice.pdf" in page
    assert erika.requests[1].number in page


def test_a_wrong_address_gets_a_clear_error_and_nothing_happens(shop, admin_client):
    channel, _other, agent = shop
    make_person(channel, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")

    for value in ["", "erika", "erika@example.com" + "x" * 300, "a@b@c.com"]:
        response = post(admin_client, "erase", value)
        assert response.status_code == 400
        assert response.context["form"].errors["address"]
    assert Chat.objects.filter(customer_email="erika@example.com").exists()
    assert not ErasureRecord.objects.exists()


def test_who_may_export_and_who_may_erase(shop, django_user_model, make_agent):
    channel, _other, agent = shop
    make_person(channel, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")
    url = reverse(PAGE)

    agent_client = Client()
    agent_client.force_login(agent)
    assert agent_client.get(url).status_code == 302  # not staff: the admin's login
    exporter = staff_client(django_user_model, "export_personal_data")
    assert exporter.get(url).status_code == 200
    assert b'value="confirm"' not in exporter.get(url).content
    assert post(exporter, "json", "erika@example.com").status_code == 200
    assert post(exporter, "erase", "erika@example.com").status_code == 403
    assert Chat.objects.filter(customer_email="erika@example.com").exists()
    plain_staff = django_user_model.objects.create_user("plain", password="plain-password-123", is_staff=True)
    plain = Client()
    plain.force_login(plain_staff)
    assert plain.get(url).status_code == 403
    assert post(plain, "json", "erika@example.com").status_code == 403


def test_the_changelist_of_erasures_links_the_page(admin_client):
    response = admin_client.get(reverse("admin:chat_erasurerecord_changelist"))
    assert response.status_code == 200
    assert reverse(PAGE) in response.content.decode()


def test_erasing_an_address_with_nothing_stored_records_zero_counts(db, django_user_model):
    admin = django_user_model.objects.create_superuser("admin2", "a2@example.net", "admin-password-123")
    removed, record = erasure.erase("nobody@example.com", by=admin, now=timezone.now())
    assert removed.total == 0
    assert record.counts == removed.as_dict()
    assert Request.objects.count() == 0


def test_an_erased_chat_is_not_reopened_by_its_old_token(shop, make_chat, django_user_model):
    channel, _other, agent = shop
    chat, _token = make_chat(channel, email="erika@example.com")
    assignment.accept_chat(chat, agent=agent)
    services.end_chat(Chat.objects.get(pk=chat.pk), by=Party.AGENT, agent=agent)
    admin = django_user_model.objects.create_superuser("admin3", "a3@example.net", "admin-password-123")

    erasure.erase("erika@example.com", by=admin)

    with pytest.raises(ChatEnded):
        services.post_message(Chat.objects.get(pk=chat.pk), author=Party.CUSTOMER, body="Hello again")
    assert Chat.objects.get(pk=chat.pk).status == ChatStatus.ENDED
    assert not Message.objects.filter(chat=chat).exists()
