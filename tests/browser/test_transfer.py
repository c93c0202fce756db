"""
Handing a chat over in Chromium: Anna transfers it by keyboard from the chat
menu, Ben accepts the offer in his dashboard, the customer sees the handover,
and Ben writes. And the dialog in German at 1,024 px.
"""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.configuration.models import ChannelMembership
from chat.conversations.models import Chat, ChatNote, ChatTransfer
from tests.browser.pages import agent_login, ask, fill_prechat, make_shop_channel, open_widget, shop_page


def make_agent(username, first_name):
    return get_user_model().objects.create_user(username=username, password="agent-password-123", first_name=first_name)


def open_dashboard(new_page, server, username, **options):
    page = new_page(**options)
    if options.get("locale") == "de-DE":
        page.goto(f"{server.url}/agent/")
        page.get_by_label("Benutzername").fill(username)
        page.get_by_label("Passwort").fill("agent-password-123")
        page.get_by_role("button", name="Anmelden").click()
    else:
        agent_login(page, server, username)
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    page.locator("#presence-select").select_option("present")
    return page


def test_anna_hands_the_chat_to_ben_by_keyboard_and_ben_takes_over(server, host_site, new_page):
    anna, ben = make_agent("anna", "Anna"), make_agent("ben", "Ben")
    channel = make_shop_channel(host_site, anna)
    ChannelMembership.objects.create(channel=channel, user=ben)
    anna_page = open_dashboard(new_page, server, "anna")
    ben_page = open_dashboard(new_page, server, "ben")

    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = new_page()
    customer.goto(f"{host_site.origin}/index.html")
    widget = open_widget(customer)
    fill_prechat(widget)
    ask(widget, "I would like a refund.")
    anna_page.get_by_role("button", name="Take Erika Mustermann").click()
    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log).to_contain_text("Anna joined the chat.")
    # Ben is in Anna's team, present, with no chats yet.
    expect(anna_page.get_by_role("region", name="Team")).to_contain_text(re.compile(r"Ben\s*Present\s*0 of 3 chats"))

    # The chat menu, by keyboard: open it, down to "Transfer…", Enter.
    anna_page.get_by_role("button", name="Chat menu").focus()
    anna_page.keyboard.press("Enter")
    expect(anna_page.get_by_role("menuitem", name="Create request")).to_be_focused()
    anna_page.keyboard.press("ArrowDown")
    expect(anna_page.get_by_role("menuitem", name="Transfer…")).to_be_focused()
    anna_page.keyboard.press("Enter")
    dialog = anna_page.get_by_role("dialog", name="Transfer the chat")
    expect(dialog).to_be_visible()
    colleague = dialog.get_by_label("Colleague", exact=True)
    expect(colleague).to_be_focused()
    expect(colleague.locator("option")).to_have_text(["Ben (0 of 3 chats)"])
    anna_page.keyboard.press("Tab")  # past the colleague, to the note
    expect(dialog.get_by_label("Note to the receiver (optional)")).to_be_focused()
    anna_page.keyboard.type("Wants a refund for order A-17")
    anna_page.keyboard.press("Tab")
    anna_page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Transfer")).to_be_focused()
    anna_page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(anna_page.get_by_text("Offered to Ben. Waiting for an answer…")).to_be_visible()

    offer = ben_page.get_by_role("dialog", name="A colleague offers you a chat")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Anna offers you the chat with Erika Mustermann (Shop).")
    expect(offer).to_contain_text("Note: Wants a refund for order A-17")
    expect(offer).to_contain_text(re.compile(r"\d+ seconds left to answer\."))
    expect(offer.get_by_role("button", name="Accept")).to_be_focused()
    ben_page.keyboard.press("Enter")

    expect(customer_log).to_contain_text("Anna handed the chat to Ben.")
    ben_log = ben_page.get_by_role("log", name="Messages")
    expect(ben_log).to_contain_text("I would like a refund.")
    expect(ben_log).to_contain_text("Anna handed the chat to Ben.")
    expect(ben_page.get_by_text("Note from Anna: Wants a refund for order A-17")).to_be_visible()
    expect(anna_page.get_by_role("alert")).to_have_text("Ben now has the chat with Erika Mustermann.")
    expect(anna_page.get_by_role("list", name="My chats").get_by_role("listitem")).to_have_count(0)

    composer = ben_page.get_by_label("Message", exact=True)
    expect(composer).to_be_focused()
    composer.fill("Hello, this is Ben. I will refund it today.")
    composer.press("Enter")
    expect(customer_log).to_contain_text("Hello, this is Ben. I will refund it today.")

    chat = Chat.objects.get()
    assert chat.agent == ben
    assert ChatTransfer.objects.get().status == "accepted"
    assert ChatNote.objects.filter(chat=chat, body="Wants a refund for order A-17").exists()


