"""
The widget follows who is there, in Chromium: before a chat, the closed view
and the pre-chat form trade places as agents come and go (a light look at the
button's answer while the panel is open), what the customer typed goes along,
and a waiting customer with nobody left is told so and offered the request.
"""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from chat.configuration.models import FieldType, FormKind, PreChatField
from chat.conversations.models import AgentPresence, PresencePeriod, PresenceStatus
from requests_app.models import Request
from tests.browser.pages import agent_login, ask, fill_prechat, make_shop_channel, open_widget, shop_page
from tests.support import axe

# Longer than the widget's pause between two looks (static/widget/closed.js, CHECK_EVERY_MS).
CHECK_INTERVAL = "00:26"


def _standby(status):
    """The channel's agent without a dashboard (tests.browser.pages.make_shop_channel) comes or goes."""
    AgentPresence.objects.update_or_create(
        user=get_user_model().objects.get(username="standby"),
        defaults={"status": status, "seen_at": timezone.now()},
    )


def _customer_number_fields(channel, label="Customer number"):
    for form in (FormKind.PRECHAT, FormKind.REQUEST):
        PreChatField.objects.create(channel=channel, form=form, key="customer_number", label=label, order=1)
    PreChatField.objects.create(
        channel=channel, form=FormKind.REQUEST, key="topic", label="Topic", field_type=FieldType.CHOICE, choices="A\nB"
    )


def _open_shop(new_page, server, host_site, **data):
    host_site.add_page("index.html", shop_page(server, "shop", **data))
    page = new_page()
    looks = []
    page.on("request", lambda request: looks.append(request.url) if "api/button?view=closed" in request.url else None)
    # The widget's timers run on a clock the test moves: no waiting half a minute for each look.
    page.clock.install()
    page.goto(f"{host_site.origin}/index.html")
    return page, looks


def test_the_closed_view_and_the_form_trade_places_as_agents_come_and_go(server, host_site, new_page):
    make_shop_channel(host_site, request_enabled=True)
    _standby(PresenceStatus.AWAY)
    page, looks = _open_shop(new_page, server, host_site)
    assert looks == [], "the loader asks only for the button"
    widget = open_widget(page)
    expect(widget.get_by_role("heading", name="Sorry, we are closed.")).to_be_visible()
    widget.get_by_label("Name", exact=True).last.fill("Erika Mustermann")
    widget.get_by_label("Your question").last.fill("Can I return shoes?")

    # An agent comes online: at the next look the pre-chat form is back, with the name typed.
    _standby(PresenceStatus.PRESENT)
    page.clock.fast_forward(CHECK_INTERVAL)
    prechat_name = widget.get_by_label("Name", exact=True).first
    expect(prechat_name).to_be_visible()
    expect(prechat_name).to_have_value("Erika Mustermann")
    expect(widget.get_by_role("heading", name="Sorry, we are closed.")).to_be_hidden()
    widget.get_by_label("E-mail", exact=True).first.fill("erika@example.com")

    # The last one leaves: the closed view again, and the request form knows the e-mail too.
    _standby(PresenceStatus.AWAY)
    page.clock.fast_forward(CHECK_INTERVAL)
    expect(widget.get_by_role("heading", name="Sorry, we are closed.")).to_be_visible()
    expect(widget.get_by_label("E-mail", exact=True).last).to_have_value("erika@example.com")
    expect(widget.get_by_label("Your question").last).to_have_value("Can I return shoes?")

    # Minimized, the widget does not look at all.
    widget.get_by_role("button", name="Minimize chat").click()
    seen = len(looks)
    page.clock.fast_forward("02:00")
    page.wait_for_timeout(300)
    assert len(looks) == seen
    # Opened again after a while: it looks at once.
    _standby(PresenceStatus.PRESENT)
    page.get_by_role("button", name="Chat with us").click()
    expect(widget.get_by_label("Name", exact=True).first).to_be_visible()
    expect(widget.get_by_label("E-mail", exact=True).first).to_have_value("erika@example.com")


def test_a_channel_closed_after_the_form_carries_what_was_typed_into_the_request(server, host_site, new_page):
    channel = make_shop_channel(host_site, request_enabled=True)
    _customer_number_fields(channel)
    page, _looks = _open_shop(new_page, server, host_site)
    widget = open_widget(page)
    prechat = widget.locator("#hd-screen-form")
    prechat.get_by_label("Customer number").fill("K-1234")
    expect(prechat.get_by_label("Customer number")).to_have_value("K-1234")
    fill_prechat(prechat)
    expect(widget.get_by_label("Your question").first).to_be_visible()

    # The last agent goes while the question is typed: the start is refused as closed.
    _standby(PresenceStatus.AWAY)
    ask(widget.locator("#hd-screen-question"), "My parcel has not arrived.")
    expect(widget.get_by_role("heading", name="Sorry, we are closed.")).to_be_visible()
    request_form = widget.locator("#hd-request-form")
    expect(request_form.get_by_label("Name", exact=True)).to_have_value("Erika Mustermann")
    expect(request_form.get_by_label("E-mail", exact=True)).to_have_value("erika@example.com")
    expect(request_form.get_by_label("Your question")).to_have_value("My parcel has not arrived.")
    expect(request_form.get_by_label("Customer number")).to_have_value("K-1234")
    expect(request_form.get_by_label("Topic")).to_have_value("")

    widget.get_by_role("button", name="Send request").click()
    status = widget.get_by_role("status").filter(has_text="Your request ID")
    expect(status).to_be_visible()
    request = Request.objects.get()
    assert (request.customer_name, request.customer_email, request.question) == (
        "Erika Mustermann",
        "erika@example.com",
        "My parcel has not arrived.",
    )
    assert {"key": "customer_number", "label": "Customer number", "value": "K-1234"} in request.form_data


