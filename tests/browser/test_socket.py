"""
The one socket client (static/common/socket.js) in both faces, in Chromium:
the dashboard's socket notices a silent server as the widget's does, a long
outbox goes out after a reconnect at a pace the server accepts, nothing but
the hello goes before the server's answer, and the widget and the dashboard
reconnect on the same schedule.
"""

import itertools
import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.conversations.models import Chat, Message, Party
from tests.browser.pages import (
    agent_login,
    ask,
    fill_prechat,
    make_shop_channel,
    open_widget,
    send_as_customer,
    shop_page,
)
from tests.browser.relay import Relay

# Playwright's clock: a ping every 25 s, 10 s for its pong, then a reconnect
# after about a second (docs/protocol.md, Reconnecting).
SILENCE_NOTICED_MS = 25_000 + 10_000 + 2_000

# Installed after Playwright's websocket stand-in (page.route_web_socket), so
# that every socket a face opens is timed, by the page's own (fake) clock.
# Math.random fixed: both faces draw the same jitter.
TIME_SOCKETS = """
(() => {
  Math.random = () => 0;
  const Routed = window.WebSocket;
  window.socketTimes = [];
  window.WebSocket = class extends Routed {
    constructor(...args) {
      super(...args);
      const times = { opened: Date.now(), closed: null };
      window.socketTimes.push(times);
      this.addEventListener('close', () => { times.closed = Date.now(); });
    }
  };
})();
"""
# 1 s doubling up to 15 s, each drawn from ±25 % around its step: with
# Math.random() = 0, three quarters of each step.
SCHEDULE_MS = [750, 1_500, 3_000, 6_000, 11_250]


def make_agent(username="anna", first_name="Anna"):
    return get_user_model().objects.create_user(username=username, password="agent-password-123", first_name=first_name)


def open_dashboard(page, server):
    agent_login(page, server, "anna")
    expect(page.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    page.get_by_label("Status").select_option("present")


def start_chat(page, server, host_site, question="Is anyone there?"):
    host_site.add_page("index.html", shop_page(server, "shop"))
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, question)
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    return widget


def test_the_pre_chat_form_comes_without_the_socket_client_which_loads_for_the_chat(server, host_site, new_page):
    """The live chat's scripts are not part of opening the widget: they load once the customer is on the way to a chat."""
    make_shop_channel(host_site)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    scripts, sockets = [], []
    page.on("request", lambda request: scripts.append(request.url) if request.resource_type == "script" else None)
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    expect(widget.get_by_label("Name", exact=True)).to_be_visible()
    page.wait_for_timeout(500)
    assert not [url for url in scripts if url.endswith(("/common/socket.js", "/widget/chat.js"))]

    fill_prechat(widget)
    # The queue text comes with the HTTP answer to start; the socket opens right after it.
    with page.expect_websocket():
        ask(widget, "Is anyone there?")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    assert len([url for url in scripts if url.endswith("/common/socket.js")]) == 1
    assert len(sockets) == 1


def test_the_dashboard_notices_a_silent_server_and_hears_what_the_customer_said_meanwhile(server, host_site, new_page):
    """
    The dashboard's socket goes silent (a half-open connection: no pong, no
    frames). Its watchdog must notice, reconnect, and get the customer's
    message from the database, as the widget's does.
    """
    make_shop_channel(host_site, make_agent())
    dashboard = new_page()
    dashboard.clock.install()
    relay = Relay(dashboard, re.compile(r"/ws/agent/$"), welcome_type="state")
    open_dashboard(dashboard, server)
    customer = new_page()
    widget = start_chat(customer, server, host_site, "Where is my parcel?")
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()
    agent_log = dashboard.get_by_role("log", name="Messages")
    expect(agent_log).to_contain_text("Where is my parcel?")
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Anna joined the chat.")
    assert len(relay.connections) == 1 and relay.last.welcomed

    relay.last.silent = True
    send_as_customer(widget, "Are you still there?")
    relay.wait(
        lambda: Message.objects.filter(body="Are you still there?").exists(), message="the message was not stored"
    )

    dashboard.clock.run_for(SILENCE_NOTICED_MS)
    relay.wait(lambda: len(relay.connections) == 2, message="the dashboard did not notice its socket was dead")
    expect(dashboard.get_by_role("status").filter(has_text="Connected")).to_be_visible()
    expect(agent_log).to_contain_text("Are you still there?")
    expect(agent_log.get_by_text("Are you still there?")).to_have_count(1)
    # The hello asked for what came after the last message the page had.
    missed = Message.objects.get(body="Are you still there?")
    assert relay.last.sent[0] == {"type": "hello", "chats": {str(Chat.objects.get().pk): missed.seq - 1}}


