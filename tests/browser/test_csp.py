"""
The Content-Security-Policy in Chromium: the dashboard, the admin, the demo
host page and the widget (on its own site and on another) run without a single
violation, while code injected into a page is refused.

Violations are recorded twice: the securitypolicyviolation event of every
document and frame (an init script reports it to the console), and Chromium's
own console messages, which also cover refusals no document sees (a page
that may not be framed never loads).
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from chat.conversations.models import Chat, ChatStatus
from faq.models import Category, ChannelCategory, Entry
from requests_app.models import ReplyTemplate
from tests.browser.pages import (
    agent_login,
    ask,
    fill_prechat,
    make_shop_channel,
    open_widget,
    send_as_customer,
    shop_page,
)
from tests.support.servers import DaphneProcess, server_environment

REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', function (event) {
  console.error('CSP violation: ' + event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline')
                + ' in ' + event.documentURI);
});
"""
VIOLATION = re.compile(r"CSP violation|Content Security Policy")
PASSWORD = "boss-password-123"


@pytest.fixture
def server(dns_server, transactional_db):
    """The project with its demo host page at "/"."""
    process = DaphneProcess(
        server_environment(dns_server.address, HELPDESK_DEMO_PAGE="true"), name="daphne-csp"
    ).start()
    yield process
    process.stop()


@pytest.fixture
def watched_page(new_page):
    """Pages whose policy violations, in the page and its frames, end up in the returned list."""
    violations = []

    def make():
        page = new_page()
        page.context.add_init_script(REPORT_VIOLATIONS)
        page.on("console", lambda message: violations.append(message.text) if VIOLATION.search(message.text) else None)
        return page

    return make, violations


def make_boss(channel):
    """An administrator who is also an agent of the channel."""
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD, first_name="Bea")
    channel.memberships.create(user=boss)
    return boss


def admin_content(channel):
    """Something on each admin page the test visits: a rated chat, a reply template, an FAQ entry."""
    Chat.objects.create(
        channel=channel,
        token_hash="0" * 64,
        customer_name="Rita",
        customer_email="rita@example.com",
        status=ChatStatus.ENDED,
        ended_at=timezone.now(),
        rating=4,
    )
    template = ReplyTemplate.objects.create(
        name="Confirmation",
        purpose="request_confirmation",
        subject="Your request {request_id}",
        body="Hello {customer_name}",
    )
    category = Category.objects.create(name="Returns")
    ChannelCategory.objects.create(channel=channel, category=category)
    entry = Entry.objects.create(
        category=category, question="How do I return an item?", answer="<p>With the <strong>label</strong>.</p>"
    )
    return template, entry


def wait_for_report(page, violations, text, timeout=5):
    """Until a recorded violation contains ``text`` (reports arrive after the fact)."""
    for _ in range(int(timeout / 0.05)):
        if any(text in violation for violation in violations):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"no violation with {text!r} reported: {violations}")


def csp_headers(response):
    return [
        header["value"] for header in response.headers_array() if header["name"].lower() == "content-security-policy"
    ]


def test_dashboard_admin_demo_page_and_widget_run_without_a_policy_violation(server, host_site, watched_page):
    make_page, violations = watched_page
    channel = make_shop_channel(host_site, color="#1a73e8")
    make_boss(channel)
    template, entry = admin_content(channel)

    # The dashboard, live over its websocket under connect-src 'self'.
    dashboard = make_page()
    agent_login(dashboard, server, "boss", PASSWORD)
    expect(dashboard.get_by_role("status").filter(has_text=re.compile("Connected"))).to_be_visible()
    dashboard.get_by_label("Status").select_option("present")

    # The admin, logged in through its own form.
    admin = make_page()
    admin.goto(f"{server.url}/admin/login/")
    admin.get_by_label("Username").fill("boss")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    expect(admin.get_by_role("heading", name="Site administration")).to_be_visible()

    admin.goto(f"{server.url}/admin/chat/channel/{channel.pk}/change/")
    preview = admin.locator(".helpdesk-color-preview")
    expect(preview).to_have_css("background-color", "rgb(26, 115, 232)")
    snippet = admin.get_by_role("textbox", name="embed snippet")
    snippet.click()
    assert snippet.evaluate("box => box.selectionStart === 0 && box.selectionEnd === box.value.length")
    # The admin's own scripts run: "Add another" adds a row (with the browser's date input).
    admin.get_by_role("button", name=re.compile("Add another holiday or special date", re.IGNORECASE)).click()
    added = admin.locator(".dynamic-special_dates").last.get_by_label("Date", exact=True)
    expect(added).to_have_attribute("type", "date")

    admin.goto(f"{server.url}/admin/chat/chat/")
    expect(admin.get_by_role("heading", name="Average rating of the chats shown")).to_be_visible()
    expect(admin.locator("#rating-summary caption").first).to_have_css("text-align", "left")
    admin.goto(f"{server.url}/admin/requests_app/replytemplate/{template.pk}/change/")
    expect(admin.frame_locator("iframe[title='HTML preview']").get_by_text("Hello Erika Mustermann")).to_be_visible()
    admin.goto(f"{server.url}/admin/faq/entry/{entry.pk}/change/")
    expect(admin.locator(".helpdesk-faq-preview")).to_have_css("max-width", "360px")

    # The demo host page with the widget from its own site.
    demo = make_page()
    widget_responses = []
    demo.on(
        "response", lambda response: widget_responses.append(response) if response.url.endswith("/chat/shop/") else None
    )
    demo.goto(f"{server.url}/")
    expect(demo.get_by_role("heading", name="Welcome to the Demo Shop")).to_be_visible()
    expect(demo.locator(".demo-box")).to_have_css("border-top-style", "dashed")
    expect(demo.get_by_role("button", name="Chat with us")).to_have_css("position", "fixed")
    widget = open_widget(demo)
    fill_prechat(widget, name="Dora Demo", email="dora@example.com")
    ask(widget, "Does the demo work?")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    assert len(widget_responses) == 1 and len(csp_headers(widget_responses[0])) == 1

    # A website of another origin: the widget in its iframe, a chat both ways.
    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = make_page()
    customer.goto(f"{host_site.origin}/index.html")
    other_widget = open_widget(customer)
    fill_prechat(other_widget)
    ask(other_widget, "My parcel has not arrived.")
    expect(other_widget.get_by_text("You are number 2 in the queue.")).to_be_visible()
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()
    composer = dashboard.get_by_label("Message", exact=True)
    composer.fill("Let me check that for you.")
    composer.press("Enter")
    customer_log = other_widget.get_by_role("log", name="Messages")
    expect(customer_log).to_contain_text("Let me check that for you.")
    send_as_customer(other_widget, "Thank you!")
    expect(dashboard.get_by_role("log", name="Messages")).to_contain_text("Thank you!")

    assert violations == []