def test_a_waiting_customer_whose_agent_goes_away_is_told_and_offered_the_request(server, host_site, new_page):
    agent = get_user_model().objects.create_user(username="anna", password="agent-password-123", first_name="Anna")
    make_shop_channel(host_site, agent, request_enabled=True)
    dashboard = new_page()
    agent_login(dashboard, server, "anna")
    expect(dashboard.get_by_role("status").filter(has_text=re.compile("Connected"))).to_be_visible()
    dashboard.get_by_label("Status").select_option("present")
    expect(dashboard.get_by_label("Status")).to_have_value("present")

    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = new_page()
    customer.goto(f"{host_site.origin}/index.html")
    widget = open_widget(customer)
    # The request form (hidden, ready for the closed view) asks for the same: the pre-chat form's fields.
    fill_prechat(widget.locator("#hd-screen-form"))
    ask(widget.locator("#hd-screen-question"), "Is the blue jacket in stock?")
    queue = widget.get_by_role("status").filter(has_text="You are number 1 in the queue.")
    expect(queue).to_contain_text("We cannot estimate the wait yet.")
    offer = widget.get_by_role("button", name="Leave a request instead of waiting")
    expect(offer).to_be_hidden()

    dashboard.get_by_label("Status").select_option("away")
    nobody = widget.get_by_role("status").filter(has_text="No one is available right now.")
    expect(nobody).to_contain_text("You can leave a request")
    expect(offer).to_be_visible()
    axe.assert_no_blocking_violations(customer.frames[1], "in the widget with nobody available")

    dashboard.get_by_label("Status").select_option("present")
    expect(queue).to_be_visible()
    expect(offer).to_be_hidden()
    dashboard.get_by_label("Status").select_option("away")
    expect(offer).to_be_visible()
    offer.click()
    widget.get_by_role("button", name="Send as a request").click()
    status = widget.get_by_role("status").filter(has_text="Your request ID")
    expect(status).to_be_visible()
    assert Request.objects.get().question == "Is the blue jacket in stock?"


def test_in_german_a_customer_left_alone_in_the_queue_hears_it_when_the_agents_grace_runs_out(
    server, host_site, new_page
):
    """Nobody clicked "away": the agent's dashboard is gone, and the server's sweep tells the queue."""
    make_shop_channel(host_site, language="de", button_label="Chatten Sie mit uns", request_enabled=True)
    standby = get_user_model().objects.get(username="standby")
    PresencePeriod.objects.create(agent=standby, started_at=timezone.now())
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page, label="Chatten Sie mit uns")
    widget.get_by_label("Name", exact=True).first.fill("Erika Mustermann")
    widget.get_by_label("E-Mail", exact=True).first.fill("erika@example.com")
    widget.get_by_role("button", name="Weiter").click()
    question = widget.get_by_label("Ihre Frage").first
    question.fill("Wo ist mein Paket?")
    question.press("Enter")
    queue = widget.get_by_role("status").filter(has_text="Sie sind Nummer 1 in der Warteschlange.")
    expect(queue).to_contain_text("Die Wartezeit können wir noch nicht schätzen.")

    # The dashboard was last seen long ago: the next sweep (every 10 s) closes the agent's presence.
    AgentPresence.objects.filter(user=standby).update(seen_at=timezone.now() - timedelta(minutes=5))
    nobody = widget.get_by_role("status").filter(has_text="Gerade ist niemand erreichbar.")
    expect(nobody).to_contain_text("Sie können uns eine Anfrage hinterlassen", timeout=20_000)
    widget.get_by_role("button", name="Anfrage hinterlassen, statt zu warten").click()
    widget.get_by_role("button", name="Als Anfrage senden").click()
    expect(widget.get_by_role("status").filter(has_text="Ihre Anfrage-ID")).to_be_visible()


def test_what_the_host_page_hands_over_fills_the_request_form_of_a_closed_channel(server, host_site, new_page):
    make_shop_channel(host_site, request_enabled=True, staffed=False)
    page, _looks = _open_shop(new_page, server, host_site, name="Erika Mustermann", email="erika@example.com")
    widget = open_widget(page)
    expect(widget.get_by_role("heading", name="Sorry, we are closed.")).to_be_visible()
    request_form = widget.locator("#hd-request-form")
    expect(request_form.get_by_label("Name", exact=True)).to_have_value("Erika Mustermann")
    expect(request_form.get_by_label("E-mail", exact=True)).to_have_value("erika@example.com")
