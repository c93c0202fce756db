"""The chat button costs the host page almost nothing before the click."""

import gzip

from playwright.sync_api import expect

from tests.browser.pages import make_shop_channel, open_widget, shop_page
from tests.support.servers import PROJECT_DIR

LOADER_BUDGET_BYTES = 3 * 1024


def test_the_loader_is_at_most_3_kb_gzipped():
    source = (PROJECT_DIR / "static/widget/loader.js").read_bytes()
    assert len(gzip.compress(source, compresslevel=9)) <= LOADER_BUDGET_BYTES


def test_before_the_click_no_cookie_no_storage_no_websocket(server, host_site, new_page):
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    sockets, requests = [], []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{host_site.origin}/index.html")
    button = page.get_by_role("button", name="Chat with us")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    page.wait_for_timeout(500)
    assert sockets == []
    assert page.context.cookies() == []
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert not any("/chat/shop/" == url.split(server.url)[-1] for url in requests), "no iframe before the click"

    widget = open_widget(page)
    expect(widget.get_by_label("Name", exact=True)).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")


def test_no_button_on_a_website_that_is_not_allowed(server, host_site, new_page):
    make_shop_channel(host_site)
    from chat.configuration.models import Channel

    Channel.objects.filter(slug="shop").update(allowed_origins="https://somewhere-else.example")
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    page.wait_for_timeout(1000)
    expect(page.get_by_role("button", name="Chat with us")).to_have_count(0)


def test_the_widget_fills_the_screen_on_a_phone(server, host_site, new_page):
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page(viewport={"width": 390, "height": 740})
    page.goto(f"{host_site.origin}/index.html")
    open_widget(page)
    box = page.locator("iframe[title]").bounding_box()
    assert box["width"] >= 389 and box["height"] >= 700
