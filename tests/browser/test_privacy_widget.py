"""
Privacy in the widget, in Chromium (docs/privacy-widget.md): the consent
checkbox of the pre-chat and request forms, and a shared browser that shows
the next person nothing of the last one's chat, whether the chat ended and
the widget was closed or the host page called HelpdeskChat.forget().
"""

from playwright.sync_api import expect

from chat.configuration.models import ChannelPrivacyText
from chat.conversations.models import Chat, ChatStatus
from requests_app.models import Request
from tests.browser.pages import ask, fill_prechat, make_shop_channel, open_widget, shop_page
from tests.browser.test_journey import make_agent, open_dashboard, start_customer_chat
from tests.support.axe import assert_no_blocking_violations

QUESTION = "Where is my parcel number 4711?"
PRIVACY_URL = "https://shop.example/privacy"


def widget_frame(page, server):
    """The widget's iframe as a Frame (its storage is the helpdesk's, not the host page's)."""
    return next(frame for frame in page.frames if frame.url.startswith(f"{server.url}/chat/shop/"))


def stored_keys(page, server):
    return widget_frame(page, server).evaluate("Object.keys(localStorage).filter(k => k.startsWith('helpdesk.'))")


def expect_a_fresh_widget(page, server):
    """A reload and a click show the pre-chat form, empty, and nothing of the last chat; no token is stored."""
    page.reload()
    widget = open_widget(page)
    expect(widget.get_by_label("Name", exact=True)).to_be_visible()
    expect(widget.get_by_label("Name", exact=True)).to_have_value("")
    expect(widget.get_by_text(QUESTION)).to_have_count(0)
    expect(widget.get_by_role("log", name="Messages")).to_be_hidden()
    assert stored_keys(page, server) == []
    # The host page keeps only the loader's note whether the widget is open (sessionStorage).
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("Object.entries(sessionStorage)") == [["helpdesk.widget.shop", "open"]]
    return widget


def test_an_ended_chat_is_forgotten_when_the_customer_closes_the_widget(server, host_site, new_page):
    make_shop_channel(host_site)
    page, widget = start_customer_chat(new_page, server, host_site, QUESTION)
    assert "helpdesk.chat.shop" in stored_keys(page, server)
    assert page.context.cookies() == []  # none after the click either

    widget.get_by_role("button", name="End chat").click()
    widget.get_by_role("button", name="Yes, end the chat").click()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("You ended the chat.")
    # Ended, not yet closed: kept, with the time its token stops working.
    widget_frame(page, server).wait_for_function("() => localStorage.getItem('helpdesk.chat.shop.expires')")

    widget.get_by_role("button", name="Minimize chat").click()
    expect(page.locator("iframe[title]")).to_be_hidden()
    assert stored_keys(page, server) == []
    expect_a_fresh_widget(page, server)


def test_an_ended_chat_is_forgotten_when_closed_with_the_host_pages_button(server, host_site, new_page):
    make_shop_channel(host_site)
    page, widget = start_customer_chat(new_page, server, host_site, QUESTION)
    widget.get_by_role("button", name="End chat").click()
    widget.get_by_role("button", name="Yes, end the chat").click()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("You ended the chat.")

    page.get_by_role("button", name="Chat with us").click()
    expect(page.locator("iframe[title]")).to_be_hidden()
    widget_frame(page, server).wait_for_function("() => !localStorage.getItem('helpdesk.chat.shop')")
    expect_a_fresh_widget(page, server)


def test_a_stored_ended_chat_older_than_its_token_is_not_shown(server, host_site, new_page):
    make_shop_channel(host_site)
    page, widget = start_customer_chat(new_page, server, host_site, QUESTION)
    widget.get_by_role("button", name="End chat").click()
    widget.get_by_role("button", name="Yes, end the chat").click()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("You ended the chat.")
    frame = widget_frame(page, server)
    frame.wait_for_function("() => localStorage.getItem('helpdesk.chat.shop.expires')")
    # The tab was closed without closing the widget, and the token's time ran out meanwhile.
    frame.evaluate("localStorage.setItem('helpdesk.chat.shop.expires', String(Date.now() - 1000))")
    expect_a_fresh_widget(page, server)


