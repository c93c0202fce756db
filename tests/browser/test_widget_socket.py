"""The widget's socket in Chromium: a connection that stops answering is noticed and replaced."""

from playwright.sync_api import expect

from chat.conversations.models import Chat, ChatStatus, Message, MessageKind, Party
from tests.browser.pages import ask, fill_prechat, make_shop_channel, open_widget, shop_page
from tests.browser.relay import Relay


def test_a_half_open_socket_is_replaced_and_the_customer_hears_what_was_said_meanwhile(server, host_site, new_page):
    """
    The first socket goes silent (no pong, no frames: a half-open connection).
    The widget must notice by its pong watchdog, reconnect, and get the agent's
    message from the database, instead of staying deaf.
    """
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.clock.install()
    relay = Relay(page, "**/ws/chat/", welcome_type="welcome")
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, "Is anyone there?")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    # Frames reach the page through this process: wait until the welcome has
    # (the widget watches pongs once it is welcomed).
    relay.wait(lambda: relay.last.welcomed, message="the socket was not welcomed")
    assert len(relay.connections) == 1

    relay.last.silent = True
    chat = Chat.objects.get()
    # An agent answers while the widget's connection is dead (straight to the
    # database: the server would announce it on the dead socket only).
    Chat.objects.filter(pk=chat.pk).update(status=ChatStatus.ACTIVE, last_seq=chat.last_seq + 1)
    Message.objects.create(
        chat=chat, seq=chat.last_seq + 1, author=Party.AGENT, kind=MessageKind.TEXT, body="Yes, I am here."
    )

    # A ping every 25 s, 10 s for its pong, then a reconnect after about a second.
    page.clock.run_for(25_000 + 10_000 + 2_000)
    relay.wait(lambda: len(relay.connections) > 1, message="the widget did not notice its socket was dead")
    page.clock.run_for(2_000)
    assert len(relay.connections) == 2
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Yes, I am here.")


def test_a_message_with_half_an_emoji_is_refused_alone_and_the_chat_goes_on(server, host_site, new_page):
    """A lone surrogate (a pasted, cut-off emoji) reaches the server as "\\ud800" and is refused, translated, for that message."""
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, "Hello?")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    box = widget.get_by_label("Message", exact=True)
    box.evaluate("element => { element.value = 'Broken \\ud83d emoji'; }")
    box.press("Enter")
    log = widget.get_by_role("log", name="Messages")
    expect(log).to_contain_text("cannot be stored (a null character or half of an emoji)")
    box.fill("A proper one 😀")
    box.press("Enter")
    expect(log).to_contain_text("A proper one 😀")
    for _ in range(50):
        if Message.objects.filter(body="A proper one 😀").exists():
            break
        page.wait_for_timeout(100)
    assert list(Message.objects.filter(author=Party.CUSTOMER).values_list("body", flat=True)) == [
        "Hello?",
        "A proper one 😀",
    ]
