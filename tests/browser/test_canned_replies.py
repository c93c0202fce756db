"""
Canned replies in Chromium, by keyboard: "/gre" in the composer, the list,
ArrowDown and Enter, the filled-in text that the agent sends on to the
customer's widget; a manager's shared reply made in the dialog and used by a
colleague; a German agent with a German channel.
"""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.configuration.models import ChannelMembership
from chat.models import CannedReply
from tests.browser.pages import agent_login, ask, fill_prechat, make_shop_channel, open_widget, shop_page


def make_agent(username, first_name):
    return get_user_model().objects.create_user(username=username, password="agent-password-123", first_name=first_name)


def open_dashboard(new_page, server, username, **context):
    page = new_page(**context)
    agent_login(page, server, username)
    expect(page.get_by_role("status").filter(has_text=re.compile("Connected"))).to_be_visible()
    page.get_by_label("Status").select_option("present")
    return page


def customer_waits(new_page, server, host_site, question="Where is my parcel?"):
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, question)
    return widget


def test_an_agent_picks_a_reply_by_keyboard_edits_it_and_the_customer_gets_it(server, host_site, new_page):
    agent = make_agent("anna", "Anna")
    channel = make_shop_channel(host_site, agent)
    greeting = CannedReply.objects.create(
        channel=channel,
        shortcut="greeting",
        title="Greeting",
        body="Hello {customer_first_name}, this is {agent_name} of {channel}.",
    )
    CannedReply.objects.create(channel=channel, shortcut="bye", title="Goodbye", body="Goodbye!")
    CannedReply.objects.create(owner=agent, shortcut="great", title="Great", body="Great, {customer_name}!")
    dashboard = open_dashboard(new_page, server, "anna")
    widget = customer_waits(new_page, server, host_site)
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()
    expect(dashboard.get_by_role("log", name="Messages")).to_contain_text("Where is my parcel?")

    composer = dashboard.get_by_label("Message", exact=True)
    composer.press_sequentially("/gre", delay=20)
    listbox = dashboard.get_by_role("listbox", name="Canned replies")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("/great")
    expect(options.nth(1)).to_contain_text("/greeting")
    expect(dashboard.get_by_text("2 canned replies.")).to_be_visible()
    expect(composer).to_have_attribute("aria-controls", "canned-list")

    composer.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    composer.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "false")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(composer).to_have_attribute("aria-activedescendant", f"canned-option-{greeting.pk}")
    composer.press("Enter")
    expect(listbox).to_be_hidden()
    expect(composer).to_have_value("Hello Erika, this is Anna of Shop.")
    expect(composer).to_be_focused()

    # The agent edits the text before it goes; nothing was sent by the Enter that picked.
    composer.press_sequentially(" How can I help?", delay=10)
    composer.press("Enter")
    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log).to_contain_text("Hello Erika, this is Anna of Shop. How can I help?")
    expect(composer).to_have_value("")
    greeting.refresh_from_db()
    assert greeting.usage_count == 1

    # Escape closes the list and leaves the text as typed; the text after a word is no trigger.
    composer.press_sequentially("a/b /by", delay=20)
    expect(options).to_have_count(1)
    composer.press("Escape")
    expect(listbox).to_be_hidden()
    expect(composer).to_have_value("a/b /by")
    composer.fill("")
    composer.press_sequentially("/", delay=20)
    expect(options).to_have_count(3)
    options.filter(has_text="Goodbye").click()
    expect(composer).to_have_value("Goodbye!")
    assert dashboard.get_by_role("log", name="Messages").get_by_text("Goodbye!").count() == 0
    assert CannedReply.objects.get(shortcut="bye").usage_count == 0, "counted only once sent"

    # Opened by another part's keyboard shortcut: no "/" needed, the letters typed are the query.
    composer.fill("Thanks. ")
    composer.blur()
    assert dashboard.evaluate("window.helpdeskDashboard.openCannedReplies()") is True
    expect(composer).to_be_focused()
    expect(options).to_have_count(3)
    composer.press_sequentially("goo", delay=20)
    expect(options).to_have_count(1)
    composer.press("Enter")
    expect(composer).to_have_value("Thanks. Goodbye!")