def test_forget_from_the_host_page_during_an_active_chat(server, host_site, new_page):
    make_shop_channel(host_site, make_agent())
    dashboard = open_dashboard(new_page, server)
    page, widget = start_customer_chat(new_page, server, host_site, QUESTION)
    dashboard.get_by_role("button", name="Take next").click()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Anna joined the chat.")

    page.evaluate("window.HelpdeskChat.forget()")
    expect(page.locator("iframe[title]")).to_be_hidden()
    widget_frame(page, server).wait_for_function("() => !localStorage.getItem('helpdesk.chat.shop')")
    # The agent is not left waiting: the chat ends as the customer's.
    expect(dashboard.get_by_role("log", name="Messages")).to_contain_text("The customer ended the chat.")
    assert Chat.objects.get().status == ChatStatus.ENDED
    expect_a_fresh_widget(page, server)


def test_forget_works_on_a_page_where_the_widget_is_not_open(server, host_site, new_page):
    make_shop_channel(host_site)
    page, widget = start_customer_chat(new_page, server, host_site, QUESTION)
    widget.get_by_role("button", name="Minimize chat").click()
    # Hidden once the loader has heard "minimize" (a message) and noted it for the next page.
    expect(page.locator("iframe[title]")).to_be_hidden()
    page.reload()
    expect(page.get_by_role("button", name="Chat with us")).to_be_visible()
    expect(page.locator("iframe")).to_have_count(0)

    page.evaluate("window.HelpdeskChat.forget()")
    # A hidden frame of the widget forgets and is removed again.
    expect(page.locator("iframe")).to_have_count(0, timeout=10_000)
    expect_a_fresh_widget(page, server)


def test_the_consent_checkbox_is_required_and_links_the_privacy_notice(server, host_site, new_page):
    channel = make_shop_channel(host_site, consent_enabled=True)
    ChannelPrivacyText.objects.create(
        channel=channel, language="en", text="I agree that Shop processes my data.", link=PRIVACY_URL
    )
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    consent = widget.get_by_role("checkbox", name="I agree that Shop processes my data.")
    expect(consent).to_be_visible()
    link = widget.get_by_role("link", name="Privacy notice (opens in a new tab)")
    expect(link).to_have_attribute("href", PRIVACY_URL)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener")
    assert_no_blocking_violations(widget_frame(page, server), "on the pre-chat form with consent")

    fill_prechat(widget)
    expect(widget.get_by_role("alert")).to_have_text("Please agree to the privacy notice to continue.")
    expect(consent).to_be_focused()
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(consent).to_have_accessible_description("Please agree to the privacy notice to continue.")
    consent.press("Space")
    widget.get_by_role("button", name="Continue").click()
    ask(widget, QUESTION)
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    assert Chat.objects.get().consent_at is not None


def test_the_request_form_asks_for_consent_too(server, host_site, new_page):
    make_shop_channel(host_site, staffed=False, consent_enabled=True, request_enabled=True)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    # No privacy text for the channel: the default sentence.
    consent = widget.get_by_role("checkbox", name="I agree that my data is processed to answer my question.")
    expect(consent).to_be_visible()
    widget.get_by_role("textbox", name="Name").fill("Erika Mustermann")
    widget.get_by_role("textbox", name="E-mail").fill("erika@example.com")
    widget.get_by_role("textbox", name="Your question").fill(QUESTION)
    widget.get_by_role("button", name="Send request").click()
    expect(consent).to_have_accessible_description("Please agree to the privacy notice to continue.")
    assert not Request.objects.exists()
    consent.check()
    widget.get_by_role("button", name="Send request").click()
    expect(widget.get_by_text("Your request ID:")).to_be_visible()
    assert Request.objects.get().consent_at is not None
