"""
Files in the chat in Chromium, both ways (docs/api.md, "Files"): the
customer's widget on a website of another origin and the agent's dashboard,
against the real upload and download endpoints. Files go in through the
paperclip's file picker, a paste and a drop; an image arrives as a
thumbnail, anything else as a card whose download gives back the same
bytes; a refused file shows the server's translated error to its sender
only; a file over the channel's limit is refused before it is sent; the
widget with files in its log passes axe-core.
"""

import base64
import io
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from chat.conversations.models import Attachment, Message, MessageKind
from tests.browser.pages import make_shop_channel, open_widget, shop_page
from tests.support import axe

# A real PDF's first bytes are all the server looks at (chat.conversations.file_checks).
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# A page that claims to be an image.
HTML_AS_PNG = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

# The words each side reads, per language (locale/de/LC_MESSAGES/django.po).
WORDS = {
    "en": {
        "button": "Chat with us",
        "name": "Name",
        "email": "E-mail",
        "continue": "Continue",
        "question": "Your question",
        "queued": "You are number 1 in the queue.",
        "messages": "Messages",
        "message": "Message",
        "attach": "Attach a file",
        "drop": "Drop the file here to send it.",
        "username": "Username",
        "password": "Password",
        "log_in": "Log in",
        "connected": "Connected",
        "take": "Take {name}",
        "download": "Download {name}",
        "pdf": "PDF document",
    },
    "de": {
        "button": "Chatten Sie mit uns",
        "name": "Name",
        "email": "E-Mail",
        "continue": "Weiter",
        "question": "Ihre Frage",
        "queued": "Sie sind Nummer 1 in der Warteschlange.",
        "messages": "Nachrichten",
        "message": "Nachricht",
        "attach": "Datei anhängen",
        "drop": "Legen Sie die Datei hier ab, um sie zu senden.",
        "username": "Benutzername",
        "password": "Passwort",
        "log_in": "Anmelden",
        "connected": "Verbunden",
        "take": "Chat mit {name} übernehmen",
        "download": "{name} herunterladen",
        "pdf": "PDF-Dokument",
    },
}

# Builds a File in the page and hands it over as a paste or in a drag's DataTransfer.
MAKE_TRANSFER = """(element, file) => {
    const bytes = Uint8Array.from(atob(file.b64), c => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], file.name, {type: file.type}));
    return data;
}"""
PASTE = """(element, file) => {
    const bytes = Uint8Array.from(atob(file.b64), c => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], file.name, {type: file.type}));
    element.focus();
    element.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def png(color=(200, 40, 40), size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def as_file(name, content, mime):
    return {"name": name, "b64": base64.b64encode(content).decode(), "type": mime}


def make_agent(username="anna", first_name="Anna"):
    return get_user_model().objects.create_user(username=username, password="agent-password-123", first_name=first_name)


def open_chat(server, host_site, new_page, language="en", **channel_fields):
    """Anna's dashboard and Erika's widget, in one active chat of the shop's channel."""
    w = WORDS[language]
    agent = make_agent()
    channel = make_shop_channel(host_site, agent, language=language, button_label=w["button"], **channel_fields)
    dashboard = new_page(locale="de-DE" if language == "de" else "en-GB")
    dashboard.goto(f"{server.url}/agent/")
    dashboard.get_by_label(w["username"]).fill("anna")
    dashboard.get_by_label(w["password"]).fill("agent-password-123")
    dashboard.get_by_role("button", name=w["log_in"]).click()
    expect(dashboard.get_by_role("status").filter(has_text=w["connected"])).to_be_visible()
    dashboard.get_by_label("Status").select_option("present")

    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = new_page()
    customer.goto(f"{host_site.origin}/index.html")
    widget = open_widget(customer, w["button"])
    widget.get_by_label(w["name"], exact=True).fill("Erika Mustermann")
    widget.get_by_label(w["email"], exact=True).fill("erika@example.com")
    widget.get_by_role("button", name=w["continue"]).click()
    box = widget.get_by_label(w["question"])
    box.fill("My parcel has not arrived.")
    box.press("Enter")
    expect(widget.get_by_text(w["queued"])).to_be_visible()
    dashboard.get_by_role("button", name=w["take"].format(name="Erika Mustermann")).click()
    expect(dashboard.get_by_role("log", name=w["messages"])).to_contain_text("My parcel has not arrived.")
    return channel, dashboard, customer, widget


def pick(page, opener, name, content, mime):
    """Choose a file in the picker the paperclip opens."""
    with page.expect_file_chooser() as chooser:
        opener.click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": content}])


