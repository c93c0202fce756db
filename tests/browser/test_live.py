"""
Never missing a customer, in Chromium: desktop notifications (the real
Notification API, recorded on the way), alerts past a channel's threshold,
and the dashboard's lists kept live without a reload.
"""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from chat.conversations.models import AgentPresence, Chat, ChatNote, Message, PresenceStatus
from requests_app.models import Request
from tests.browser.pages import agent_login, make_shop_channel, open_widget, send_as_customer, shop_page
from tests.chat.files import PDF

# Keeps the browser's own Notification and records every one made, and every permission asked for.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  window.__notifications = [];
  window.__permissionAsks = 0;
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title: title, body: (options || {}).body, tag: (options || {}).tag, note: this });
    }
    static requestPermission(callback) {
      window.__permissionAsks += 1;
      return Real.requestPermission(callback);
    }
  }
  window.Notification = Recorded;
})();
"""


def notifications(page):
    return page.evaluate("window.__notifications.map(n => ({title: n.title, body: n.body, tag: n.tag}))")


def make_agent(username="anna", first_name="Anna"):
    return get_user_model().objects.create_user(username=username, password="agent-password-123", first_name=first_name)


def keep_channel_open(channel):
    """A second agent, present without a dashboard: the channel stays open while Anna is away."""
    standby = make_agent("sam", "Sam")
    channel.memberships.create(user=standby)
    AgentPresence.objects.create(user=standby, status=PresenceStatus.PRESENT, seen_at=timezone.now())


def open_dashboard(new_page, server, *, notifications_allowed=True):
    page = new_page(permissions=["notifications"]) if notifications_allowed else new_page()
    page.add_init_script(RECORD_NOTIFICATIONS)
    agent_login(page, server, "anna")
    expect(page.get_by_role("status").filter(has_text=re.compile("Connected"))).to_be_visible()
    page.get_by_label("Status").select_option("present")
    return page


def customer_asks(new_page, host_site, server, name, question):
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    # .first: a channel that takes requests has the request form's fields too, hidden.
    widget.get_by_label("Name", exact=True).first.fill(name)
    widget.get_by_label("E-mail", exact=True).first.fill("customer@example.com")
    widget.get_by_role("button", name="Continue").click()
    box = widget.get_by_label("Your question").first
    box.fill(question)
    box.press("Enter")
    expect(widget.get_by_text(re.compile(r"You are number \d in the queue\."))).to_be_visible()
    return widget


def test_notifications_are_asked_for_by_a_click_and_say_what_the_browser_allows(server, host_site, new_page, browser):
    make_shop_channel(host_site, make_agent())
    dashboard = open_dashboard(new_page, server, notifications_allowed=False)
    turn_on = dashboard.get_by_role("button", name="Turn on desktop notifications")
    expect(turn_on).to_be_visible()
    assert dashboard.evaluate("window.__permissionAsks") == 0

    dashboard.context.grant_permissions(["notifications"])
    turn_on.focus()
    turn_on.press("Enter")
    expect(dashboard.get_by_role("status").filter(has_text="Desktop notifications on")).to_be_visible()
    expect(turn_on).to_be_hidden()
    assert dashboard.evaluate("window.__permissionAsks") == 1


def test_a_chat_arriving_in_the_queue_notifies_and_nothing_does_while_away(server, host_site, new_page):
    channel = make_shop_channel(host_site, make_agent())
    keep_channel_open(channel)
    dashboard = open_dashboard(new_page, server)
    expect(dashboard.get_by_role("status").filter(has_text="Desktop notifications on")).to_be_visible()

    customer_asks(new_page, host_site, server, "Erika Mustermann", "My parcel has not arrived.")
    expect(dashboard.get_by_role("button", name="Take Erika Mustermann")).to_be_visible()
    dashboard.wait_for_function("window.__notifications.length === 1")
    assert notifications(dashboard) == [
        {"title": "New chat: Erika Mustermann", "body": "My parcel has not arrived.", "tag": "queue"}
    ]
    # A click brings the tab forward at the entry's "Take".
    dashboard.evaluate("window.__notifications[0].note.onclick()")
    expect(dashboard.get_by_role("button", name="Take Erika Mustermann")).to_be_focused()

    # A transfer offered (static/dashboard/transfer.js emits it) notifies under its own tag.
    dashboard.evaluate(
        """window.helpdeskDashboard.emit('transfer-offered', {transfer: {id: 7, chat: {customer_name: 'Erika'},
            from_name: 'Ben', note: 'She needs a refund', expires_at: null}})"""
    )
    assert notifications(dashboard)[-1] == {
        "title": "Ben offers you the chat with Erika",
        "body": "She needs a refund",
        "tag": "transfer-7",
    }

    dashboard.get_by_label("Status").select_option("away")
    customer_asks(new_page, host_site, server, "Zoe Zweite", "Anyone there?")
    expect(dashboard.get_by_role("button", name="Take Zoe Zweite")).to_be_visible()
    dashboard.wait_for_timeout(500)
    assert len(notifications(dashboard)) == 2


def test_a_customer_message_in_a_chat_not_in_front_notifies_and_opens_it(server, host_site, new_page):
    make_shop_channel(host_site, make_agent())
    dashboard = open_dashboard(new_page, server)
    erika = customer_asks(new_page, host_site, server, "Erika Mustermann", "First question")
    zoe = customer_asks(new_page, host_site, server, "Zoe Zweite", "Second question")
    dashboard.get_by_role("button", name="Take Zoe Zweite").click()
    expect(dashboard.get_by_role("log", name="Messages")).to_contain_text("Second question")
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()
    expect(dashboard.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(zoe.get_by_role("log", name="Messages")).to_contain_text("Anna joined the chat.")
    expect(erika.get_by_role("log", name="Messages")).to_contain_text("Anna joined the chat.")
    before = len(notifications(dashboard))

    send_as_customer(erika, "This one is in front")
    expect(dashboard.get_by_role("log", name="Messages")).to_contain_text("This one is in front")
    send_as_customer(zoe, "Hello from the background")
    my_chats = dashboard.get_by_role("region", name="My chats")
    zoe_item = my_chats.get_by_role("button", name=re.compile("Zoe Zweite"))
    expect(zoe_item).to_contain_text("Hello from the background")
    dashboard.wait_for_function(f"window.__notifications.length === {before + 1}")
    assert notifications(dashboard)[-1] == {
        "title": "New message from Zoe Zweite",
        "body": "Hello from the background",
        "tag": f"chat-{Chat.objects.get(customer_name='Zoe Zweite').pk}",
    }

    # A file reads as its kind and name, in the list and in the notification.
    with zoe.owner.page.expect_file_chooser() as chooser:
        zoe.get_by_role("button", name="Attach a file").click()
    chooser.value.set_files(files=[{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    expect(zoe_item).to_contain_text("PDF document: receipt.pdf")
    dashboard.wait_for_function(f"window.__notifications.length === {before + 2}")
    assert notifications(dashboard)[-1]["body"] == "PDF document: receipt.pdf"

    dashboard.evaluate("window.__notifications.at(-1).note.onclick()")
    expect(dashboard.get_by_role("heading", name="Zoe Zweite")).to_be_visible()
    expect(dashboard.get_by_label("Message", exact=True)).to_be_focused()


def test_a_wait_and_an_unanswered_message_past_the_thresholds_are_marked_announced_and_notified(
    server, host_site, new_page
):
    make_shop_channel(host_site, make_agent(), wait_alert_minutes=2, unanswered_alert_minutes=2)
    dashboard = open_dashboard(new_page, server)
    customer_asks(new_page, host_site, server, "Erika Mustermann", "Hello?")
    queue = dashboard.get_by_role("region", name="Queue")
    expect(queue.get_by_role("button", name="Take Erika Mustermann")).to_be_visible()
    expect(queue).not_to_contain_text("Waiting 3 min")

    # As if she had come three minutes ago: the dashboard reads it so after a reload.
    chat = Chat.objects.get()
    Chat.objects.filter(pk=chat.pk).update(queued_at=timezone.now() - timedelta(minutes=3))
    dashboard.reload()
    expect(queue.get_by_text("Waiting 3 min")).to_be_visible()
    expect(dashboard.get_by_role("alert")).to_have_text("Erika Mustermann has been waiting for 3 min.")
    dashboard.wait_for_function("window.__notifications.some(n => n.tag === 'wait-" + str(chat.pk) + "')")

    queue.get_by_role("button", name="Take Erika Mustermann").click()
    expect(dashboard.get_by_role("log", name="Messages")).to_contain_text("Hello?")
    Message.objects.filter(chat=chat, author="customer").update(created_at=timezone.now() - timedelta(minutes=4))
    dashboard.reload()
    my_chats = dashboard.get_by_role("region", name="My chats")
    expect(my_chats.get_by_role("button", name=re.compile("Erika Mustermann"))).to_contain_text("Unanswered for 4 min")
    expect(dashboard.get_by_role("alert")).to_have_text("Erika Mustermann has had no answer for 4 min.")
    titles = [n["title"] for n in notifications(dashboard)]
    assert titles.count("Erika Mustermann has had no answer for 4 min.") == 1

    # Answered, the mark goes.
    my_chats.get_by_role("button", name=re.compile("Erika Mustermann")).click()
    composer = dashboard.get_by_label("Message", exact=True)
    composer.fill("Sorry for the wait!")
    composer.press("Enter")
    expect(my_chats.get_by_role("button", name=re.compile("Erika Mustermann"))).to_contain_text(
        "You: Sorry for the wait!"
    )
    dashboard.evaluate("window.helpdeskDashboard.checkAlerts()")
    expect(my_chats).not_to_contain_text("Unanswered for")


def test_an_ended_chat_leaves_my_chats_for_recent_chats_and_opens_again_read_only(server, host_site, new_page):
    make_shop_channel(host_site, make_agent())
    dashboard = open_dashboard(new_page, server)
    widget = customer_asks(new_page, host_site, server, "Erika Mustermann", "Can I return shoes?")
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("Anna joined the chat.")
    my_chats = dashboard.get_by_role("region", name="My chats")
    recent = dashboard.get_by_role("region", name="Recent chats (last 8 hours)")
    expect(my_chats.get_by_role("button", name=re.compile("Erika Mustermann"))).to_be_visible()
    expect(recent).to_contain_text("No chats in the last 8 hours.")

    send_as_customer(widget, "Thanks, bye!")
    widget.get_by_role("button", name="End chat").click()
    widget.get_by_role("button", name="Yes, end the chat").click()

    expect(my_chats.get_by_role("button", name=re.compile("Erika Mustermann"))).to_have_count(0)
    expect(my_chats).to_contain_text("You have no open chats.")
    expect(recent.get_by_role("button", name="Erika Mustermann")).to_be_visible()
    expect(recent).to_contain_text("ended by the customer")
    # Still in front, read-only, with the customer's last words.
    log = dashboard.get_by_role("log", name="Messages")
    expect(log).to_contain_text("Thanks, bye!")
    expect(dashboard.get_by_text("This chat has ended.").first).to_be_visible()
    expect(dashboard.get_by_label("Message", exact=True)).to_be_disabled()

    dashboard.get_by_role("button", name="Close", exact=True).click()
    expect(dashboard.get_by_text("Choose a chat on the left, or take one from the queue.")).to_be_visible()
    opener = recent.get_by_role("button", name="Erika Mustermann")
    opener.focus()
    opener.press("Enter")
    expect(log).to_contain_text("Can I return shoes?")
    expect(log).to_contain_text("Thanks, bye!")
    expect(log).to_contain_text("The customer ended the chat.")
    expect(dashboard.get_by_text("This chat has ended.").first).to_be_visible()
    expect(my_chats.get_by_role("button", name=re.compile("Erika Mustermann"))).to_have_count(0)

    # A note for the follow-up: the ended chat's composer opens for a note only.
    toggle = dashboard.get_by_role("checkbox", name="Internal note")
    toggle.check()
    note_box = dashboard.get_by_label("Note (only agents see it)")
    expect(note_box).to_be_enabled()
    note_box.fill("Send the return label")
    note_box.press("Enter")
    expect(log.locator(".msg--note").filter(has_text="Send the return label")).not_to_contain_text("Not sent yet")
    assert list(ChatNote.objects.values_list("body", flat=True)) == ["Send the return label"]
    toggle.uncheck()
    expect(dashboard.get_by_label("Message", exact=True)).to_be_disabled()
    expect(widget.locator("body")).not_to_contain_text("Send the return label")
    # Opened again after a reload, the chat brings its note along.
    dashboard.reload()
    recent.get_by_role("button", name="Erika Mustermann").click()
    expect(log).to_contain_text("Send the return label")


def test_a_new_request_appears_in_open_requests_and_the_channels_in_the_top_bar(server, host_site, new_page):
    make_shop_channel(host_site, make_agent(), request_enabled=True, offer_request_when_waiting_over=0)
    dashboard = open_dashboard(new_page, server)
    expect(dashboard.get_by_role("banner")).to_contain_text("Shop")
    requests = dashboard.get_by_role("region", name="Open requests")
    expect(requests).to_contain_text("No open requests.")

    widget = customer_asks(new_page, host_site, server, "Erika Mustermann", "Do you have this in blue?")
    widget.get_by_role("button", name="Leave a request instead of waiting").click()
    widget.get_by_role("button", name="Send as a request").click()
    expect(widget.get_by_role("status").filter(has_text="Your request ID")).to_be_visible()
    request = Request.objects.get()
    expect(requests).to_contain_text(f"{request.number} · Erika Mustermann")
    expect(requests).to_contain_text("Do you have this in blue?")
    expect(requests.get_by_role("link", name="customer@example.com")).to_have_attribute(
        "href", "mailto:customer@example.com"
    )
