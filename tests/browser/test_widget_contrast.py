"""
The customer's own messages on the channel's colour: name, time and text
readable (WCAG AA, 4.5:1 at the widget's 12 px) for any colour an
administrator may pick, checked by axe-core in Chromium on the real widget.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.test_files import open_chat, widget_frame
from tests.support import axe

# Blue (the default), a mid orange and a mid grey (where black and white
# contrast almost equally), a teal, a yellow and a dark purple.
COLOURS = ["#1a73e8", "#e8711a", "#808080", "#00a3a3", "#ffcc00", "#6a1b9a"]


@pytest.mark.parametrize("colour", COLOURS)
def test_the_customers_own_messages_are_readable_on_the_channels_colour(server, host_site, new_page, colour):
    _channel, dashboard, customer, widget = open_chat(server, host_site, new_page, color=colour)
    composer = widget.get_by_label("Message", exact=True)
    composer.fill("Thank you, and the invoice?")
    composer.press("Enter")
    log = widget.get_by_role("log", name="Messages")
    expect(log.locator(".hd-msg-own").last).to_contain_text("Thank you, and the invoice?")
    expect(log.locator(".hd-msg-own .hd-delivery")).to_have_count(0)  # stored, no "Sending…" left
    found = [v for v in axe.violations(widget_frame(customer)) if v["id"] == "color-contrast"]
    assert not found, f"on {colour}:\n{axe.describe(found)}"
