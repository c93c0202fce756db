"""
The whole workspace for everyone, as the features stand together on one
dashboard: with the customer panel, the team panel, the canned replies' list,
note mode, the FAQ, canned-replies and transfer dialogs open, and on the
history pages, axe-core finds no critical or serious violation, and at
1,024 x 768 nothing is cut off and nothing scrolls sideways, in English and
in German. Names come from the catalogue, so the German run looks for what a
German agent reads.
"""

import io
import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import expect

from chat.configuration.canned_replies import CannedReply
from chat.configuration.models import Channel, ChannelMembership
from chat.conversations import attachments
from chat.conversations.models import Chat, Party
from faq.models import Category, ChannelCategory, Entry
from tests.browser.dashboard import (
    PASSWORD,
    SMALL_SCREEN,
    composer,
    make_agent_and_channel,
    open_dashboard,
    start_chats,
)
from tests.support import axe, layout


def words(language, text):
    with translation.override(language):
        return gettext(text)


def check(page, where):
    axe.assert_no_blocking_violations(page, where)
    assert layout.horizontal_overflow(page) == 0, f"the page scrolls sideways {where}"
    clipped = layout.clipped_elements(page)
    assert clipped == [], f"cut off {where}:\n{layout.describe(clipped)}"


def a_busy_channel():
    """
    Anna manages the shop and may listen in (a colleague, a second channel, a
    canned reply, an FAQ entry); Erika waits; Ben talks with Jonas.
    """
    anna, channel = make_agent_and_channel()
    ChannelMembership.objects.filter(user=anna).update(is_manager=True, may_listen_in=True)
    ben = get_user_model().objects.create_user(username="ben", password=PASSWORD, first_name="Ben")
    ChannelMembership.objects.create(channel=channel, user=ben)
    Channel.objects.create(name="Returns and refunds", slug="returns")
    CannedReply.objects.create(
        channel=channel, shortcut="greeting", title="Greeting", body="Hello {customer_first_name}!"
    )
    category = Category.objects.create(name="Orders")
    ChannelCategory.objects.create(channel=channel, category=category)
    Entry.objects.create(category=category, question="When will my parcel arrive?", answer="<p>In two days.</p>")
    start_chats(channel, "Erika Mustermann", "Maximilian Mustermann-Schönberger")
    Chat.objects.filter(customer_name="Erika Mustermann").update(
        page_url="https://shop.example.com/orders/4711?tab=tracking",
        page_title="Meine Bestellungen – Sendungsverfolgung",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
        customer_time_zone="Europe/Vienna",
    )
    # Ben's chat, for Anna's "All active chats" (set in the database: no event is needed before the page loads).
    (jonas,) = start_chats(channel, "Jonas Müller-Lüdenscheidt")
    Chat.objects.filter(pk=jonas.pk).update(status="active", agent=ben, accepted_at=timezone.now())
    return channel


