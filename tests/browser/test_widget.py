"""The customer's side in Chromium: the pre-chat form, the queue, navigation, keyboard use."""

from playwright.sync_api import expect

from chat.configuration.models import FieldType, PreChatField
from chat.conversations.models import Chat, ChatStatus
from tests.browser.pages import ask, fill_prechat, make_shop_channel, open_widget, shop_page


def test_the_form_shows_translated_errors_next_to_the_fields(server, host_site, new_page):
    channel = make_shop_channel(host_site)
    PreChatField.objects.create(
        channel=channel, key="order", label="Order number", field_type=FieldType.TEXT, required=True
    )
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget, email="erika@no-such-domain-anywhere.com")
    email = widget.get_by_label("E-mail", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(widget.get_by_text("The domain no-such-domain-anywhere.com does not exist")).to_be_visible()
    expect(widget.get_by_text("This field is required.")).to_be_visible()
    email.fill("erika@nullmx.example")
    widget.get_by_label("Order number").fill("A-1")
    widget.get_by_role("button", name="Continue").click()
    expect(widget.get_by_text("does not accept e-mail")).to_be_visible()
    assert Chat.objects.count() == 0


def test_host_page_data_prefills_the_form(server, host_site, new_page):
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop", name="Max Muster", email="max@example.org"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    expect(widget.get_by_label("Name", exact=True)).to_have_value("Max Muster")
    expect(widget.get_by_label("E-mail", exact=True)).to_have_value("max@example.org")
    assert "max@example.org" not in page.locator("iframe[title]").get_attribute("src")


def test_a_waiting_chat_follows_the_customer_to_the_next_page(server, host_site, new_page):
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop", link="other.html"))
    host_site.add_page("other.html", shop_page(server, "shop", title="Other page", link="index.html"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, "Do you ship to Austria?")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    chat = Chat.objects.get()
    assert chat.status == ChatStatus.QUEUED and chat.customer_name == "Erika Mustermann"

    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("heading", name="Other page")).to_be_visible()
    widget = page.frame_locator("iframe[title]")
    log = widget.get_by_role("log", name="Messages")
    expect(log).to_contain_text("Do you ship to Austria?")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    page.reload()
    expect(page.frame_locator("iframe[title]").get_by_role("log", name="Messages")).to_contain_text(
        "Do you ship to Austria?"
    )
    assert Chat.objects.count() == 1


def test_the_whole_customer_journey_works_by_keyboard(server, host_site, new_page):
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    expect(page.get_by_role("button", name="Chat with us")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Chat with us")).to_be_focused()
    page.keyboard.press("Enter")
    widget = page.frame_locator("iframe[title]")
    expect(widget.get_by_label("Name", exact=True)).to_be_focused()
    page.keyboard.type("Kim Keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type("kim@example.net")
    page.keyboard.press("Enter")
    expect(widget.get_by_label("Your question")).to_be_focused()
    page.keyboard.type("Can I pay by invoice?")
    page.keyboard.press("Enter")
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Can I pay by invoice?")
    expect(widget.get_by_label("Message", exact=True)).to_be_focused()
    page.keyboard.type("Also, hello!")
    page.keyboard.press("Enter")
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Also, hello!")
    expect(widget.get_by_text("Sending…")).to_have_count(0)
    assert Chat.objects.get().messages.filter(body="Also, hello!").count() == 1


def test_a_german_channel_speaks_german_from_button_to_queue(server, host_site, new_page):
    make_shop_channel(host_site, language="de", button_label="Chatten Sie mit uns")
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page(locale="en-GB")
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page, label="Chatten Sie mit uns")
    fill_prechat_de = widget.get_by_label("E-Mail", exact=True)
    widget.get_by_label("Name", exact=True).fill("Erika Mustermann")
    fill_prechat_de.fill("erika@gibt-es-nicht-wirklich.com")
    widget.get_by_role("button", name="Weiter").click()
    expect(widget.get_by_text("Die Domain gibt-es-nicht-wirklich.com existiert nicht.")).to_be_visible()
    fill_prechat_de.fill("erika@example.com")
    widget.get_by_role("button", name="Weiter").click()
    question = widget.get_by_label("Ihre Frage")
    question.fill("Wo ist mein Paket?")
    question.press("Enter")
    expect(widget.get_by_text("Sie sind Nummer 1 in der Warteschlange.")).to_be_visible()


# A busy host page: the loader hears the widget frame's "load" (and sends its
# hello) only when the test lets it, as a shop page still running its own
# scripts would. The widget's form is there and usable meanwhile.
HOLD_THE_FRAMES_LOAD = """
if (window.top === window && location.pathname.indexOf('/chat/') !== 0) {
  const listen = EventTarget.prototype.addEventListener;
  const held = [];
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'load' || !(this instanceof HTMLIFrameElement)) return listen.call(this, type, listener, options);
    return listen.call(this, type, function (event) { held.push(() => listener.call(this, event)); }, options);
  };
  window.releaseFrameLoad = () => held.splice(0).forEach((run) => run());
}
"""


def test_a_customer_typing_before_the_host_page_said_hello_keeps_typing_in_the_same_field(server, host_site, new_page):
    channel = make_shop_channel(host_site)
    PreChatField.objects.create(channel=channel, key="customer_number", label="Customer number")
    host_site.add_page("index.html", shop_page(server, "shop", email="erika@example.com"))
    page = new_page()
    page.context.add_init_script(HOLD_THE_FRAMES_LOAD)
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    customer_number = widget.get_by_label("Customer number")
    customer_number.click()
    page.keyboard.type("K-12")

    # The hello arrives mid-word: it fills the e-mail, and must not move the customer to the empty name.
    page.evaluate("window.releaseFrameLoad()")
    expect(widget.get_by_label("E-mail", exact=True)).to_have_value("erika@example.com")
    page.keyboard.type("34")
    expect(customer_number).to_have_value("K-1234")
    expect(customer_number).to_be_focused()
    expect(widget.get_by_label("Name", exact=True)).to_have_value("")