def test_an_image_in_the_widget_shows_from_a_blob_url_without_a_policy_violation(server, host_site, watched_page):
    """The widget fetches a chat's image with the token in a header and shows its bytes (img-src blob:)."""
    make_page, violations = watched_page
    channel = make_shop_channel(host_site)
    make_boss(channel)
    dashboard = make_page()
    agent_login(dashboard, server, "boss", PASSWORD)
    dashboard.get_by_label("Status").select_option("present")
    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = make_page()
    customer.goto(f"{host_site.origin}/index.html")
    widget = open_widget(customer)
    fill_prechat(widget)
    ask(widget, "Here is a photo of the parcel.")
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Bea joined the chat.")

    photo = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(photo, "PNG")
    with customer.expect_file_chooser() as chooser:
        widget.get_by_role("button", name="Attach a file").click()
    chooser.value.set_files(files=[{"name": "parcel.png", "mimeType": "image/png", "buffer": photo.getvalue()}])
    for image in (
        widget.get_by_role("log", name="Messages").get_by_role("img", name="parcel.png"),
        dashboard.get_by_role("log", name="Messages").get_by_role("img", name="parcel.png"),
    ):
        expect(image).to_be_visible()
        # Retried until drawn: an <img> is "complete" before the widget's fetch has given it a src.
        expect(image).to_have_js_property("naturalWidth", 32)
    assert widget.get_by_role("img", name="parcel.png").get_attribute("src").startswith("blob:")
    assert violations == []


INJECT = """() => {
    const script = document.createElement('script');
    script.textContent = 'window.injected = true';
    document.body.appendChild(script);
    document.body.insertAdjacentHTML('beforeend', '<p id="styled" style="color: rgb(255, 0, 0)">red?</p>');
}"""


def test_injected_inline_code_is_refused_and_reported(server, watched_page):
    make_page, violations = watched_page
    page = make_page()
    page.goto(f"{server.url}/accounts/login/")

    page.evaluate(INJECT)

    wait_for_report(page, violations, "script-src-elem blocked inline in " + f"{server.url}/accounts/login/")
    wait_for_report(page, violations, "style-src-attr blocked inline")
    assert page.evaluate("window.injected") is None
    expect(page.locator("#styled")).not_to_have_css("color", "rgb(255, 0, 0)")


def test_injected_inline_code_in_the_widgets_frame_is_refused_and_reported(server, host_site, watched_page):
    make_page, violations = watched_page
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = make_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    expect(widget.get_by_label("Name", exact=True)).to_be_visible()
    frame = page.frame(url=f"{server.url}/chat/shop/")

    frame.evaluate(INJECT)

    wait_for_report(page, violations, f"script-src-elem blocked inline in {server.url}/chat/shop/")
    assert frame.evaluate("window.injected") is None


def test_a_page_other_than_the_widget_may_not_be_framed_even_by_an_allowed_website(server, host_site, watched_page):
    make_page, violations = watched_page
    make_shop_channel(host_site)
    host_site.add_page(
        "frames.html",
        f"<!DOCTYPE html><title>Frames</title><iframe title='widget' src='{server.url}/chat/shop/'></iframe>"
        f"<iframe title='login' src='{server.url}/accounts/login/'></iframe>",
    )
    page = make_page()

    page.goto(f"{host_site.origin}/frames.html")

    expect(page.frame_locator("iframe[title='widget']").get_by_label("Name", exact=True)).to_be_attached()
    wait_for_report(page, violations, "frame-ancestors")
    expect(page.frame_locator("iframe[title='login']").get_by_label("Username")).to_have_count(0)


def test_a_customer_site_with_a_strict_policy_needs_no_inline_style_for_the_button(server, host_site, watched_page):
    """The loader styles its button with a constructed style sheet: `style-src 'none'` on the host page blocks nothing."""
    make_page, violations = watched_page
    make_shop_channel(host_site)
    policy = f"default-src 'none'; script-src {server.url}; connect-src {server.url}; frame-src {server.url}; style-src 'none'"
    host_site.add_page(
        "strict.html",
        shop_page(server, "shop").replace(
            "<head>", f'<head><meta http-equiv="Content-Security-Policy" content="{policy}">'
        ),
    )
    page = make_page()
    page.goto(f"{host_site.origin}/strict.html")
    button = page.get_by_role("button", name="Chat with us")
    expect(button).to_have_css("position", "fixed")
    widget = open_widget(page)
    expect(widget.get_by_label("Name", exact=True)).to_be_visible()
    expect(page.locator("iframe[title]")).to_have_css("position", "fixed")
    assert violations == []
