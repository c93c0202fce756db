"""
Knowing the customer, in Chromium: the panel beside the conversation shows
the page the chat started on, the browser and the customer's clock, and an
earlier chat; the agent searches the history and opens that chat by keyboard.
"""

import re

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from chat.conversations.models import Chat, ChatStatus, Message, Party, hash_token
from tests.browser.pages import agent_login, ask, fill_prechat, make_shop_channel, open_widget, shop_page


def earlier_chat(channel):
    """Erika's chat of last week, written to the tables directly (no channel layer from this thread)."""
    last_week = timezone.now() - timezone.timedelta(days=7)
    chat = Chat.objects.create(
        channel=channel,
        status=ChatStatus.ENDED,
        token_hash=hash_token(Chat.new_token()),
        customer_name="Erika Mustermann",
        customer_email="erika@example.com",
        rating=4,
        ended_at=last_week,
        last_seq=1,
    )
    Chat.objects.filter(pk=chat.pk).update(created_at=last_week)
    Message.objects.create(chat=chat, seq=1, author=Party.CUSTOMER, body="Meine Rechnung fehlt noch.")
    return chat


def test_the_panel_shows_page_browser_and_previous_chat_and_the_history_opens_by_keyboard(server, host_site, new_page):
    agent = get_user_model().objects.create_user(username="anna", password="agent-password-123", first_name="Anna")
    channel = make_shop_channel(host_site, agent)
    earlier = earlier_chat(channel)

    dashboard = new_page(viewport={"width": 1024, "height": 768})
    agent_login(dashboard, server, "anna")
    expect(dashboard.get_by_role("status").filter(has_text=re.compile("Connected"))).to_be_visible()
    dashboard.get_by_label("Status").select_option("present")

    host_site.add_page("index.html", shop_page(server, "shop", title="Winter sale"))
    customer = new_page(timezone_id="Europe/Vienna")
    customer.goto(f"{host_site.origin}/index.html#top")
    widget = open_widget(customer)
    fill_prechat(widget)
    ask(widget, "Is the sale still on?")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()

    dashboard.get_by_role("button", name="Take next").click()
    expect(dashboard.get_by_role("log", name="Messages")).to_contain_text("Is the sale still on?")

    panel = dashboard.locator("#customer-panel")
    # At 768 px tall the panel starts folded, its summary still says the essentials; the agent opens it.
    summary = panel.get_by_text("About the customer")
    expect(summary).to_contain_text(re.compile(r"Chrome [\d.]+ · \d\d:\d\d.*\(Europe/Vienna\) · earlier chats: 1"))
    summary.focus()
    dashboard.keyboard.press("Enter")
    page_link = panel.get_by_role("link", name="Winter sale")
    expect(page_link).to_have_attribute("href", f"{host_site.origin}/index.html")
    expect(page_link).to_have_attribute("rel", "noopener noreferrer")
    expect(page_link).to_have_attribute("target", "_blank")
    expect(panel.get_by_text(re.compile(r"Chrome.* on Linux"))).to_be_visible()
    expect(panel.get_by_text(re.compile(r"^\d\d:\d\d( [AP]M)? \(Europe/Vienna\)$"))).to_be_visible()
    previous = panel.get_by_role("link", name=re.compile(r"· Shop$"))
    expect(previous).to_have_attribute("href", f"/agent/history/{earlier.pk}/")
    expect(panel.get_by_text("Rating: 4 of 5", exact=False)).to_be_visible()
    chat = Chat.objects.exclude(pk=earlier.pk).get()
    assert chat.page_url == f"{host_site.origin}/index.html"
    assert chat.customer_time_zone == "Europe/Vienna"

    # At 1,024 px the three columns and the panel fit: nothing scrolls sideways.
    assert dashboard.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = panel.bounding_box()
    assert box["x"] + box["width"] <= 1024

    # The search by keyboard: a new tab with the results, the earlier chat opened with Enter.
    search = dashboard.get_by_role("searchbox", name="Search past chats")
    search.focus()
    search.press_sequentially("Rechnung")
    with dashboard.context.expect_page() as opened:
        search.press("Enter")
    results = opened.value
    expect(results.get_by_role("heading", name="Past chats", level=1)).to_be_visible()
    expect(results.get_by_role("searchbox", name="Search")).to_have_value("Rechnung")
    rows = results.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # the header and the one chat with the word
    results.get_by_role("link", name="Erika Mustermann").focus()
    results.keyboard.press("Enter")
    expect(results.get_by_role("heading", name="Chat with Erika Mustermann", level=1)).to_be_visible()
    expect(results).to_have_url(re.compile(rf"/agent/history/{earlier.pk}/$"))
    expect(results.get_by_role("list").filter(has_text="Meine Rechnung fehlt noch.")).to_be_visible()
    expect(results.get_by_text("4 of 5")).to_be_visible()


def test_in_german_at_1024_px_the_panel_and_the_search_fit_without_clipping(server, host_site, new_page):
    agent = get_user_model().objects.create_user(username="anna", password="agent-password-123", first_name="Anna")
    channel = make_shop_channel(host_site, agent)
    earlier_chat(channel)
    now = timezone.now()
    current = Chat.objects.create(
        channel=channel,
        status=ChatStatus.ACTIVE,
        agent=agent,
        accepted_at=now,
        token_hash=hash_token(Chat.new_token()),
        customer_name="Erika Mustermann",
        customer_email="erika@example.com",
        page_url="https://shop.example/winterschlussverkauf-mit-einem-sehr-langen-namen-der-umbrechen-muss",
        page_title="Winterschlussverkauf",
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        customer_time_zone="Europe/Berlin",
        last_seq=1,
    )
    Message.objects.create(chat=current, seq=1, author=Party.CUSTOMER, body="Hallo")

    dashboard = new_page(viewport={"width": 1024, "height": 768}, locale="de-DE")
    dashboard.goto(f"{server.url}/agent/")
    dashboard.get_by_label("Benutzername").fill("anna")
    dashboard.get_by_label("Passwort").fill("agent-password-123")
    dashboard.get_by_label("Passwort").press("Enter")
    expect(dashboard.get_by_role("status").filter(has_text="Verbunden")).to_be_visible()
    dashboard.get_by_role("button", name=re.compile("Erika Mustermann")).first.click()

    panel = dashboard.locator("#customer-panel")
    expect(panel.get_by_text("Über den Kunden")).to_contain_text("frühere Chats: 1")
    panel.get_by_text("Über den Kunden").click()
    expect(panel.get_by_role("link", name="Winterschlussverkauf")).to_be_visible()
    expect(panel.get_by_text("Firefox 121 unter Windows 10")).to_be_visible()
    expect(panel.get_by_role("heading", name="Frühere Chats")).to_be_visible()
    expect(dashboard.get_by_role("searchbox", name="Frühere Chats durchsuchen")).to_be_visible()
    assert dashboard.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # No label of the panel or of the search is cut off: each shows all of its text.
    clipped = dashboard.evaluate(
        """() => Array.from(document.querySelectorAll(
              '#customer-panel summary, #customer-panel dt, #customer-panel h4, #customer-panel a, .topsearch button'))
            .filter((node) => node.offsetParent !== null && node.scrollWidth > node.clientWidth + 1)
            .map((node) => node.textContent)"""
    )
    assert clipped == []
