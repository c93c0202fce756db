"""The widget's socket in Chromium: a connection that stops answering is noticed and replaced."""
from playwright.sync_api import expect

from chat.models import Chat, ChatStatus, Message, MessageKind, Party
from tests.browser.pages import ask, fill_prechat, make_shop_channel, open_widget, shop_page


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
    sockets = []

    def route(ws):
        connection = {"silent": False}
        sockets.append(connection)
        upstream = ws.connect_to_server()
        ws.on_message(lambda message: None if connection["silent"] else upstream.send(message))
        upstream.on_message(lambda message: None if connection["silent"] else ws.send(message))

    page.route_web_socket("**/ws/chat/", route)
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, "Is anyone there?")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    assert len(sockets) == 1

    sockets[0]["silent"] = True
    chat = Chat.objects.get()
    # An agent answers while the widget's connection is dead (straight to the
    # database: the server would announce it on the dead socket only).
    Chat.objects.filter(pk=chat.pk).update(status=ChatStatus.ACTIVE, last_seq=chat.last_seq + 1)
    Message.objects.create(
        chat=chat, seq=chat.last_seq + 1, author=Party.AGENT, kind=MessageKind.TEXT, body="Yes, I am here."
    )

    # A ping every 25 s, 10 s for its pong, then a reconnect after about a second.
    page.clock.run_for(25_000 + 10_000 + 2_000)
    for _ in range(100):
        if len(sockets) > 1:
            break
        page.wait_for_timeout(100)
    page.clock.run_for(2_000)
    assert len(sockets) == 2, "the widget did not notice its socket was dead"
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Yes, I am here.")
