"""
A channel that speaks a second language (its texts in the admin): a browser
that prefers it gets the button and the widget in it, another browser the
channel's own language.
"""

import pytest
from playwright.sync_api import expect

from chat.configuration.models import ChannelText
from tests.browser.pages import make_shop_channel, open_widget, shop_page


@pytest.fixture
def bilingual_shop(server, host_site):
    channel = make_shop_channel(host_site, language="en")
    ChannelText.objects.create(
        channel=channel, language="de", button_label="Schreiben Sie uns", header_title="Shop-Hilfe"
    )
    host_site.add_page("index.html", shop_page(server, "shop"))
    return channel


def test_a_german_browser_gets_the_german_button_and_widget(bilingual_shop, host_site, new_page):
    page = new_page(locale="de-DE", extra_http_headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page, label="Schreiben Sie uns")
    expect(widget.get_by_role("heading", name="Shop-Hilfe")).to_be_visible()
    expect(widget.get_by_role("button", name="Weiter")).to_be_visible()
    expect(widget.locator("html")).to_have_attribute("lang", "de")


def test_an_english_browser_gets_the_channels_own_texts(bilingual_shop, host_site, new_page):
    page = new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"})
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page, label="Chat with us")
    expect(widget.get_by_role("heading", name="Shop service")).to_be_visible()
    expect(widget.get_by_role("button", name="Continue")).to_be_visible()
