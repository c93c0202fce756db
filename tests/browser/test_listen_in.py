"""
Listening in, in Chromium: Ben manages the shop and may listen in. He opens
Anna's chat from "All active chats", follows it unseen, whispers to Anna (she
sees it, the customer does not), joins (the customer sees him and his
message), and takes the chat over. And the same by keyboard in German at
1,024 px, nothing cut off.
"""

import re

from playwright.sync_api import expect

from chat.configuration.models import ChannelMembership
from chat.conversations.models import Chat, ChatNote, ChatParticipant
from tests.browser.pages import ask, fill_prechat, make_shop_channel, open_widget, send_as_customer, shop_page
from tests.browser.test_transfer import make_agent, open_dashboard
from tests.support import layout

WHISPER = "Offer her the voucher, she waited twice"


def a_chat_with_anna(server, host_site, new_page, **ben_options):
    anna, ben = make_agent("anna", "Anna"), make_agent("ben", "Ben")
    channel = make_shop_channel(host_site, anna)
    ChannelMembership.objects.create(channel=channel, user=ben, is_manager=True, may_listen_in=True)
    anna_page = open_dashboard(new_page, server, "anna")
    ben_page = open_dashboard(new_page, server, "ben", **ben_options)
    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = new_page()
    customer.goto(f"{host_site.origin}/index.html")
    widget = open_widget(customer)
    fill_prechat(widget)
    ask(widget, "I would like a refund.")
    anna_page.get_by_role("button", name="Take Erika Mustermann").click()
    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log).to_contain_text("Anna joined the chat.")
    return anna_page, ben_page, widget, customer_log


def test_ben_listens_whispers_joins_and_takes_over(server, host_site, new_page):
    anna_page, ben_page, widget, customer_log = a_chat_with_anna(server, host_site, new_page)

    overview = ben_page.get_by_role("region", name=re.compile("All active chats"))
    expect(overview).to_contain_text("Erika Mustermann")
    expect(overview).to_contain_text("with Anna · Shop")
    expect(overview).to_contain_text("Customer: I would like a refund.")
    # Anna, no manager, has no such list.
    expect(anna_page.get_by_role("region", name=re.compile("All active chats"))).to_have_count(0)

    overview.get_by_role("button", name="Listen in on the chat of Erika Mustermann with Anna").click()
    expect(ben_page.get_by_text("Listening in, the customer does not see you.")).to_be_visible()
    expect(ben_page.get_by_role("heading", name="Erika Mustermann with Anna")).to_be_focused()
    listened = ben_page.get_by_role("log", name="Messages of the chat you listen in on")
    expect(listened).to_contain_text("I would like a refund.")
    expect(listened).to_contain_text("Anna joined the chat.")

    # Both sides, live.
    anna_composer = anna_page.get_by_label("Message", exact=True)
    anna_composer.fill("Let me check your order.")
    anna_composer.press("Enter")
    expect(listened).to_contain_text("Let me check your order.")
    send_as_customer(widget, "It was order A-17.")
    expect(listened).to_contain_text("It was order A-17.")
    expect(overview).to_contain_text("Customer: It was order A-17.")

    # Anna turns to another customer: Erika's chat is not in front when the whisper comes.
    second = new_page()
    second.goto(f"{host_site.origin}/index.html")
    other_widget = open_widget(second)
    fill_prechat(other_widget, name="Jonas Weber", email="jonas@example.com")
    ask(other_widget, "Do you ship to Austria?")
    anna_page.get_by_role("button", name="Take Jonas Weber").click()
    expect(anna_page.get_by_role("heading", name="Jonas Weber")).to_be_visible()

    # A whisper: Anna is told and sees it marked, the customer never.
    ben_page.get_by_role("button", name="Whisper").click()
    whisper = ben_page.get_by_label("Whisper to Anna (only agents see it)")
    expect(whisper).to_be_focused()
    whisper.fill(WHISPER)
    whisper.press("Enter")
    expect(listened).to_contain_text(WHISPER)
    expect(anna_page.get_by_role("alert")).to_have_text(f"Ben whispered in the chat with Erika Mustermann: {WHISPER}")
    anna_page.get_by_role("list", name="My chats").get_by_role("button", name=re.compile("Erika Mustermann")).click()
    anna_log = anna_page.get_by_role("log", name="Messages")
    expect(anna_log).to_contain_text(WHISPER)
    expect(anna_log.locator(".msg--whisper")).to_contain_text("Whisper from a manager")
    assert ChatNote.objects.get(body=WHISPER).is_whisper

    # Joining: the customer sees Ben, and what he writes, under his name.
    ben_page.get_by_role("button", name="Join").click()
    expect(customer_log).to_contain_text("Ben joined the chat.")
    expect(ben_page.get_by_text("You joined the chat: the customer sees your messages.")).to_be_visible()
    expect(anna_log).to_contain_text("Ben joined the chat.")
    to_customer = ben_page.get_by_label("Message to the customer")
    # While Ben types, the customer sees it under his name, beside Anna typing too;
    # his message ends his indicator and leaves Anna's.
    anna_composer.fill("One more thing")
    to_customer.fill("Hello, Ben")
    expect(widget.get_by_text("Ben is typing…")).to_be_visible()
    to_customer.fill("Hello, Ben here. The refund is on its way.")
    anna_composer.fill("One more thing, and")  # still typing (her composer stops after 3 s idle)
    to_customer.press("Enter")
    expect(customer_log).to_contain_text("Hello, Ben here. The refund is on its way.")
    expect(widget.get_by_text("Anna is typing…")).to_be_visible()
    anna_composer.fill("")
    expect(widget.get_by_text("Anna is typing…")).to_be_hidden()
    expect(anna_log).to_contain_text("Hello, Ben here. The refund is on its way.")
    expect(listened).to_contain_text("Hello, Ben here. The refund is on its way.")
    assert WHISPER not in customer_log.inner_text()

    # Taking over, confirmed in a dialog: the chat is Ben's, Anna is told, the customer sees the handover.
    ben_page.get_by_role("button", name="Take over").click()
    dialog = ben_page.get_by_role("dialog", name="Take over the chat with Erika Mustermann?")
    expect(dialog).to_contain_text("Anna is told")
    dialog.get_by_role("button", name="Take over").click()
    expect(ben_page.get_by_role("list", name="My chats")).to_contain_text("Erika Mustermann")
    expect(ben_page.get_by_label("Message", exact=True)).to_be_focused()
    expect(ben_page.get_by_text("Listening in, the customer does not see you.")).to_be_hidden()
    expect(customer_log).to_contain_text("Anna handed the chat to Ben.")
    anna_chats = anna_page.get_by_role("list", name="My chats")
    expect(anna_chats.get_by_role("listitem")).to_have_count(1)
    expect(anna_chats).not_to_contain_text("Erika Mustermann")
    expect(anna_page.get_by_role("alert")).to_have_text("Ben now has the chat with Erika Mustermann.")
    # Ben's chat came with its whole log, whisper included.
    ben_log = ben_page.get_by_role("log", name="Messages")
    for text in ("I would like a refund.", "Let me check your order.", WHISPER, "Ben took the chat over from Anna."):
        expect(ben_log).to_contain_text(text)
    expect(ben_page.get_by_role("alert")).not_to_contain_text("gave you")
    ben_page.get_by_label("Message", exact=True).fill("All yours, Erika.")
    ben_page.get_by_label("Message", exact=True).press("Enter")
    expect(customer_log).to_contain_text("All yours, Erika.")

    chat = Chat.objects.get(customer_name="Erika Mustermann")
    assert chat.agent.username == "ben"
    assert not ChatParticipant.objects.filter(left_at__isnull=True).exists()
    texts = list(chat.messages.filter(kind="text").values_list("body", flat=True))
    assert texts.count("Hello, Ben here. The refund is on its way.") == 1