def test_the_fresh_list_arriving_after_the_agent_moved_keeps_the_highlighted_reply(server, host_site, new_page):
    """Every opening asks the server again; its answer may come after an arrow key and must not move the highlight."""
    agent = make_agent("anna", "Anna")
    channel = make_shop_channel(host_site, agent)
    CannedReply.objects.create(channel=channel, shortcut="greeting", title="Greeting", body="Hello!")
    CannedReply.objects.create(owner=agent, shortcut="great", title="Great", body="Great!")
    dashboard = open_dashboard(new_page, server, "anna")
    customer_waits(new_page, server, host_site)
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()
    expect(dashboard.get_by_role("log", name="Messages")).to_contain_text("Where is my parcel?")
    composer = dashboard.get_by_label("Message", exact=True)
    listbox = dashboard.get_by_role("listbox", name="Canned replies")
    options = listbox.get_by_role("option")
    composer.press_sequentially("/gre", delay=20)
    expect(options).to_have_count(2)
    composer.press("Escape")
    composer.fill("")
    # The next answer waits (as on a slow line) until the agent has pressed an arrow key.
    dashboard.evaluate(
        """() => {
            const D = window.helpdeskDashboard;
            window.heldCanned = { handler: D.frameHandlers.canned_replies, frames: [] };
            D.frameHandlers.canned_replies = (frame) => window.heldCanned.frames.push(frame);
        }"""
    )

    composer.press_sequentially("/gre", delay=20)
    expect(options).to_have_count(2)
    composer.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    dashboard.wait_for_function("() => window.heldCanned.frames.length > 0")
    dashboard.evaluate("() => window.heldCanned.frames.forEach(window.heldCanned.handler)")
    expect(options.first).to_have_attribute("aria-selected", "true")
    composer.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    composer.press("Enter")
    expect(composer).to_have_value("Hello!")


def test_a_manager_adds_a_shared_reply_in_the_dialog_and_a_colleague_uses_it(server, host_site, new_page):
    manager, colleague = make_agent("maria", "Maria"), make_agent("ben", "Ben")
    channel = make_shop_channel(host_site, manager)
    ChannelMembership.objects.filter(user=manager).update(is_manager=True)
    ChannelMembership.objects.create(channel=channel, user=colleague)
    CannedReply.objects.create(channel=channel, shortcut="thanks", title="Thanks", body="Thank you!")

    managing = open_dashboard(new_page, server, "maria")
    working = open_dashboard(new_page, server, "ben")
    widget = customer_waits(new_page, server, host_site)
    managing.get_by_role("button", name="Take Erika Mustermann").click()
    expect(managing.get_by_role("log", name="Messages")).to_contain_text("Where is my parcel?")

    managing.get_by_role("button", name="Canned replies").click()
    dialog = managing.get_by_role("dialog", name="Canned replies")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Available to")).to_be_focused()
    expect(dialog.get_by_role("button", name="Change /thanks")).to_be_visible()
    dialog.get_by_label("Available to").select_option(label="Everyone in Shop")
    dialog.get_by_label("Shortcut").fill("thanks")
    dialog.get_by_label("Text").fill("Thanks again!")
    dialog.get_by_label("Shortcut").press("Enter")
    expect(dialog.get_by_role("alert")).to_have_text("A canned reply with this shortcut and language already exists.")
    expect(dialog.get_by_label("Shortcut")).to_be_focused()
    expect(dialog.get_by_label("Shortcut")).to_have_attribute("aria-invalid", "true")

    dialog.get_by_label("Shortcut").fill("refund")
    dialog.get_by_label("Title").fill("Refund policy")
    dialog.get_by_label("Text").fill("   ")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_have_text("The text of the canned reply is empty.")
    dialog.get_by_label("Text").fill("{customer_first_name}, refunds take 5 days. {agent_name}")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("button", name="Change /refund")).to_be_visible()
    expect(dialog.get_by_role("alert")).to_have_count(0)
    managing.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    shared = CannedReply.objects.get(shortcut="refund")
    assert (shared.channel, shared.owner, shared.title) == (channel, None, "Refund policy")

    # A second customer; the colleague, an agent of the same channel, takes that chat.
    widget2 = customer_waits(new_page, server, host_site, question="And a refund?")
    working.get_by_role("button", name="Take Erika Mustermann").click()
    composer = working.get_by_label("Message", exact=True)
    expect(working.get_by_role("log", name="Messages")).to_contain_text("And a refund?")
    composer.press_sequentially("/ref", delay=20)
    option = working.get_by_role("option", name=re.compile("Refund policy"))
    expect(option).to_be_visible()
    composer.press("Tab")
    expect(composer).to_have_value("Erika, refunds take 5 days. Ben")
    composer.press("Enter")
    expect(widget2.get_by_role("log", name="Messages")).to_contain_text("Erika, refunds take 5 days. Ben")
    # The colleague cannot keep the channel's replies: only their own is offered.
    working.get_by_role("button", name="Canned replies").click()
    colleague_dialog = working.get_by_role("dialog", name="Canned replies")
    expect(colleague_dialog.get_by_label("Available to").get_by_role("option")).to_have_text(["Only me"])
    expect(colleague_dialog.get_by_role("button", name="Change /refund")).to_have_count(0)
    expect(widget.get_by_role("log", name="Messages")).not_to_contain_text("refunds take 5 days")

    # The manager deletes a shared reply, after confirming.
    managing.get_by_role("button", name="Canned replies").click()
    managing.once("dialog", lambda confirm: confirm.accept())
    dialog.get_by_role("button", name="Delete /thanks").click()
    expect(dialog.get_by_role("button", name="Change /thanks")).to_have_count(0)
    expect(dialog.get_by_role("button", name="Change /refund")).to_be_visible()
    assert not CannedReply.objects.filter(shortcut="thanks").exists()


