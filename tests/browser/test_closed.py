"""When nobody can chat: the closed view with the hours, and a request whose ID shows in the chat window."""

from datetime import time

import pytest
from playwright.sync_api import expect

from chat.configuration.models import OpeningInterval
from requests_app.models import Request
from tests.browser.pages import make_shop_channel, open_widget, shop_page
from tests.support.servers import DaphneProcess, server_environment


@pytest.fixture
def mailing_server(dns_server, smtp_server, transactional_db):
    """A Daphne process that sends its e-mail to the test SMTP server."""
    process = DaphneProcess(
        server_environment(dns_server.address, **smtp_server.environment), name="daphne-mail"
    ).start()
    yield process
    process.stop()


def test_outside_the_hours_the_customer_leaves_a_request_and_sees_its_id(
    mailing_server, smtp_server, host_site, new_page
):
    server = mailing_server
    channel = make_shop_channel(
        host_site,
        staffed=False,
        opening_hours_enabled=True,
        closed_message="Sorry, we are closed.",
        request_enabled=True,
        request_header="Leave us a message",
    )
    # Monday mornings only: never open during the test.
    OpeningInterval.objects.create(channel=channel, weekday=0, opens_at=time(6, 0), closes_at=time(6, 1))
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    expect(widget.get_by_role("heading", name="Sorry, we are closed.")).to_be_visible()
    expect(widget.get_by_text("Mon 06:00–06:01")).to_be_visible()
    expect(widget.get_by_text("Times in Europe/Berlin")).to_be_visible()

    form = widget.get_by_role("heading", name="Leave us a message")
    expect(form).to_be_visible()
    widget.get_by_label("Name", exact=True).last.fill("Erika Mustermann")
    widget.get_by_label("E-mail", exact=True).last.fill("erika@no-such-domain-anywhere.com")
    widget.get_by_label("Your question").last.fill("Can I return <b>shoes</b>?")
    widget.get_by_role("button", name="Send request").click()
    expect(widget.get_by_text("The domain no-such-domain-anywhere.com does not exist")).to_be_visible()
    widget.get_by_label("E-mail", exact=True).last.fill("erika@example.com")
    widget.get_by_role("button", name="Send request").click()

    status = widget.get_by_role("status").filter(has_text="Your request ID")
    expect(status).to_be_visible()
    request = Request.objects.get()
    expect(status).to_have_text(f"Your request ID: {request.number}")
    message = smtp_server.wait_for(1)[0]
    assert message["To"] == "erika@example.com"
    assert request.number in message["Subject"] and request.number in smtp_server.text_of(message)


def test_the_last_agent_leaving_turns_the_form_into_the_closed_view(server, host_site, new_page):
    from chat.conversations.models import AgentPresence

    make_shop_channel(host_site, request_enabled=True)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    widget.get_by_label("Name", exact=True).first.fill("Erika Mustermann")
    widget.get_by_label("E-mail", exact=True).first.fill("erika@example.com")
    AgentPresence.objects.update(status="away")
    widget.get_by_role("button", name="Continue").click()
    expect(widget.get_by_role("heading", name="Sorry, we are closed.")).to_be_visible()
    expect(widget.get_by_role("button", name="Send request")).to_be_visible()


def test_a_waiting_customer_leaves_a_request_instead_and_sees_its_id(server, host_site, new_page):
    from chat.conversations.models import Chat, ChatStatus

    make_shop_channel(host_site, request_enabled=True, offer_request_when_waiting_over=0)
    host_site.add_page("index.html", shop_page(server, "shop"))
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    widget.get_by_label("Name", exact=True).first.fill("Erika Mustermann")
    widget.get_by_label("E-mail", exact=True).first.fill("erika@example.com")
    widget.get_by_role("button", name="Continue").click()
    question = widget.get_by_label("Your question").first
    question.fill("Do you have this in blue?")
    question.press("Enter")
    widget.get_by_role("button", name="Leave a request instead of waiting").click()
    expect(widget.get_by_text("We will answer your question by e-mail to erika@example.com.")).to_be_visible()
    widget.get_by_role("button", name="Send as a request").click()
    expect(widget.get_by_role("status").filter(has_text="Your request ID")).to_be_visible()
    request = Request.objects.get()
    assert request.question == "Do you have this in blue?"
    expect(widget.get_by_role("status").filter(has_text="Your request ID")).to_have_text(
        f"Your request ID: {request.number}"
    )
    assert Chat.objects.get().status == ChatStatus.ENDED