def test_a_long_outbox_goes_out_after_the_welcome_paced_and_every_message_arrives_once(server, host_site, new_page):
    """
    Thirty messages written while the server was away: after the reconnect,
    nothing but the hello goes before the welcome, then at most ten at once
    and the rest paced, so that the server (20 at once, then 2 a second per
    chat) refuses none of them as rate_limited.
    """
    make_shop_channel(host_site)
    page = new_page()
    # Fake time only to skip the reconnect delay; the pacing runs in real
    # time, as the server's rate limit does.
    page.clock.install()
    relay = Relay(page, "**/ws/chat/", welcome_type="welcome")
    widget = start_chat(page, server, host_site)
    relay.wait(lambda: relay.last.welcomed, message="the first socket was not welcomed")

    relay.refusing = True
    relay.last.cut()
    expect(widget.get_by_role("status").filter(has_text="Connection lost. Reconnecting…")).to_be_visible()
    texts = [f"Line {number} of my long story" for number in range(1, 31)]
    for text in texts:
        send_as_customer(widget, text)
    log = widget.get_by_role("log", name="Messages")
    expect(log.get_by_text("Sending…")).to_have_count(30)

    relay.refusing = False
    relay.hold_welcome = True
    page.clock.run_for(16_000)
    relay.wait(lambda: len(relay.connections) == 2 and relay.last.welcome_held, message="no reconnect")
    page.wait_for_timeout(300)
    assert [frame["type"] for frame in relay.last.sent] == ["hello"], "a frame went before the welcome"

    # The page's time stands still while the burst is counted: on a busy
    # machine the 200 ms below could otherwise outlast the pace's next slot.
    page.clock.pause_at(page.evaluate("Date.now()") + 1)
    relay.last.release()
    relay.wait(lambda: len(relay.last.frames_sent("send")) >= 10, message="the outbox was not resent")
    page.wait_for_timeout(200)
    assert len(relay.last.frames_sent("send")) <= 10, "the outbox went out all at once"
    page.clock.resume()
    expect(log.get_by_text("Sending…")).to_have_count(0, timeout=30_000)

    assert relay.errors("rate_limited") == []
    resent = [frame["client_id"] for frame in relay.last.frames_sent("send")]
    assert len(resent) == len(set(resent)) == 30
    stored = list(Message.objects.filter(author=Party.CUSTOMER).order_by("seq").values_list("body", flat=True))
    assert stored == ["Is anyone there?", *texts]
    expect(widget.get_by_role("status").filter(has_text="Reconnecting")).to_have_count(0)


def reconnect_delays(page, frame, relay):
    """Cut the face's live socket, refuse the next ones, and return the delays between a close and the next attempt."""
    attempts = len(SCHEDULE_MS)
    # From here on the page's time moves only with run_for, and timers fire
    # exactly when due, however busy the machine is.
    page.clock.pause_at(page.evaluate("Date.now()") + 1_000)
    cut = frame.evaluate("socketTimes.length") - 1
    relay.refusing = True
    relay.last.cut()
    while relay.refused < attempts:
        page.clock.run_for(20_000)
        relay.wait(
            lambda: frame.evaluate("socketTimes.every(times => times.closed !== null)"),
            message="a refused socket was not closed",
        )
    times = frame.evaluate("socketTimes")[cut : cut + attempts + 1]
    return [after["opened"] - before["closed"] for before, after in itertools.pairwise(times)]


def test_the_widget_and_the_dashboard_reconnect_on_the_same_schedule(server, host_site, new_page):
    # Staffed by a stand-by agent, so that the widget offers a chat before Anna's dashboard is open.
    make_shop_channel(host_site).memberships.create(user=make_agent())

    customer = new_page()
    customer.clock.install()
    widget_relay = Relay(customer, "**/ws/chat/", welcome_type="welcome")
    customer.add_init_script(TIME_SOCKETS)
    start_chat(customer, server, host_site)
    widget_relay.wait(lambda: widget_relay.last.welcomed, message="the widget's socket was not welcomed")
    widget_frame = customer.frame(url=f"{server.url}/chat/shop/")
    widget_delays = reconnect_delays(customer, widget_frame, widget_relay)

    dashboard = new_page()
    dashboard.clock.install()
    dashboard_relay = Relay(dashboard, re.compile(r"/ws/agent/$"), welcome_type="state")
    dashboard.add_init_script(TIME_SOCKETS)
    open_dashboard(dashboard, server)
    dashboard_delays = reconnect_delays(dashboard, dashboard.main_frame, dashboard_relay)

    for delays in (widget_delays, dashboard_delays):
        assert all(abs(delay - expected) <= 2 for delay, expected in zip(delays, SCHEDULE_MS, strict=True)), delays
    assert widget_delays == dashboard_delays
