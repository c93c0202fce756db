"""
While the server checks an e-mail address (the pre-chat form, the request
form), in Chromium: the button says so and takes no second click, a polite
status announces it, and the last error goes the moment a new check starts or
the address changes. The check is held back in the browser (a routed request
answered only when the test lets it go), as a slow nameserver would.
"""

import re

import pytest
from playwright.sync_api import expect

from requests_app.models import Request
from tests.browser.pages import make_shop_channel, open_widget, shop_page

NO_SUCH_DOMAIN = "The domain no-such-shop-domain.com does not exist. Please check the address."

WORDS = {
    "en": {
        "button": "Chat with us",
        "email": "E-mail",
        "continue": "Continue",
        "checking": "Checking…",
        "announced": "Checking your e-mail address…",
        "no_such_domain": NO_SUCH_DOMAIN,
        "question": "Your question",
    },
    "de": {
        "button": "Chatten Sie mit uns",
        "email": "E-Mail",
        "continue": "Weiter",
        "checking": "Wird geprüft …",
        "announced": "Ihre E-Mail-Adresse wird geprüft …",
        "no_such_domain": "Die Domain no-such-shop-domain.com existiert nicht. Bitte überprüfen Sie die Adresse.",
        "question": "Ihre Frage",
    },
}


class HeldBack:
    """Requests to one endpoint wait in the browser until released (while holding is on)."""

    def __init__(self, page, path):
        self.holding = False
        self.routes = []
        page.route(re.compile(re.escape(path) + "$"), self._handle)

    def _handle(self, route):
        if self.holding:
            self.routes.append(route)
        else:
            route.continue_()

    def wait_for_one(self, page):
        for _ in range(100):
            if self.routes:
                return
            page.wait_for_timeout(50)
        raise AssertionError("no request was held back")

    def release(self):
        self.holding = False
        while self.routes:
            self.routes.pop(0).continue_()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_prechat_form_says_it_is_checking_and_drops_old_errors(server, host_site, new_page, language):
    words = WORDS[language]
    make_shop_channel(host_site, language=language, button_label=words["button"])
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    held = HeldBack(page, "/api/form")
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page, label=words["button"])
    email = widget.get_by_label(words["email"], exact=True)
    widget.get_by_label("Name", exact=True).fill("Erika Mustermann")
    email.fill("erika@no-such-shop-domain.com")
    widget.get_by_role("button", name=words["continue"]).click()
    error = widget.get_by_text(words["no_such_domain"])
    alert = widget.locator("#hd-form-error")
    expect(error).to_be_visible()
    expect(alert).not_to_be_empty()

    # The same address again, and the nameserver is slow: the old error goes at once.
    held.holding = True
    widget.get_by_role("button", name=words["continue"]).click()
    held.wait_for_one(page)
    button = widget.get_by_role("button", name=words["checking"])
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_have_attribute("aria-disabled", "true")
    expect(widget.get_by_role("status").filter(has_text=words["announced"])).to_have_count(1)
    expect(error).to_be_hidden()
    expect(alert).to_be_empty()
    expect(email).not_to_have_attribute("aria-invalid", "true")
    email.press("Enter")  # sending the form again sends nothing more
    page.wait_for_timeout(200)
    assert len(held.routes) == 1
    held.release()
    expect(error).to_be_visible()
    expect(widget.get_by_role("button", name=words["continue"])).to_have_attribute("aria-busy", "false")
    expect(widget.get_by_role("status").filter(has_text=words["announced"])).to_have_count(0)

    # A new address: the error, and the form's message with it, go as it is typed.
    email.press_sequentially("x")
    expect(error).to_be_hidden()
    expect(alert).to_be_empty()

    # Edited while a check is under way: that check's answer is of no use any more.
    email.fill("erika@no-such-shop-domain.com")
    held.holding = True
    widget.get_by_role("button", name=words["continue"]).click()
    held.wait_for_one(page)
    email.fill("erika@example.com")
    expect(widget.get_by_role("button", name=words["continue"])).to_have_attribute("aria-busy", "false")
    held.release()
    page.wait_for_timeout(300)
    expect(error).to_be_hidden()

    widget.get_by_role("button", name=words["continue"]).click()
    expect(widget.get_by_label(words["question"])).to_be_focused()


def test_the_request_form_says_it_is_checking_and_drops_old_errors(server, host_site, new_page):
    make_shop_channel(host_site, staffed=False, request_enabled=True, request_header="Leave us a message")
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    held = HeldBack(page, "/api/request")
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    expect(widget.get_by_role("heading", name="Leave us a message")).to_be_visible()
    email = widget.get_by_label("E-mail", exact=True).last
    widget.get_by_label("Name", exact=True).last.fill("Erika Mustermann")
    email.fill("erika@no-such-shop-domain.com")
    widget.get_by_label("Your question").last.fill("Can I return shoes?")
    widget.get_by_role("button", name="Send request").click()
    error = widget.get_by_text(NO_SUCH_DOMAIN)
    alert = widget.locator("#hd-request-error")
    expect(error).to_be_visible()
    expect(alert).not_to_be_empty()

    held.holding = True
    widget.get_by_role("button", name="Send request").click()
    held.wait_for_one(page)
    button = widget.get_by_role("button", name="Checking…")
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_have_attribute("aria-disabled", "true")
    expect(widget.get_by_role("status").filter(has_text="Checking your e-mail address…")).to_have_count(1)
    expect(error).to_be_hidden()
    expect(alert).to_be_empty()
    email.press("Enter")
    page.wait_for_timeout(200)
    assert len(held.routes) == 1
    held.release()
    expect(error).to_be_visible()

    email.press_sequentially("x")
    expect(error).to_be_hidden()
    expect(alert).to_be_empty()

    email.fill("erika@example.com")
    widget.get_by_role("button", name="Send request").click()
    status = widget.get_by_role("status").filter(has_text="Your request ID")
    expect(status).to_be_visible()
    assert Request.objects.count() == 1