def test_by_keyboard_in_german_at_1024_px_leave_and_stop(server, host_site, new_page):
    german = {
        "viewport": {"width": 1024, "height": 768},
        "locale": "de-DE",
        "extra_http_headers": {"Accept-Language": "de"},
    }
    _anna_page, ben_page, _widget, customer_log = a_chat_with_anna(server, host_site, new_page, **german)
    overview = ben_page.get_by_role("region", name=re.compile("Alle aktiven Chats"))
    listen = overview.get_by_role("button", name="Beim Chat von Erika Mustermann mit Anna mithören")
    listen.focus()
    ben_page.keyboard.press("Enter")
    expect(ben_page.get_by_text("Sie hören mit, der Kunde sieht Sie nicht.")).to_be_visible()
    for name in ("Flüstern", "Beitreten", "Übernehmen", "Mithören beenden"):
        expect(ben_page.get_by_role("button", name=name, exact=True)).to_be_visible()
    clipped = layout.clipped_elements(ben_page)
    assert clipped == [], layout.describe(clipped)
    assert layout.horizontal_overflow(ben_page) == 0

    ben_page.get_by_role("button", name="Beitreten").focus()
    ben_page.keyboard.press("Enter")
    expect(customer_log).to_contain_text("Ben joined the chat.")
    expect(ben_page.get_by_role("button", name="Verlassen")).to_be_focused()
    ben_page.keyboard.press("Enter")
    expect(customer_log).to_contain_text("Ben left the chat.")
    expect(ben_page.get_by_role("button", name="Beitreten")).to_be_visible()

    ben_page.get_by_role("button", name="Mithören beenden").focus()
    ben_page.keyboard.press("Enter")
    expect(ben_page.get_by_role("status").filter(has_text="Sie hören nicht mehr mit.")).to_be_attached()
    expect(ben_page.get_by_text("Sie hören mit, der Kunde sieht Sie nicht.")).to_be_hidden()
    expect(listen).to_be_focused()
