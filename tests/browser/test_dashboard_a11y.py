"""
The dashboard for everyone: axe-core finds no critical or serious violation
in English or German (idle, with a chat open, with the chat menu and the end
dialog open, with the help overlay open); at 1,024 x 768 in German nothing is
cut off and the page does not scroll sideways; and a whole shift's work
(take, write, switch, end) goes by keyboard alone.
"""

import pytest
from playwright.sync_api import expect

from chat.conversations.models import Chat, ChatStatus, Message
from tests.browser.dashboard import SMALL_SCREEN, WORDS, composer, make_agent_and_channel, open_dashboard, start_chats
from tests.support import axe, layout

LANGUAGES = ["en", "de"]


def dashboard_with_a_chat(new_page, server, language, **options):
    """A dashboard with Erika's chat open (taken by keyboard) and Max still waiting."""
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann", "Max Mustermann")
    page = open_dashboard(new_page, server, language=language, **options)
    expect(page.get_by_role("button", name=WORDS[language]["take"].format(name="Max Mustermann"))).to_be_visible()
    page.keyboard.press("Alt+Shift+N")
    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(page.get_by_role("log", name=WORDS[language]["messages"])).to_contain_text("My parcel has not arrived.")
    return page


def open_chat_menu_by_keyboard(page, language):
    words = WORDS[language]
    page.get_by_role("button", name=words["chat_menu"]).focus()
    page.keyboard.press("ArrowDown")
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    return menu


def tab_back_to(page, condition, most=40):
    """Shift+Tab until ``condition`` (JavaScript) holds, as an agent tabs back through the page."""
    for _ in range(most):
        page.keyboard.press("Shift+Tab")
        if page.evaluate(condition):
            return
    raise AssertionError(f"{condition} never held within {most} presses of Shift+Tab")


def assert_fits(page, where):
    assert layout.horizontal_overflow(page) == 0, f"the page scrolls sideways {where}"
    clipped = layout.clipped_elements(page)
    assert clipped == [], f"cut off {where}:\n{layout.describe(clipped)}"


# ---------------------------------------------------------------------------
# axe-core


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_nothing_serious_on_the_idle_dashboard(server, new_page, language):
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann")
    page = open_dashboard(new_page, server, language=language)
    expect(page.get_by_role("button", name=WORDS[language]["take"].format(name="Erika Mustermann"))).to_be_visible()
    axe.assert_no_blocking_violations(page, f"on the idle dashboard ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_nothing_serious_with_a_chat_open(server, new_page, language):
    page = dashboard_with_a_chat(new_page, server, language)
    composer(page, language).fill("A reply not yet sent")
    axe.assert_no_blocking_violations(page, f"with a chat open ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_nothing_serious_with_the_chat_menu_and_the_end_dialog_open(server, new_page, language):
    words = WORDS[language]
    page = dashboard_with_a_chat(new_page, server, language)
    menu = open_chat_menu_by_keyboard(page, language)
    axe.assert_no_blocking_violations(page, f"with the chat menu open ({language})")

    menu.get_by_role("menuitem", name=words["end_chat"]).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name=words["cancel"])).to_be_focused()
    axe.assert_no_blocking_violations(page, f"with the end dialog open ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_nothing_serious_with_the_help_overlay_open(server, new_page, language):
    words = WORDS[language]
    page = dashboard_with_a_chat(new_page, server, language)
    page.get_by_role("button", name=words["take_next"]).focus()
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name=words["shortcuts"])
    expect(help_dialog.get_by_role("button", name=words["close"])).to_be_focused()
    axe.assert_no_blocking_violations(page, f"with the help overlay open ({language})")


def test_the_help_overlay_speaks_german_to_a_german_agent(server, new_page):
    page = dashboard_with_a_chat(new_page, server, "de")
    page.get_by_role("button", name="Tastenkürzel").click()
    table = page.get_by_role("dialog", name="Tastenkürzel").get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(["Aktion", "Tasten"])
    row = table.get_by_role("row").filter(
        has=page.get_by_role("cell", name="Nächsten Kunden aus der Warteschlange übernehmen", exact=True)
    )
    expect(row.get_by_role("cell").nth(1)).to_have_text("Alt+Umschalt+N")
    expect(page.get_by_role("button", name="Nächsten übernehmen")).to_have_attribute(
        "title", "Tastenkürzel: Alt+Umschalt+N"
    )
    page.keyboard.press("Escape")
    page.keyboard.press("Alt+Shift+J")
    expect(page.locator("#shortcut-status")).to_have_text("Chat mit Erika Mustermann, 1 von 1")


