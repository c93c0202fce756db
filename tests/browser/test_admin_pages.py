"""
The admin pages administrators use, in Chromium at 1,280 px: the channel
(with every inline filled, and a refused website), FAQ, requests, chats and e-mail templates. Each
fits the window and passes axe-core with nothing critical or serious, in
English and German; opening hours are entered with time inputs.
"""

import re
from datetime import date, time

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from chat.configuration.models import (
    Channel,
    ChannelPrivacyText,
    ChannelText,
    OpeningInterval,
    PreChatField,
    SpecialDate,
)
from chat.configuration.refused_origins import record_refusal
from chat.conversations.models import Chat, ChatStatus, Message, MessageKind, Party
from faq.models import Category, ChannelCategory, Entry
from requests_app.models import ReplyTemplate, Request
from tests.support import axe, layout

PASSWORD = "admin-password-123"
WINDOW = {"width": 1280, "height": 800}

WORDS = {
    "de": {
        "Username": "Benutzername",
        "Password": "Passwort",
        "Log in": "Anmelden",
        "E-mail templates": "E-Mail-Vorlagen",
    },
}


def words(language, text):
    return WORDS.get(language, {}).get(text, text)


def a_configured_channel():
    """A channel with something in every inline of its page, and one of each thing the other pages list."""
    admin = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD, first_name="Rea")
    channel = Channel.objects.create(name="Shop", slug="shop", allowed_origins="https://shop.example")
    channel.memberships.create(user=admin, is_manager=True, may_listen_in=True)
    PreChatField.objects.create(
        channel=channel, key="customer_number", label="Customer number", field_type="choice", choices="A\nB"
    )
    OpeningInterval.objects.create(channel=channel, weekday=0, opens_at=time(9), closes_at=time(17))
    SpecialDate.objects.create(channel=channel, date=date(2026, 12, 24), name="Christmas Eve")
    ChannelPrivacyText.objects.create(channel=channel, language="en", text="I agree.", link="https://shop.example/p")
    # The list of refused websites, with one that can be allowed and one that cannot.
    record_refusal(channel, "https://elsewhere.example")
    record_refusal(channel, "null")
    ChannelText.objects.create(channel=channel, language="de", button_label="Schreiben Sie uns")
    category = Category.objects.create(name="Returns")
    ChannelCategory.objects.create(channel=channel, category=category)
    entry = Entry.objects.create(category=category, question="How do I return an item?", answer="<p>By post.</p>")
    chat = Chat.objects.create(
        channel=channel,
        token_hash="1" * 64,
        customer_name="Erika Mustermann",
        customer_email="erika@example.com",
        status=ChatStatus.ENDED,
        ended_at=timezone.now(),
        rating=4,
    )
    Message.objects.create(chat=chat, seq=1, author=Party.CUSTOMER, kind=MessageKind.TEXT, body="Hello")
    request = Request.objects.create(
        number="R-2026-00001",
        channel=channel,
        source="closed_form",
        customer_name="Erika Mustermann",
        customer_email="erika@example.com",
        question="Where is my parcel?",
    )
    template = ReplyTemplate.objects.create(
        name="Confirmation", purpose="request_confirmation", subject="Your request {request_id}", body="Hello"
    )
    return channel, entry, chat, request, template


