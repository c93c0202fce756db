"""
The dashboard's keyboard shortcuts in Chromium, pressed as an agent would,
with the controls found by role and name: next and previous chat, take next,
the composer, canned replies, ending a chat, and the help overlay.
"""

import re

from playwright.sync_api import expect

from chat.configuration.canned_replies import CannedReply
from chat.conversations.models import Chat, ChatStatus
from tests.browser.dashboard import composer, make_agent_and_channel, open_dashboard, start_chats


def take_all_by_keyboard(page, names):
    """Take every waiting customer with Alt+Shift+N, one after another."""
    for name in names:
        page.keyboard.press("Alt+Shift+N")
        expect(page.get_by_role("heading", name=name)).to_be_visible()


def status_text(page):
    return page.locator("#shortcut-status")


def test_alt_shift_n_takes_the_next_customer_and_puts_the_cursor_in_the_composer(server, new_page):
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann")
    page = open_dashboard(new_page, server)
    expect(page.get_by_role("button", name="Take Erika Mustermann")).to_be_visible()

    page.keyboard.press("Alt+Shift+N")

    expect(page.get_by_role("log", name="Messages")).to_contain_text("My parcel has not arrived.")
    expect(composer(page)).to_be_focused()
    assert Chat.objects.get().status == ChatStatus.ACTIVE


def test_holding_alt_shift_n_takes_one_customer_per_press(server, new_page):
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann", "Max Mustermann")
    page = open_dashboard(new_page, server)
    expect(page.get_by_role("button", name="Take Max Mustermann")).to_be_visible()

    page.keyboard.down("Alt")
    page.keyboard.down("Shift")
    page.keyboard.down("N")
    for _ in range(5):  # what a held key sends: repeats of keydown
        page.evaluate(
            "() => document.activeElement.dispatchEvent(new KeyboardEvent('keydown',"
            " {key: 'N', code: 'KeyN', altKey: true, shiftKey: true, repeat: true, bubbles: true}))"
        )
    page.keyboard.up("N")
    page.keyboard.up("Shift")
    page.keyboard.up("Alt")

    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(page.get_by_role("button", name="Take Max Mustermann")).to_be_visible()
    assert list(Chat.objects.order_by("pk").values_list("status", flat=True)) == [ChatStatus.ACTIVE, ChatStatus.QUEUED]


def test_alt_shift_j_and_k_go_through_my_chats_in_their_order_and_say_where(server, new_page):
    _agent, channel = make_agent_and_channel()
    names = ["Erika Mustermann", "Max Mustermann", "Lena Schmidt"]
    start_chats(channel, *names)
    page = open_dashboard(new_page, server)
    take_all_by_keyboard(page, names)
    chat_list = page.get_by_role("list", name="My chats")
    expect(chat_list.get_by_role("listitem")).to_have_count(3)

    # Lena, taken last, is open; next wraps round to the first of the list.
    page.keyboard.press("Alt+Shift+J")
    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(chat_list.get_by_role("button", name=re.compile("Erika Mustermann"))).to_have_attribute(
        "aria-current", "true"
    )
    expect(status_text(page)).to_have_text("Chat with Erika Mustermann, 1 of 3")
    expect(composer(page)).to_be_focused()

    page.keyboard.press("Alt+Shift+J")
    expect(page.get_by_role("heading", name="Max Mustermann")).to_be_visible()
    expect(status_text(page)).to_have_text("Chat with Max Mustermann, 2 of 3")

    page.keyboard.press("Alt+Shift+K")
    page.keyboard.press("Alt+Shift+K")
    expect(page.get_by_role("heading", name="Lena Schmidt")).to_be_visible()
    expect(status_text(page)).to_have_text("Chat with Lena Schmidt, 3 of 3")


def test_switching_chats_keeps_each_draft(server, new_page):
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann", "Max Mustermann")
    page = open_dashboard(new_page, server)
    take_all_by_keyboard(page, ["Erika Mustermann", "Max Mustermann"])

    page.keyboard.type("Half a sentence for Max")
    page.keyboard.press("Alt+Shift+K")
    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(composer(page)).to_have_value("")
    page.keyboard.press("Alt+Shift+J")
    expect(composer(page)).to_have_value("Half a sentence for Max")