def drop(target, name, content, mime, hint):
    """Drag a file over ``target`` (its drop hint shows) and drop it."""
    data = target.evaluate_handle(MAKE_TRANSFER, as_file(name, content, mime))
    target.dispatch_event("dragenter", {"dataTransfer": data})
    target.dispatch_event("dragover", {"dataTransfer": data})
    expect(hint).to_be_visible()
    target.dispatch_event("drop", {"dataTransfer": data})
    expect(hint).to_be_hidden()


# Whether a fresh image still loads the thumbnail's blob: URL, asked until it
# no longer does (the widget revokes it on the thumbnail's load event) or for a second.
BLOB_STILL_THERE = """async img => {
  const loads = () => new Promise(done => {
    const probe = new Image();
    probe.onload = () => done(true);
    probe.onerror = () => done(false);
    probe.src = img.src;
  });
  for (let attempt = 0; attempt < 20; attempt++) {
    if (!(await loads())) return false;
    await new Promise(resume => setTimeout(resume, 50));
  }
  return true;
}"""


def expect_loaded(image):
    """The thumbnail is on screen with its picture decoded (not a broken image)."""
    expect(image).to_be_visible()
    expect(image).to_have_attribute("src", re.compile(r"."))
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0


def widget_frame(customer):
    return next(frame for frame in customer.frames if "/chat/shop/" in frame.url)


def stored_files():
    return list(Attachment.objects.order_by("id").values_list("name", "author"))


def test_an_image_from_the_customer_by_picker_and_by_paste_is_a_thumbnail_on_both_sides(server, host_site, new_page):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page)
    customer_log = widget.get_by_role("log", name="Messages")
    agent_log = dashboard.get_by_role("log", name="Messages")

    attach = widget.get_by_role("button", name="Attach a file")
    expect(attach).to_be_visible()
    pick(customer, attach, "photo.png", png(), "image/png")
    own = customer_log.get_by_role("img", name="photo.png")
    expect_loaded(own)
    # The widget fetched the image with its token in a header: the page only ever sees a blob: URL.
    assert own.get_attribute("src").startswith("blob:")
    # Drawn, the picture lets go of its blob: another image can no longer load that URL.
    assert own.evaluate(BLOB_STILL_THERE) is False
    expect_loaded(agent_log.get_by_role("img", name="photo.png"))
    assert agent_log.get_by_role("img", name="photo.png").get_attribute("src").startswith("/agent/files/")

    widget.get_by_label("Message", exact=True).evaluate(PASTE, as_file("image.png", png((20, 160, 60)), "image/png"))
    expect_loaded(customer_log.get_by_role("img", name="image.png"))
    expect_loaded(agent_log.get_by_role("img", name="image.png"))

    assert stored_files() == [("photo.png", "customer"), ("image.png", "customer")]
    # Each file once in the log, though it came both in the HTTP answer and over the socket.
    expect(customer_log.get_by_role("img", name="photo.png")).to_have_count(1)
    expect(agent_log.get_by_role("img", name="photo.png")).to_have_count(1)
    assert Message.objects.filter(kind=MessageKind.FILE).count() == 2


def test_a_pdf_from_the_agent_is_a_card_the_customer_downloads_with_the_same_bytes(server, host_site, new_page):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page)
    pick(dashboard, dashboard.get_by_role("button", name="Attach a file"), "invoice.pdf", PDF, "application/pdf")

    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log).to_contain_text("invoice.pdf")
    expect(customer_log).to_contain_text("PDF document")
    expect(customer_log.get_by_role("img")).to_have_count(0)
    with customer.expect_download() as download_info:
        customer_log.get_by_role("button", name="Download invoice.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "invoice.pdf"
    assert Path(download.path()).read_bytes() == PDF
    expect(
        dashboard.get_by_role("log", name="Messages").get_by_role("link", name="Download invoice.pdf")
    ).to_be_visible()


def test_a_pdf_from_the_customer_and_an_image_from_the_agent_by_drop(server, host_site, new_page):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page)
    customer_log = widget.get_by_role("log", name="Messages")
    agent_log = dashboard.get_by_role("log", name="Messages")

    drop(customer_log, "report.pdf", PDF, "application/pdf", widget.get_by_text("Drop the file here to send it."))
    link = agent_log.get_by_role("link", name="Download report.pdf")
    expect(link).to_be_visible()
    with dashboard.expect_download() as download_info:
        link.click()
    assert download_info.value.suggested_filename == "report.pdf"
    assert Path(download_info.value.path()).read_bytes() == PDF

    drop(
        agent_log,
        "screenshot.png",
        png((10, 10, 200)),
        "image/png",
        dashboard.get_by_text("Drop the file here to send it."),
    )
    expect_loaded(agent_log.get_by_role("img", name="screenshot.png"))
    thumbnail = customer_log.get_by_role("img", name="screenshot.png")
    expect_loaded(thumbnail)
    with customer.expect_download() as download_info:
        customer_log.get_by_role("button", name="Download screenshot.png").click()
    # The server re-encoded the image: what comes back is a PNG of the same size.
    with Image.open(download_info.value.path()) as image:
        assert (image.format, image.size) == ("PNG", (64, 48))
    assert stored_files() == [("report.pdf", "customer"), ("screenshot.png", "agent")]

    # Dropped beside the conversation, a file is refused, not opened by the browser in place of the dashboard.
    beside = dashboard.get_by_role("heading", name=re.compile("Queue"))
    data = beside.evaluate_handle(MAKE_TRANSFER, as_file("stray.pdf", PDF, "application/pdf"))
    refused = beside.evaluate(
        """(heading, data) => {
            const event = new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true});
            heading.dispatchEvent(event);
            return event.defaultPrevented;
        }""",
        data,
    )
    assert refused
    expect(agent_log).not_to_contain_text("stray.pdf")
    assert len(stored_files()) == 2


