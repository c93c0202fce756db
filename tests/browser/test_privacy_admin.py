"""
The admin's privacy page in Chromium, by role and label: an administrator
finds it from the list of erasures, shows what is stored about an address,
confirms and erases it; each step is axe-clean (nothing critical or serious)
and works from the keyboard. In German too.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.configuration.models import Channel
from chat.conversations.models import Chat
from chat.privacy.models import ErasureRecord
from tests.chat.files import empty_file_storage
from tests.chat.privacy_people import make_person, rows_holding
from tests.support import axe

PASSWORD = "admin-password-123"


@pytest.fixture
def person(server, smtp_server, sent_events):
    empty_file_storage()
    channel = Channel.objects.create(name="Shop", slug="shop", allowed_origins="https://shop.example")
    channel.transcript_enabled = True
    channel.save()
    agent = get_user_model().objects.create_user("anna", password="agent-password-123", first_name="Anna")
    channel.memberships.create(user=agent)
    get_user_model().objects.create_superuser("boss", "boss@example.net", PASSWORD)
    return make_person(channel, agent, name="Erika Mustermann", email="erika@example.com", word="zebra")


def admin_login(page, server, **labels):
    page.goto(f"{server.url}/admin/login/")
    page.get_by_label(labels.get("username", "Username")).fill("boss")
    page.get_by_label(labels.get("password", "Password")).fill(PASSWORD)
    page.get_by_label(labels.get("password", "Password")).press("Enter")


def test_an_administrator_shows_then_erases_a_persons_data(server, person, new_page):
    page = new_page(locale="en-GB")
    admin_login(page, server)
    page.goto(f"{server.url}/admin/chat/erasurerecord/")
    page.get_by_role("link", name="Export or erase a person's data").click()
    expect(page.get_by_role("heading", name="Export or erase a person's data")).to_be_visible()
    axe.assert_no_blocking_violations(page, "on the empty privacy page")

    # A wrong address: a clear error next to the field, nothing else happens.
    page.get_by_label("E-mail address").fill("erika")
    page.get_by_label("E-mail address").evaluate("field => field.form.noValidate = true")
    page.get_by_role("button", name="Show the data").click()
    expect(page.get_by_text("Enter a valid e-mail address.")).to_be_visible()
    axe.assert_no_blocking_violations(page, "with the address's error")

    page.get_by_label("E-mail address").fill("  ERIKA@example.com ")
    page.get_by_role("button", name="Show the data").click()
    expect(page.get_by_role("heading", name="Stored about ERIKA@example.com")).to_be_visible()
    expect(page.get_by_role("table", name="Messages")).to_contain_text("zebra-thanks")
    expect(page.get_by_role("table", name="Internal notes of the agents")).to_contain_text("zebra-note")
    expect(page.get_by_role("table", name="Files")).to_contain_text("zebra-invoice.pdf")
    expect(page.get_by_text(person.requests[1].number).first).to_be_visible()
    axe.assert_no_blocking_violations(page, "with the export shown")

    # By keyboard: the erase button is reached with Tab and pressed with Enter.
    page.get_by_role("button", name="Download as JSON").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Erase…")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Erase this person's data?")).to_be_visible()
    expect(page.get_by_role("table", name="Will be removed")).to_contain_text("Requests (their numbers stay)")
    axe.assert_no_blocking_violations(page, "on the confirmation")
    assert Chat.objects.get(pk=person.chat.pk).customer_email == "erika@example.com"

    page.get_by_role("button", name="Erase all of it").click()
    expect(page.get_by_role("heading", name="Erased")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "The data of this address was removed. The erasure is recorded without the address."
    )
    removed = page.get_by_role("table", name="Removed")
    expect(removed.get_by_role("row", name="Chats 1")).to_be_visible()
    expect(removed.get_by_role("row", name="Requests 2")).to_be_visible()
    expect(removed.get_by_role("row", name="Files 1")).to_be_visible()
    axe.assert_no_blocking_violations(page, "after the erasure")
    assert rows_holding("erika@example.com") == []
    assert rows_holding("zebra") == []
    assert ErasureRecord.objects.count() == 1


def test_the_page_speaks_german(server, person, new_page):
    page = new_page(locale="de-DE", extra_http_headers={"Accept-Language": "de-DE,de"})
    admin_login(page, server, username="Benutzername", password="Passwort")
    page.goto(f"{server.url}/admin/chat/erasurerecord/person/")
    expect(page.get_by_role("heading", name="Daten einer Person exportieren oder löschen")).to_be_visible()
    page.get_by_label("E-Mail-Adresse").fill("erika@example.com")
    page.get_by_role("button", name="Löschen …").click()
    expect(page.get_by_role("heading", name="Daten dieser Person löschen?")).to_be_visible()
    expect(page.get_by_role("button", name="Alles löschen")).to_be_visible()
    axe.assert_no_blocking_violations(page, "on the German confirmation")