def test_alt_shift_c_puts_the_cursor_in_the_composer_from_anywhere(server, new_page):
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann")
    page = open_dashboard(new_page, server)

    page.get_by_role("button", name="Take next").focus()
    page.keyboard.press("Alt+Shift+C")
    expect(status_text(page)).to_have_text("No open chat is selected.")
    expect(page.get_by_role("button", name="Take next")).to_be_focused()

    page.keyboard.press("Alt+Shift+N")
    expect(page.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    page.get_by_role("button", name="Chat menu").focus()
    page.keyboard.press("Alt+Shift+C")
    expect(composer(page)).to_be_focused()
    page.keyboard.type("Hello")
    expect(composer(page)).to_have_value("Hello")


def test_alt_shift_r_opens_the_canned_replies_from_anywhere(server, new_page):
    _agent, channel = make_agent_and_channel()
    CannedReply.objects.create(
        channel=channel, shortcut="greeting", title="Greeting", body="Hello {customer_first_name}!"
    )
    start_chats(channel, "Erika Mustermann")
    page = open_dashboard(new_page, server)
    page.keyboard.press("Alt+Shift+N")
    expect(composer(page)).to_be_focused()
    page.get_by_role("button", name="Take next").focus()

    page.keyboard.press("Alt+Shift+R")

    listbox = page.get_by_role("listbox", name="Canned replies")
    expect(listbox.get_by_role("option", name=re.compile("Greeting"))).to_be_visible()
    expect(composer(page)).to_be_focused()
    page.keyboard.press("Enter")
    expect(composer(page)).to_have_value("Hello Erika!")


def test_alt_shift_e_asks_before_ending_and_escape_keeps_the_chat(server, new_page):
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann")
    page = open_dashboard(new_page, server)
    page.keyboard.press("Alt+Shift+N")
    expect(composer(page)).to_be_focused()

    page.keyboard.press("Alt+Shift+E")
    dialog = page.get_by_role("dialog", name="End this chat?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert Chat.objects.get().status == ChatStatus.ACTIVE

    page.keyboard.press("Alt+Shift+E")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="End chat")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("This chat has ended.").first).to_be_visible()
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Anna ended the chat.")
    assert Chat.objects.get().status == ChatStatus.ENDED

    # An ended chat cannot be ended again: the shortcut says so instead.
    page.keyboard.press("Alt+Shift+E")
    expect(dialog).to_be_hidden()
    expect(status_text(page)).to_have_text("No open chat is selected.")


def test_the_end_dialog_opened_again_before_its_last_close_arrived_still_ends_the_chat(server, new_page):
    """The browser fires "close" in a later task: a stale one must not answer the next question."""
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann")
    page = open_dashboard(new_page, server)
    page.keyboard.press("Alt+Shift+N")
    expect(composer(page)).to_be_focused()
    page.keyboard.press("Alt+Shift+E")
    dialog = page.get_by_role("dialog", name="End this chat?")
    expect(dialog).to_be_visible()

    # Cancel and ask again within one task, as a fast Escape, Alt+Shift+E does
    # when the close event is still queued.
    page.evaluate(
        """() => {
            document.getElementById('end-dialog').close();
            document.dispatchEvent(new KeyboardEvent('keydown', {
                key: 'E', code: 'KeyE', altKey: true, shiftKey: true, bubbles: true, cancelable: true,
            }));
        }"""
    )
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("log", name="Messages")).to_contain_text("Anna ended the chat.")
    assert Chat.objects.get().status == ChatStatus.ENDED


def test_question_mark_opens_the_help_which_lists_every_shortcut_and_escape_closes_it(server, new_page):
    make_agent_and_channel()
    page = open_dashboard(new_page, server)
    take_next = page.get_by_role("button", name="Take next")
    take_next.focus()

    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog.get_by_role("button", name="Close")).to_be_focused()
    expected = {
        "Next chat in “My chats”": "Alt+Shift+J",
        "Previous chat in “My chats”": "Alt+Shift+K",
        "Take the next customer from the queue": "Alt+Shift+N",
        "Write in the open chat": "Alt+Shift+C",
        "Insert a canned reply": "Alt+Shift+R",
        "End the open chat": "Alt+Shift+E",
        "Show the keyboard shortcuts": "?",
        "Close a dialog or menu": "Esc",
    }
    table = help_dialog.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(["What it does", "Keys"])
    expect(table.get_by_role("row")).to_have_count(len(expected) + 1)
    for action, keys in expected.items():
        row = table.get_by_role("row").filter(has=page.get_by_role("cell", name=action, exact=True))
        expect(row.get_by_role("cell").nth(1)).to_have_text(keys)

    # Shortcuts wait while the overlay is open; Escape closes it, focus goes back.
    page.keyboard.press("Alt+Shift+N")
    expect(help_dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    expect(take_next).to_be_focused()


def test_the_keyboard_shortcuts_button_opens_the_help_and_a_question_mark_in_a_text_field_is_text(server, new_page):
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann")
    page = open_dashboard(new_page, server)
    page.keyboard.press("Alt+Shift+N")
    expect(composer(page)).to_be_focused()

    page.keyboard.type("Is that all?")
    expect(composer(page)).to_have_value("Is that all?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    button = page.get_by_role("button", name="Keyboard shortcuts")
    button.focus()
    page.keyboard.press("Enter")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    page.keyboard.press("Enter")  # on Close
    expect(help_dialog).to_be_hidden()
    expect(button).to_be_focused()


def test_controls_name_their_shortcut_for_screen_readers_and_as_a_tooltip(server, new_page):
    _agent, channel = make_agent_and_channel()
    start_chats(channel, "Erika Mustermann")
    page = open_dashboard(new_page, server)

    take_next = page.get_by_role("button", name="Take next")
    expect(take_next).to_have_attribute("aria-keyshortcuts", "Alt+Shift+N")
    expect(take_next).to_have_attribute("title", "Shortcut: Alt+Shift+N")
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_have_attribute("aria-keyshortcuts", "?")
    page.keyboard.press("Alt+Shift+N")
    expect(composer(page)).to_have_attribute("aria-keyshortcuts", "Alt+Shift+C")
    page.get_by_role("button", name="Chat menu").click()
    expect(page.get_by_role("menuitem", name="End chat")).to_have_attribute("aria-keyshortcuts", "Alt+Shift+E")
