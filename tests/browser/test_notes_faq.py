"""
Internal notes and FAQ entries in Chromium: a note the agent writes shows in
another tab of the same agent and never in the customer's widget; an FAQ
entry searched and sent by keyboard becomes a card the customer opens.
"""

import re

from playwright.sync_api import expect

from chat.conversations.models import ChatNote, Message, MessageKind
from faq.models import Category, ChannelCategory, Entry
from tests.browser.pages import make_shop_channel
from tests.browser.test_journey import make_agent, open_dashboard, start_customer_chat

NOTE = "Customer was rude last time: stay calm"


def take_the_chat(dashboard, widget):
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Anna joined the chat.")


def test_a_note_shows_in_the_agents_other_tab_and_never_in_the_widget(server, host_site, new_page):
    agent = make_agent()
    make_shop_channel(host_site, agent)
    dashboard = open_dashboard(new_page, server)
    _customer, widget = start_customer_chat(new_page, server, host_site, "Where is my parcel?")
    take_the_chat(dashboard, widget)

    # A second tab of the same agent (same session, its own socket).
    other_tab = dashboard.context.new_page()
    other_tab.goto(f"{server.url}/agent/")
    expect(other_tab.get_by_role("status").filter(has_text=re.compile("Connected"))).to_be_visible()
    other_tab.get_by_role("button", name=re.compile("Erika Mustermann")).first.click()

    toggle = dashboard.get_by_role("checkbox", name="Internal note")
    toggle.focus()
    dashboard.keyboard.press("Space")
    expect(toggle).to_be_checked()
    composer = dashboard.get_by_label("Note (only agents see it)")
    expect(composer).to_be_visible()
    composer.fill(NOTE)
    composer.press("Enter")

    agent_log = dashboard.get_by_role("log", name="Messages")
    note = agent_log.locator(".msg--note").filter(has_text=NOTE)
    expect(note).to_contain_text("Internal note")
    expect(note).not_to_contain_text("Not sent yet")
    other_log = other_tab.get_by_role("log", name="Messages")
    expect(other_log).to_contain_text(NOTE)
    expect(other_log.locator(".msg--note")).to_contain_text("Internal note")
    assert ChatNote.objects.get().body == NOTE

    # Back to a message: the customer gets it, and nothing of the note.
    toggle.uncheck()
    message_box = dashboard.get_by_label("Message", exact=True)
    message_box.fill("Let me look.")
    message_box.press("Enter")
    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log).to_contain_text("Let me look.")
    expect(customer_log).not_to_contain_text(NOTE)
    expect(widget.locator("body")).not_to_contain_text(NOTE)

    # After a reload the note is still there (the notes frame after the log).
    other_tab.reload()
    other_tab.get_by_role("button", name=re.compile("Erika Mustermann")).first.click()
    expect(other_tab.get_by_role("log", name="Messages")).to_contain_text(NOTE)


def test_the_agent_sends_an_faq_entry_by_keyboard_and_the_customer_reads_its_answer(server, host_site, new_page):
    agent = make_agent()
    channel = make_shop_channel(host_site, agent)
    category = Category.objects.create(name="Orders")
    ChannelCategory.objects.create(channel=channel, category=category)
    Entry.objects.create(category=category, question="When will my parcel arrive?", answer="<p>In two days.</p>")
    Entry.objects.create(
        category=category,
        question="How do I return an item?",
        answer="<p>Send it back within <strong>30 days</strong>.</p><script>window.pwned = true</script>",
    )
    dashboard = open_dashboard(new_page, server)
    customer, widget = start_customer_chat(new_page, server, host_site, "Can I send it back?")
    take_the_chat(dashboard, widget)

    dashboard.get_by_role("button", name="FAQ", exact=True).click()
    dialog = dashboard.get_by_role("dialog", name="Send an FAQ entry")
    search = dialog.get_by_role("combobox", name="Search the FAQ")
    expect(search).to_be_focused()
    search.press_sequentially("item", delay=20)
    options = dialog.get_by_role("option")
    expect(options).to_have_count(1)
    search.fill("")
    search.press_sequentially("e", delay=20)
    search.press("Backspace")
    expect(options).to_have_count(2)
    # The first is chosen (by question); the arrows move down and back up.
    chosen = dialog.get_by_role("option", selected=True)
    expect(chosen).to_contain_text("How do I return an item?")
    search.press("ArrowDown")
    expect(chosen).to_contain_text("When will my parcel arrive?")
    search.press("ArrowUp")
    expect(chosen).to_contain_text("How do I return an item?")
    assert search.get_attribute("aria-activedescendant") == chosen.get_attribute("id")
    search.press("Enter")
    expect(dialog).to_be_hidden()
    expect(dashboard.get_by_label("Message", exact=True)).to_be_focused()

    agent_log = dashboard.get_by_role("log", name="Messages")
    expect(agent_log.locator(".msg--faq")).to_contain_text("FAQ entry")
    expect(agent_log.locator(".msg--faq")).to_contain_text("How do I return an item?")

    customer_log = widget.get_by_role("log", name="Messages")
    card = customer_log.locator(".hd-msg-faq")
    expect(card).to_contain_text("How do I return an item?")
    show = card.get_by_role("button", name="Show answer")
    show.focus()
    show.press("Enter")
    expect(card).to_contain_text("Send it back within 30 days.")
    expect(card.locator(".hd-faq-card-answer strong")).to_have_text("30 days")
    expect(card.get_by_role("button", name="Hide answer")).to_have_attribute("aria-expanded", "true")
    assert customer.frames[1].evaluate("window.pwned === undefined")
    assert Message.objects.filter(kind=MessageKind.FAQ).count() == 1

    # Escape closes the dialog without sending anything.
    dashboard.get_by_role("button", name="FAQ", exact=True).click()
    expect(dialog).to_be_visible()
    dashboard.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert Message.objects.filter(kind=MessageKind.FAQ).count() == 1
