"""
The whole journey in Chromium: a customer on a website of another origin, an
agent in the dashboard, messages both ways, and both ways of ending.
"""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.conversations.models import Chat, ChatStatus, Message
from tests.browser.pages import (
    agent_login,
    ask,
    fill_prechat,
    make_shop_channel,
    open_widget,
    send_as_customer,
    shop_page,
)

SCRIPT = "<script>window.pwned = true</script><b>bold?</b>"


def make_agent(username="anna", first_name="Anna"):
    return get_user_model().objects.create_user(username=username, password="agent-password-123", first_name=first_name)


def open_dashboard(new_page, server, username="anna"):
    page = new_page()
    agent_login(page, server, username)
    expect(page.get_by_role("status").filter(has_text=re.compile("Connected"))).to_be_visible()
    page.get_by_label("Status").select_option("present")
    return page


def start_customer_chat(new_page, server, host_site, question):
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, question)
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    return page, widget


def test_customer_and_agent_chat_live_and_the_agent_ends_it(server, host_site, new_page):
    agent = make_agent()
    make_shop_channel(host_site, agent, welcome_message="Hello, this is Anna.")
    dashboard = open_dashboard(new_page, server)
    customer, widget = start_customer_chat(new_page, server, host_site, "My parcel has not arrived.")

    queue_entry = dashboard.get_by_role("button", name="Take Erika Mustermann")
    expect(queue_entry).to_be_visible()
    expect(dashboard).to_have_title(re.compile(r"^\(1\)"))
    dashboard.get_by_role("button", name="Take next").click()
    agent_log = dashboard.get_by_role("log", name="Messages")
    expect(agent_log).to_contain_text("My parcel has not arrived.")
    expect(dashboard.get_by_text("erika@example.com")).to_be_visible()

    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log).to_contain_text("Anna joined the chat.")
    expect(customer_log).to_contain_text("Hello, this is Anna.")

    composer = dashboard.get_by_label("Message", exact=True)
    composer.fill("Let me check the tracking number.")
    composer.press("Enter")
    expect(customer_log).to_contain_text("Let me check the tracking number.")

    widget.get_by_label("Message", exact=True).press_sequentially("Thank", delay=30)
    expect(dashboard.get_by_text("The customer is typing…").first).to_be_visible()
    send_as_customer(widget, SCRIPT)
    expect(agent_log).to_contain_text(SCRIPT)
    expect(customer_log).to_contain_text(SCRIPT)
    assert customer.frames[1].evaluate("window.pwned === undefined")
    assert dashboard.evaluate("window.pwned === undefined")

    dashboard.get_by_role("button", name="Chat menu").click()
    dashboard.get_by_role("menuitem", name="End chat").click()
    dashboard.get_by_role("dialog").get_by_role("button", name="End chat").click()
    expect(customer_log).to_contain_text("Anna ended the chat.")
    expect(widget.get_by_text("The chat has ended.")).to_be_visible()
    expect(widget.get_by_text("Anna ended the chat.")).to_have_count(1)  # said once, in the log
    expect(widget.get_by_label("Message", exact=True)).to_be_hidden()
    expect(dashboard.get_by_text("This chat has ended.").first).to_be_visible()

    chat = Chat.objects.get()
    assert (chat.status, chat.ended_by) == (ChatStatus.ENDED, "agent")
    assert Message.objects.filter(chat=chat, body=SCRIPT).count() == 1
    seqs = list(chat.messages.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_the_customer_ends_the_chat_with_the_close_control(server, host_site, new_page):
    agent = make_agent()
    make_shop_channel(host_site, agent)
    dashboard = open_dashboard(new_page, server)
    customer, widget = start_customer_chat(new_page, server, host_site, "Can I change my address?")
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Anna joined the chat.")

    widget.get_by_role("button", name="End chat").click()
    widget.get_by_role("button", name="No, continue").click()
    expect(widget.get_by_label("Message", exact=True)).to_be_visible()
    assert Chat.objects.get().status == ChatStatus.ACTIVE

    widget.get_by_role("button", name="End chat").click()
    widget.get_by_role("button", name="Yes, end the chat").click()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("You ended the chat.")
    expect(dashboard.get_by_role("log", name="Messages")).to_contain_text("The customer ended the chat.")
    assert Chat.objects.get().ended_by == "customer"


def test_an_agent_who_clicks_a_chat_just_taken_gets_a_clear_message(server, host_site, new_page):
    first, second = make_agent("anna", "Anna"), make_agent("ben", "Ben")
    channel = make_shop_channel(host_site, first)
    channel.memberships.create(user=second)
    anna = open_dashboard(new_page, server, "anna")

    # Ben's dashboard misses the queue update that Anna's take causes, as a
    # slow connection would: his click comes after the chat is gone.
    ben = new_page()
    hold_queue = {"on": False}

    def relay(route):
        upstream = route.connect_to_server()
        route.on_message(upstream.send)
        upstream.on_message(
            lambda frame: None if hold_queue["on"] and '"type": "queue"' in frame else route.send(frame)
        )

    ben.route_web_socket(re.compile(r"/ws/agent/$"), relay)
    agent_login(ben, server, "ben")
    ben.get_by_label("Status").select_option("present")

    start_customer_chat(new_page, server, host_site, "Anyone there?")
    expect(ben.get_by_role("button", name="Take Erika Mustermann")).to_be_visible()
    hold_queue["on"] = True
    anna.get_by_role("button", name="Take Erika Mustermann").click()
    expect(anna.get_by_role("log", name="Messages")).to_contain_text("Anyone there?")
    ben.get_by_role("button", name="Take Erika Mustermann").click()
    expect(ben.get_by_role("alert")).to_have_text("Another agent has already taken this chat.")
    assert Chat.objects.get().agent == first