def close_dialog(page, name):
    """Escape, twice where the first one only folds a list up inside the dialog (a combobox's own Escape)."""
    dialog = page.get_by_role("dialog", name=name)
    page.keyboard.press("Escape")
    if dialog.is_visible():
        page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_part_of_the_workspace_passes_axe_and_fits_at_1024_px(server, new_page, language):
    def w(text):
        return words(language, text)

    a_busy_channel()
    page = open_dashboard(new_page, server, language=language, viewport=SMALL_SCREEN)
    expect(page.get_by_role("heading", name=re.compile(w("Team")))).to_be_visible()
    check(page, f"on the idle dashboard ({language})")

    page.keyboard.press("Alt+Shift+N")
    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    page.get_by_text(w("About the customer")).click()
    expect(page.get_by_role("link", name=re.compile("Sendungsverfolgung"))).to_be_visible()
    check(page, f"with a chat and its customer open ({language})")

    page.keyboard.press("Alt+Shift+C")
    page.keyboard.type("/gre")
    expect(page.get_by_role("listbox", name=w("Canned replies")).get_by_role("option")).to_have_count(1)
    check(page, f"with the canned replies' list open ({language})")
    page.keyboard.press("Escape")
    composer(page, language).fill("")

    page.get_by_label(w("Internal note")).check()
    check(page, f"in note mode ({language})")
    page.get_by_label(w("Internal note")).uncheck()

    page.get_by_role("button", name=w("FAQ"), exact=True).click()
    faq = page.get_by_role("dialog", name=w("Send an FAQ entry"))
    page.keyboard.type("parcel")
    expect(faq.get_by_role("option", name=re.compile("When will my parcel arrive"))).to_be_visible()
    check(page, f"with the FAQ dialog open ({language})")
    close_dialog(page, w("Send an FAQ entry"))

    page.get_by_role("button", name=w("Canned replies"), exact=True).click()
    expect(page.get_by_role("dialog", name=w("Canned replies"))).to_be_visible()
    check(page, f"with the canned replies' dialog open ({language})")
    close_dialog(page, w("Canned replies"))

    page.get_by_role("button", name=w("Chat menu")).click()
    page.get_by_role("menuitem", name=w("Transfer…")).click()
    expect(page.get_by_role("dialog", name=w("Transfer the chat"))).to_be_visible()
    check(page, f"with the transfer dialog open ({language})")
    close_dialog(page, w("Transfer the chat"))

    # Listening in on Ben's chat: the overview, the listened chat, the whisper box, the take-over dialog.
    overview = page.get_by_role("region", name=re.compile(w("All active chats")))
    expect(overview).to_contain_text("Jonas Müller-Lüdenscheidt")
    check(page, f"with all active chats listed ({language})")
    with translation.override(language):
        listen_in = gettext("Listen in on the chat of %(name)s with %(agent)s") % {
            "name": "Jonas Müller-Lüdenscheidt",
            "agent": "Ben",
        }
    overview.get_by_role("button", name=listen_in).click()
    expect(page.get_by_text(w("Listening in, the customer does not see you."))).to_be_visible()
    page.get_by_role("button", name=w("Whisper"), exact=True).click()
    check(page, f"listening in, with the whisper box open ({language})")
    page.get_by_role("button", name=w("Take over"), exact=True).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    check(page, f"with the take-over dialog open ({language})")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_history_pages_pass_axe_and_fit_at_1024_px(server, new_page, language):
    a_busy_channel()
    page = open_dashboard(new_page, server, language=language, viewport=SMALL_SCREEN)
    page.goto(f"{server.url}/agent/history/?q=Erika")
    expect(page.get_by_role("link", name="Erika Mustermann")).to_be_visible()
    check(page, f"on the history search ({language})")
    page.get_by_role("link", name="Erika Mustermann").click()
    expect(page.get_by_role("heading", name=re.compile("Erika Mustermann"))).to_be_visible()
    check(page, f"on a past chat ({language})")


def files_from_the_customer(chat):
    """An image and a PDF in the chat's log, sent the way the widget's upload does (on a thread: see start_chats)."""
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 200)).save(photo, "PNG")
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

    def post():
        try:
            attachments.post_file(chat, author=Party.CUSTOMER, content=photo.getvalue(), name="Foto der Sendung.png")
            attachments.post_file(chat, author=Party.CUSTOMER, content=pdf, name="Rechnung-2026-0001234567.pdf")
        finally:
            connection.close()

    worker = threading.Thread(target=post)
    worker.start()
    worker.join()


@pytest.mark.parametrize("language", ["en", "de"])
def test_files_in_the_log_and_a_refused_upload_pass_axe_and_fit_at_1024_px(server, new_page, language):
    def w(text):
        return words(language, text)

    a_busy_channel()
    files_from_the_customer(Chat.objects.get(customer_name="Erika Mustermann"))
    page = open_dashboard(new_page, server, language=language, viewport=SMALL_SCREEN)
    page.keyboard.press("Alt+Shift+N")
    log = page.get_by_role("log", name=w("Messages"))
    thumbnail = log.get_by_role("img", name="Foto der Sendung.png")
    expect(thumbnail).to_be_visible()
    expect(thumbnail).to_have_js_property("naturalWidth", 640)
    expect(log.get_by_role("link", name=re.compile("Rechnung-2026-0001234567.pdf"))).to_be_visible()

    # A refused upload stays under the composer with its reason and its "Remove" button.
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=w("Attach a file")).click()
    chooser.value.set_files(
        files=[{"name": "Lieferschein.png", "mimeType": "image/png", "buffer": b"<!DOCTYPE html><html></html>"}]
    )
    expect(page.get_by_role("alert").filter(has_text=w("This kind of file cannot be sent here."))).to_be_visible()
    check(page, f"with files in the log and a refused upload ({language})")