def refused_message(language):
    """The server's own words for a file that is not what it claims (chat.conversations.file_checks)."""
    with translation.override(language):
        return re.compile(re.escape(str(translation.gettext("This kind of file cannot be sent here."))))


def test_a_refused_file_shows_the_servers_error_to_its_sender_and_nothing_to_the_other(server, host_site, new_page):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page)
    customer_log = widget.get_by_role("log", name="Messages")
    agent_log = dashboard.get_by_role("log", name="Messages")

    pick(customer, widget.get_by_role("button", name="Attach a file"), "invoice.png", HTML_AS_PNG, "image/png")
    expect(widget.get_by_role("alert").filter(has_text=refused_message("en"))).to_be_visible()
    # Refused for good: nothing to try again, only to remove.
    expect(widget.get_by_role("button", name="Try again to send invoice.png")).to_have_count(0)

    pick(dashboard, dashboard.get_by_role("button", name="Attach a file"), "label.png", HTML_AS_PNG, "image/png")
    expect(dashboard.get_by_role("alert").filter(has_text=refused_message("en"))).to_be_visible()

    # A message after both, so that anything the other side would have got is in by then.
    composer = dashboard.get_by_label("Message", exact=True)
    composer.fill("Anything else?")
    composer.press("Enter")
    expect(customer_log).to_contain_text("Anything else?")
    expect(customer_log).not_to_contain_text("label.png")
    expect(agent_log).not_to_contain_text("invoice.png")
    assert stored_files() == []

    widget.get_by_role("button", name="Remove invoice.png").click()
    expect(widget.get_by_text("invoice.png")).to_have_count(0)
    expect(widget.get_by_label("Message", exact=True)).to_be_focused()


def test_a_file_over_the_limit_is_refused_before_a_byte_is_sent(server, host_site, new_page):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page, attachment_max_mb=1)
    uploads = []
    customer.on("request", lambda request: uploads.append(request.url) if "/api/files" in request.url else None)
    dashboard.on("request", lambda request: uploads.append(request.url) if "/files" in request.url else None)
    big = PDF + b"0" * (1024 * 1024)

    pick(customer, widget.get_by_role("button", name="Attach a file"), "big.pdf", big, "application/pdf")
    expect(widget.get_by_role("alert")).to_have_text("big.pdf is too large. Files may be at most 1 MB.")
    pick(dashboard, dashboard.get_by_role("button", name="Attach a file"), "big.pdf", big, "application/pdf")
    expect(dashboard.get_by_role("alert").filter(has_text="big.pdf is too large")).to_have_text(
        "big.pdf is too large. Files may be at most 1 MB."
    )
    assert uploads == []
    assert stored_files() == []


def test_a_channel_without_files_shows_no_paperclip(server, host_site, new_page):
    _channel, dashboard, _customer, widget = open_chat(server, host_site, new_page, attachments_enabled=False)
    composer = widget.get_by_label("Message", exact=True)
    expect(composer).to_be_visible()
    expect(widget.get_by_role("button", name="Attach a file")).to_have_count(0)
    expect(dashboard.get_by_label("Message", exact=True)).to_be_visible()
    expect(dashboard.get_by_role("button", name="Attach a file")).to_have_count(0)