def test_the_transfer_dialog_and_the_team_fit_at_1024_px_in_german(server, host_site, new_page):
    anna, ben = make_agent("anna", "Anna"), make_agent("ben", "Benedikt-Maximilian")
    channel = make_shop_channel(host_site, anna)
    ChannelMembership.objects.create(channel=channel, user=ben)
    german = {
        "viewport": {"width": 1024, "height": 768},
        "locale": "de-DE",
        "extra_http_headers": {"Accept-Language": "de"},
    }
    open_dashboard(new_page, server, "ben", **german)
    page = open_dashboard(new_page, server, "anna", **german)
    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = new_page()
    customer.goto(f"{host_site.origin}/index.html")
    widget = open_widget(customer)
    fill_prechat(widget)
    ask(widget, "Hallo?")
    page.get_by_role("button", name="Chat mit Erika Mustermann übernehmen").click()
    expect(page.get_by_role("region", name="Team")).to_contain_text("Benedikt-Maximilian")
    page.get_by_role("button", name="Chat-Menü").click()
    page.get_by_role("menuitem", name="Übergeben…").click()
    dialog = page.get_by_role("dialog", name="Chat übergeben")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Kollegin oder Kollege", exact=True)).to_be_visible()
    # No label, legend or button is cut off: each is as wide as its text needs.
    clipped = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              '#transfer-dialog label, #transfer-dialog legend, #transfer-dialog button, .panel--team li > span'))
            .filter(node => node.offsetParent !== null && node.scrollWidth > node.clientWidth + 1)
            .map(node => node.textContent)"""
    )
    assert clipped == []
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1024
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_an_offer_put_aside_comes_back_ben_declines_and_a_manager_reassigns(server, host_site, new_page):
    anna, ben, hanna = make_agent("anna", "Anna"), make_agent("ben", "Ben"), make_agent("hanna", "Hanna")
    channel = make_shop_channel(host_site, anna)
    ChannelMembership.objects.create(channel=channel, user=ben)
    ChannelMembership.objects.create(channel=channel, user=hanna, is_manager=True)
    anna_page = open_dashboard(new_page, server, "anna")
    ben_page = open_dashboard(new_page, server, "ben")
    hanna_page = open_dashboard(new_page, server, "hanna")
    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = new_page()
    customer.goto(f"{host_site.origin}/index.html")
    widget = open_widget(customer)
    fill_prechat(widget)
    ask(widget, "Where is my invoice?")
    anna_page.get_by_role("button", name="Take Erika Mustermann").click()
    expect(anna_page.get_by_role("region", name="Team")).to_contain_text(re.compile(r"Ben\s*Present"))

    anna_page.get_by_role("button", name="Chat menu").click()
    anna_page.get_by_role("menuitem", name="Transfer…").click()
    anna_page.get_by_role("dialog", name="Transfer the chat").get_by_role("button", name="Transfer").click()

    offer = ben_page.get_by_role("dialog", name="A colleague offers you a chat")
    expect(offer).to_be_visible()
    ben_page.keyboard.press("Escape")
    expect(offer).to_be_hidden()
    waiting = ben_page.get_by_role("list", name="Offers waiting for your answer")
    waiting.get_by_role("button", name="Anna offers you the chat with Erika Mustermann (Shop).").click()
    expect(offer).to_be_visible()
    ben_page.keyboard.press("Shift+Tab")
    expect(offer.get_by_role("button", name="Decline")).to_be_focused()
    ben_page.keyboard.press("Enter")
    expect(anna_page.get_by_role("alert")).to_have_text(
        "Ben declined the chat with Erika Mustermann. It stays with you."
    )
    expect(anna_page.get_by_role("log", name="Messages")).to_contain_text("Where is my invoice?")

    team = hanna_page.get_by_role("region", name="Team")
    team.get_by_role("button", name="Reassign the chat with Erika Mustermann").click()
    dialog = hanna_page.get_by_role("dialog", name="Reassign the chat with Erika Mustermann")
    expect(dialog.get_by_label("New agent")).to_be_focused()
    dialog.get_by_label("New agent").select_option(label="Ben (0 of 3 chats)")
    dialog.get_by_role("button", name="Reassign").click()

    expect(ben_page.get_by_role("alert")).to_have_text("Hanna gave you the chat with Erika Mustermann.")
    ben_page.get_by_role("list", name="My chats").get_by_role("button", name=re.compile("Erika Mustermann")).click()
    expect(ben_page.get_by_role("log", name="Messages")).to_contain_text("Hanna handed the chat from Anna to Ben.")
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Anna handed the chat to Ben.")
    expect(anna_page.get_by_role("list", name="My chats").get_by_role("listitem")).to_have_count(0)
    expect(team).to_contain_text(re.compile(r"Erika Mustermann\s*with Ben"))
    assert Chat.objects.get().agent == ben
    assert list(ChatTransfer.objects.order_by("pk").values_list("status", flat=True)) == ["declined", "accepted"]