def log_in(new_page, server, language):
    page = new_page(viewport=WINDOW, locale=language, extra_http_headers={"Accept-Language": language})
    page.goto(f"{server.url}/admin/login/")
    page.get_by_label(words(language, "Username")).fill("root")
    page.get_by_label(words(language, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=words(language, "Log in")).click()
    expect(page.locator("#site-name")).to_be_visible()
    return page


def check_page(page, where):
    overflow = layout.horizontal_overflow(page)
    assert overflow == 0, f"the page scrolls sideways by {overflow} px {where}: {layout.sticking_out(page)}"
    axe.assert_no_blocking_violations(page, where)


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_admin_pages_people_use_fit_the_window_and_pass_axe(server, new_page, language):
    channel, entry, chat, request, template = a_configured_channel()
    page = log_in(new_page, server, language)
    pages = {
        "the channel": f"/admin/chat/channel/{channel.pk}/change/",
        "a new channel": "/admin/chat/channel/add/",
        "the channels": "/admin/chat/channel/",
        "an FAQ entry": f"/admin/faq/entry/{entry.pk}/change/",
        "the FAQ": "/admin/faq/entry/",
        "a request": f"/admin/requests_app/request/{request.pk}/change/",
        "the requests": "/admin/requests_app/request/",
        "a chat": f"/admin/chat/chat/{chat.pk}/change/",
        "the chats": "/admin/chat/chat/",
        "an e-mail template": f"/admin/requests_app/replytemplate/{template.pk}/change/",
    }
    for where, path in pages.items():
        page.goto(server.url + path)
        check_page(page, f"on {where} ({language})")


def test_opening_hours_are_times_in_a_week_and_the_channels_inline_fields_are_named(server, new_page):
    channel, *_ = a_configured_channel()
    page = log_in(new_page, server, "en")
    page.goto(f"{server.url}/admin/chat/channel/{channel.pk}/change/")
    hours = page.locator("#opening_intervals-group")
    opens = hours.get_by_label("Opens", exact=True).first
    expect(opens).to_have_attribute("type", "time")
    expect(opens).to_have_value("09:00")
    # No clock pop-up, and none of its note about the server's time.
    expect(page.get_by_text(re.compile("server time", re.IGNORECASE))).to_have_count(0)
    expect(page.locator("#special_dates-group").get_by_label("Date", exact=True).first).to_have_attribute(
        "type", "date"
    )
    # The week at a glance, above the rows.
    week = page.get_by_role("table", name=re.compile("^The week"))
    expect(week.get_by_role("row", name=re.compile("Monday"))).to_contain_text("09:00–17:00")
    expect(week.get_by_role("row", name=re.compile("Sunday"))).to_contain_text("closed")

    # The form fields' table shows its last column ("Delete") inside the window.
    delete = page.locator("#form_fields-group").get_by_label("Delete").first
    delete.scroll_into_view_if_needed()
    expect(delete).to_be_in_viewport()
    box = delete.bounding_box()
    assert box["x"] + box["width"] <= WINDOW["width"]

    # An interval entered with the time inputs is stored as typed.
    hours.get_by_role("button", name=re.compile("^Add another", re.IGNORECASE)).click()
    new_row = hours.locator("tr.dynamic-opening_intervals").last
    new_row.get_by_label("Weekday", exact=True).select_option(label="Tuesday")
    new_row.get_by_label("Opens", exact=True).fill("08:30")
    new_row.get_by_label("Closes", exact=True).fill("12:15")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    stored = OpeningInterval.objects.filter(channel=channel, weekday=1).get()
    assert (stored.opens_at, stored.closes_at) == (time(8, 30), time(12, 15))


def test_e_mail_templates_are_named_so_and_list_each_placeholder_once(server, new_page):
    *_, template = a_configured_channel()
    page = log_in(new_page, server, "en")
    expect(page.get_by_role("link", name="E-mail templates")).to_be_visible()
    # A new template may be of either purpose: each placeholder once, with what it means in which.
    page.goto(f"{server.url}/admin/requests_app/replytemplate/add/")
    named = page.locator(".field-placeholders dt code").all_inner_texts()
    assert len(named) == len(set(named)) == 8, named
    meanings = page.locator(".field-placeholders dd")
    expect(meanings.nth(named.index("{agent}"))).to_have_text("the agent's name (Chat transcript only)")
    expect(meanings.nth(named.index("{date}"))).to_contain_text("the date of the chat (Chat transcript)")
    page.goto(f"{server.url}/admin/requests_app/replytemplate/{template.pk}/change/")
    named = page.locator(".field-placeholders dt code").all_inner_texts()
    assert "{request_id}" in named and "{agent}" not in named and len(named) == len(set(named))


def test_the_channels_texts_in_another_language_are_entered_with_labelled_fields(server, new_page):
    channel, *_ = a_configured_channel()
    ChannelText.objects.all().delete()
    page = log_in(new_page, server, "en")
    page.goto(f"{server.url}/admin/chat/channel/{channel.pk}/change/")
    texts = page.locator("#texts-group")
    expect(texts.get_by_role("heading", name=re.compile("^Texts in another language"))).to_be_visible()
    texts.get_by_role("button", name=re.compile("^Add another", re.IGNORECASE)).click()
    # A stacked row: each input has its visible label ("Language:").
    row = texts.locator(".dynamic-texts").last
    row.get_by_label("Language:", exact=True).select_option(label="German")
    row.get_by_label("Button label:", exact=True).fill("Schreiben Sie uns")
    row.get_by_label("Closed message:", exact=True).fill("Wir sind gleich wieder da.")
    check_page(page, "with a row of texts in German")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    stored = ChannelText.objects.get(channel=channel)
    assert (stored.language, stored.button_label, stored.closed_message, stored.header_title) == (
        "de",
        "Schreiben Sie uns",
        "Wir sind gleich wieder da.",
        "",
    )