def test_a_german_agent_gets_the_german_variant_and_a_german_dialog(server, host_site, new_page):
    make_agent("greta", "Greta")
    channel = make_shop_channel(host_site, get_user_model().objects.get(username="greta"), language="de")
    CannedReply.objects.create(channel=channel, shortcut="gruss", title="Greeting", body="Hello!", language="en")
    CannedReply.objects.create(
        channel=channel, shortcut="gruss", title="Begrüßung", body="Guten Tag, {customer_first_name}!", language="de"
    )
    page = new_page(locale="de-DE")
    page.goto(f"{server.url}/agent/")
    page.get_by_label("Benutzername").fill("greta")
    page.get_by_label("Passwort").fill("agent-password-123")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("status").filter(has_text="Verbunden")).to_be_visible()
    page.get_by_label("Status").select_option("present")
    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = new_page()
    customer.goto(f"{host_site.origin}/index.html")
    widget = open_widget(customer, "Chatten Sie mit uns")  # a German channel's default label
    widget.get_by_label("Name", exact=True).fill("Erika Mustermann")
    widget.get_by_label("E-Mail", exact=True).fill("erika@example.com")
    widget.get_by_role("button", name="Weiter").click()
    widget.get_by_label("Ihre Frage").fill("Wo ist mein Paket?")
    widget.get_by_label("Ihre Frage").press("Enter")
    page.get_by_role("button", name=re.compile("Erika Mustermann")).first.click()
    expect(page.get_by_role("log", name="Nachrichten")).to_contain_text("Wo ist mein Paket?")

    composer = page.get_by_label("Nachricht", exact=True)
    composer.press_sequentially("/gru", delay=20)
    listbox = page.get_by_role("listbox", name="Textbausteine")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(page.get_by_text("1 Textbaustein. Pfeiltasten wählen")).to_be_visible()
    composer.press("Enter")
    expect(composer).to_have_value("Guten Tag, Erika!")

    page.set_viewport_size({"width": 1024, "height": 768})
    opener = page.get_by_role("button", name="Textbausteine")
    assert opener.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), "the button's German label fits"
    expect(page.get_by_text("Tippen Sie / und ein paar Buchstaben für einen Textbaustein.")).to_be_visible()
    opener.click()
    dialog = page.get_by_role("dialog", name="Textbausteine")
    for label in ("Verfügbar für", "Kürzel", "Titel", "Text", "Sprache"):
        field = dialog.get_by_label(label, exact=True)
        expect(field).to_be_visible()
    expect(dialog.get_by_role("button", name="Speichern")).to_be_visible()
    expect(dialog.get_by_role("button", name="/gruss ändern")).to_have_count(0)
    # Nothing in the dialog is cut off at 1,024 px.
    clipped = dialog.evaluate(
        """d => [...d.querySelectorAll('label, button, h2, h3')]
            .filter(e => e.offsetParent !== null && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.textContent)"""
    )
    assert clipped == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