def test_in_german_both_sides_name_the_paperclip_the_card_and_the_error_in_german(server, host_site, new_page):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page, language="de")
    customer_log = widget.get_by_role("log", name="Nachrichten")

    pick(dashboard, dashboard.get_by_role("button", name="Datei anhängen"), "rechnung.pdf", PDF, "application/pdf")
    expect(customer_log).to_contain_text("PDF-Dokument")
    expect(customer_log.get_by_role("button", name="rechnung.pdf herunterladen")).to_be_visible()

    pick(customer, widget.get_by_role("button", name="Datei anhängen"), "foto.png", HTML_AS_PNG, "image/png")
    expect(widget.get_by_role("alert").filter(has_text=refused_message("de"))).to_be_visible()
    expect(widget.get_by_role("button", name="foto.png entfernen")).to_be_visible()


def test_the_widget_with_files_in_its_log_passes_axe_and_works_by_keyboard(server, host_site, new_page):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page)
    pick(dashboard, dashboard.get_by_role("button", name="Attach a file"), "invoice.pdf", PDF, "application/pdf")
    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log.get_by_role("button", name="Download invoice.pdf")).to_be_visible()

    # By keyboard: from the message box, Shift+Tab reaches the paperclip, Enter opens the picker.
    widget.get_by_label("Message", exact=True).focus()
    customer.keyboard.press("Shift+Tab")
    attach = widget.get_by_role("button", name="Attach a file")
    expect(attach).to_be_focused()
    with customer.expect_file_chooser() as chooser:
        # Through the locator, which waits for the frame: a bare key press can beat
        # Playwright's interception of the picker in the widget's (out-of-process) frame.
        attach.press("Enter")
    chooser.value.set_files(files=[{"name": "photo.png", "mimeType": "image/png", "buffer": png()}])
    expect_loaded(customer_log.get_by_role("img", name="photo.png"))
    expect(widget.get_by_label("Message", exact=True)).to_be_focused()

    axe.assert_no_blocking_violations(widget_frame(customer), "in the widget with files in the log")


def test_an_upload_whose_answer_is_lost_is_sent_again_with_its_client_id_and_stored_once(server, host_site, new_page):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page)
    attempts = []

    def answer_lost(route):
        # The server stores the file, then the connection drops before its answer arrives.
        attempts.append(route.request.url)
        route.fetch()
        route.abort("connectionreset")

    customer.route(re.compile(r"/api/files$"), answer_lost)
    pick(customer, widget.get_by_role("button", name="Attach a file"), "receipt.pdf", PDF, "application/pdf")
    expect(widget.get_by_role("alert")).to_have_text(
        "The file could not be sent. Please check your connection and try again."
    )
    assert stored_files() == [("receipt.pdf", "customer")]
    customer.unroute(re.compile(r"/api/files$"))
    widget.get_by_role("button", name="Try again to send receipt.pdf").click()

    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log.get_by_role("button", name="Download receipt.pdf")).to_have_count(1)
    expect(widget.get_by_role("alert")).to_have_count(0)
    agent_log = dashboard.get_by_role("log", name="Messages")
    expect(agent_log.get_by_role("link", name="Download receipt.pdf")).to_have_count(1)
    # Sent twice, stored once: the second upload carried the first one's client id.
    assert len(attempts) == 1
    assert stored_files() == [("receipt.pdf", "customer")]
    assert Message.objects.filter(kind=MessageKind.FILE).count() == 1


def test_an_upload_shows_its_progress_by_name_and_a_cancelled_one_is_not_stored(server, host_site, new_page):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page)
    held = []
    # The upload waits here, as a slow connection would keep it.
    dashboard.route(re.compile(r"/agent/chats/\d+/files$"), lambda route: held.append(route))

    pick(dashboard, dashboard.get_by_role("button", name="Attach a file"), "manual.pdf", PDF, "application/pdf")
    progress = dashboard.get_by_role("progressbar", name="Sending manual.pdf")
    expect(progress).to_be_visible()
    dashboard.get_by_role("button", name="Cancel sending manual.pdf").click()
    expect(progress).to_have_count(0)
    expect(dashboard.get_by_label("Message", exact=True)).to_be_focused()
    assert len(held) == 1

    # A text after it: the customer gets it, and no file before it.
    composer = dashboard.get_by_label("Message", exact=True)
    composer.fill("I will send the manual by e-mail.")
    composer.press("Enter")
    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log).to_contain_text("I will send the manual by e-mail.")
    expect(customer_log).not_to_contain_text("manual.pdf")
    assert stored_files() == []
