"""The customer's "end the chat?" dialog by keyboard, in Chromium: focus stays in it, Escape gives it back."""

from playwright.sync_api import expect

from chat.conversations.models import Chat, ChatStatus
from tests.browser.pages import ask, fill_prechat, make_shop_channel, open_widget, shop_page


def test_tab_stays_in_the_end_dialog_and_escape_returns_to_the_end_button(server, host_site, new_page):
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, "Can I change my address?")
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Can I change my address?")

    end = widget.get_by_role("button", name="End chat")
    end.focus()
    page.keyboard.press("Enter")
    dialog = widget.get_by_role("dialog", name="Do you want to end the chat?")
    expect(dialog).to_be_visible()
    no, yes = dialog.get_by_role("button", name="No, continue"), dialog.get_by_role("button", name="Yes, end the chat")
    expect(no).to_be_focused()

    # Forwards past the last button and backwards past the first: round the dialog, never out of the frame.
    for key, target in [("Tab", yes), ("Tab", no), ("Tab", yes), ("Shift+Tab", no), ("Shift+Tab", yes)]:
        page.keyboard.press(key)
        expect(target).to_be_focused()
        assert page.evaluate("document.activeElement.tagName") == "IFRAME"

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(end).to_be_focused()
    # Escape closed the dialog only: the widget stays open and the chat goes on.
    expect(widget.get_by_label("Message", exact=True)).to_be_visible()
    assert Chat.objects.get().status != ChatStatus.ENDED

    page.keyboard.press("Enter")
    expect(no).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(yes).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("You ended the chat.")