def test_the_axe_check_reports_a_control_without_a_name(server, new_page):
    """The check itself: a select whose label is gone is a critical violation, named with its selector."""
    make_agent_and_channel()
    page = open_dashboard(new_page, server)
    assert axe.violations(page) == []
    page.evaluate("() => { document.querySelector('label[for=presence-select]').remove(); }")
    found = axe.violations(page)
    assert [(item["id"], item["impact"]) for item in found] == [("select-name", "critical")]
    assert "#presence-select" in axe.describe(found)


# ---------------------------------------------------------------------------
# 1,024 px in German


def test_at_1024_px_in_german_nothing_is_cut_off_and_the_composer_is_in_view(server, new_page):
    words = WORDS["de"]
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann", "Maximilian Mustermann-Schönberger")
    page = open_dashboard(new_page, server, language="de", viewport=SMALL_SCREEN)
    expect(page.get_by_role("button", name=words["take"].format(name="Erika Mustermann"))).to_be_visible()
    assert_fits(page, "on the idle dashboard")

    page.keyboard.press("Alt+Shift+N")
    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    assert_fits(page, "with a chat open")
    expect(composer(page, "de")).to_be_in_viewport()
    expect(page.get_by_role("button", name=words["send"])).to_be_in_viewport()

    menu = open_chat_menu_by_keyboard(page, "de")
    assert_fits(page, "with the chat menu open")
    expect(menu.get_by_role("menuitem", name=words["end_chat"])).to_be_in_viewport()
    page.keyboard.press("Escape")

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name=words["shortcuts"])).to_be_visible()
    assert_fits(page, "with the help overlay open")


def test_the_layout_check_finds_a_label_that_is_cut_off(server, new_page):
    """The check itself: a button squeezed into a narrow panel is reported, as it was before the panels wrapped."""
    make_agent_and_channel()
    page = open_dashboard(new_page, server, language="de", viewport=SMALL_SCREEN)
    assert layout.clipped_elements(page) == []
    # Through the CSSOM: the page's Content-Security-Policy refuses a <style> of the test's.
    page.evaluate(
        "() => { document.querySelector('.panel--queue').style.width = '200px';"
        " document.querySelector('.panel--queue .panel__head').style.flexWrap = 'nowrap'; }"
    )
    clipped = layout.clipped_elements(page)
    assert [item["text"] for item in clipped] == ["Nächsten übernehmen"], layout.describe(clipped)


# ---------------------------------------------------------------------------
# By keyboard alone


def test_take_write_switch_and_end_chats_by_keyboard_alone(server, new_page):
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann", "Max Mustermann")
    page = open_dashboard(new_page, server)
    expect(page.get_by_role("button", name="Take Max Mustermann")).to_be_visible()

    # Take both; the cursor lands in the composer each time.
    page.keyboard.press("Alt+Shift+N")
    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(composer(page)).to_be_focused()
    page.keyboard.type("Hello Erika, one moment please.")
    page.keyboard.press("Enter")
    page.keyboard.press("Alt+Shift+N")
    expect(page.get_by_role("heading", name="Max Mustermann")).to_be_visible()
    expect(composer(page)).to_be_focused()
    page.keyboard.type("Hello Max.")
    page.keyboard.press("Enter")
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Hello Max.")

    # Back to Erika, through the list with Tab and Enter as well as by shortcut.
    page.keyboard.press("Alt+Shift+K")
    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Hello Erika, one moment please.")
    tab_back_to(page, "document.activeElement.classList.contains('chats__open')")
    focused_chat = page.locator(":focus")
    expect(focused_chat).to_contain_text("Max Mustermann")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Max Mustermann")).to_be_visible()

    # End Max's chat through the chat menu, by keyboard.
    page.keyboard.press("Alt+Shift+C")
    tab_back_to(page, "document.activeElement.id === 'chat-menu-button'")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    expect(page.get_by_role("menuitem", name="End chat")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("dialog").get_by_role("button", name="End chat")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("This chat has ended.").first).to_be_visible()
    expect(page.get_by_role("button", name="Close", exact=True)).to_be_focused()

    # And Erika's by shortcut.
    page.keyboard.press("Alt+Shift+K")
    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    page.keyboard.press("Alt+Shift+E")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Anna ended the chat.")

    chats = {chat.customer_name: chat for chat in Chat.objects.all()}
    assert {name: chat.status for name, chat in chats.items()} == {
        "Erika Mustermann": ChatStatus.ENDED,
        "Max Mustermann": ChatStatus.ENDED,
    }
    assert Message.objects.filter(chat=chats["Erika Mustermann"], body="Hello Erika, one moment please.").exists()
    assert Message.objects.filter(chat=chats["Max Mustermann"], body="Hello Max.").exists()
