"""
A website owner's first try on a page the channel does not allow: the
console says which admin setting to change, the channel's admin page lists
the page's origin, and "Allow" there brings the button.
"""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.pages import make_shop_channel, shop_page
from tests.support import axe

PASSWORD = "admin-password-123"


def test_a_refused_page_says_why_in_the_console_and_the_admin_allows_it(server, host_site, new_page):
    channel = make_shop_channel(host_site)
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    host_site.add_page("index.html", shop_page(server, "shop"))
    # The channel allows http://127.0.0.1:<port>; the same page as http://localhost:<port> is another origin.
    port = host_site.server.server_address[1]
    refused_origin = f"http://localhost:{port}"

    page = new_page()
    warnings = []
    page.on("console", lambda message: message.type == "warning" and warnings.append(message.text))
    with page.expect_console_message(lambda message: message.type == "warning"):
        page.goto(f"{refused_origin}/index.html")
    (hint,) = warnings
    assert refused_origin in hint and "“Allowed website origins”" in hint
    expect(page.get_by_role("button", name="Chat with us")).to_have_count(0)

    admin = new_page(viewport={"width": 1280, "height": 800})
    admin.goto(f"{server.url}/admin/login/?next=/admin/chat/channel/{channel.pk}/change/")
    admin.get_by_label("Username").fill("root")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    refused = admin.get_by_role("table", name=re.compile("^Pages on these websites asked for the chat button"))
    row = refused.get_by_role("row", name=refused_origin)
    expect(row).to_contain_text("1")
    axe.assert_no_blocking_violations(admin, "on the channel's page with a refused origin")

    row.get_by_role("button", name="Allow").click()
    expect(admin.locator(".messagelist")).to_contain_text(f"may now be shown on {refused_origin}")
    expect(admin.get_by_label("Allowed website origins")).to_have_value(f"{host_site.origin}\n{refused_origin}")
    expect(admin.get_by_text("No website was refused in the last 30 days.")).to_be_visible()

    page.reload()
    expect(page.get_by_role("button", name="Chat with us")).to_be_visible()
    assert len(warnings) == 1, warnings
