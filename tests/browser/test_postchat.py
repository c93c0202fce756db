"""
After the chat, in Chromium: the post-chat form with "Back to chat", the
rating and the transcript arriving at a real SMTP server, and a chat the agent
ended that the customer reopens by writing again.
"""

import time

import pytest
from playwright.sync_api import expect

from chat.conversations.models import Chat, ChatStatus
from infra.outbox.models import OutgoingEmail
from tests.browser.pages import make_shop_channel, send_as_customer
from tests.browser.test_journey import make_agent, open_dashboard, start_customer_chat
from tests.support.servers import DaphneProcess, server_environment

HTML = "<b>bold?</b> & <script>window.pwned = true</script>"


@pytest.fixture
def server(dns_server, transactional_db, smtp_server):
    """Daphne sending its e-mail to the test SMTP server."""
    process = DaphneProcess(
        server_environment(dns_server.address, **smtp_server.environment), name="daphne-postchat"
    ).start()
    yield process
    process.stop()


def chat_with_anna(new_page, server, host_site, **channel_fields):
    make_shop_channel(host_site, make_agent(), welcome_message="Hello, this is Anna.", **channel_fields)
    dashboard = open_dashboard(new_page, server)
    customer, widget = start_customer_chat(new_page, server, host_site, "My parcel has not arrived.")
    dashboard.get_by_role("button", name="Take next").click()
    customer_log = widget.get_by_role("log", name="Messages")
    expect(customer_log).to_contain_text("Hello, this is Anna.")
    return dashboard, customer, widget, customer_log


def agent_says(dashboard, text):
    composer = dashboard.get_by_label("Message", exact=True)
    composer.fill(text)
    composer.press("Enter")


def test_closing_shows_the_form_and_back_to_chat_keeps_the_chat_going(server, host_site, new_page):
    dashboard, _customer, widget, customer_log = chat_with_anna(
        new_page, server, host_site, postchat_enabled=True, rating_label="How did we do?"
    )
    widget.get_by_role("button", name="End chat").click()
    expect(widget.get_by_role("group", name="How did we do?")).to_be_visible()
    expect(widget.get_by_role("radio", name="5 Very good")).to_be_visible()
    expect(widget.get_by_label("Comment (optional)")).to_be_visible()
    expect(widget.get_by_label("Message", exact=True)).to_be_hidden()

    widget.get_by_role("button", name="Back to chat").click()
    expect(widget.get_by_role("group", name="How did we do?")).to_be_hidden()
    send_as_customer(widget, "Actually, one more question.")
    agent_log = dashboard.get_by_role("log", name="Messages")
    expect(agent_log).to_contain_text("Actually, one more question.")
    agent_says(dashboard, "Sure, go ahead.")
    expect(customer_log).to_contain_text("Sure, go ahead.")
    expect(dashboard.get_by_text("This chat has ended.").first).to_be_hidden()
    assert Chat.objects.get().status == ChatStatus.ACTIVE


def test_the_rating_is_kept_and_the_transcript_arrives_by_email_once(server, host_site, new_page, smtp_server):
    dashboard, customer, widget, customer_log = chat_with_anna(
        new_page, server, host_site, postchat_enabled=True, transcript_enabled=True
    )
    agent_says(dashboard, "Let me check the tracking number.")
    expect(customer_log).to_contain_text("Let me check the tracking number.")
    send_as_customer(widget, HTML)
    agent_log = dashboard.get_by_role("log", name="Messages")
    expect(agent_log).to_contain_text(HTML)
    agent_says(dashboard, "It arrives tomorrow.")
    expect(customer_log).to_contain_text("It arrives tomorrow.")

    widget.get_by_role("button", name="End chat").click()
    widget.get_by_role("radio", name="4 Good").check()
    widget.get_by_label("Comment (optional)").fill("Quick & friendly")
    transcript = widget.get_by_label("Send me a transcript by e-mail")
    transcript.check()
    expect(transcript).to_have_accessible_description("It goes to: erika@example.com")
    widget.locator("#hd-postchat-send").dblclick()

    expect(widget.get_by_text("Thank you for your feedback.")).to_be_visible()
    expect(widget.get_by_text("The transcript is on its way to:")).to_be_visible()
    expect(widget.get_by_text("You ended the chat.").first).to_be_visible()
    expect(widget.get_by_role("button", name="Start a new chat")).to_be_visible()
    expect(dashboard.get_by_text("The customer ended the chat.").first).to_be_visible()

    received = smtp_server.wait_for(1)
    time.sleep(1)  # room for a second e-mail, which must not come
    assert len(smtp_server.messages) == 1
    assert OutgoingEmail.objects.count() == 1
    message = received[0]
    assert message["To"] == "erika@example.com"
    text = smtp_server.text_of(message)
    expected = [
        "Erika Mustermann: My parcel has not arrived.",
        "Anna joined the chat.",
        "Anna: Hello, this is Anna.",
        "Anna: Let me check the tracking number.",
        f"Erika Mustermann: {HTML}",
        "Anna: It arrives tomorrow.",
        "You ended the chat.",
    ]
    positions = [text.index(line) for line in expected]
    assert positions == sorted(positions)
    html = smtp_server.html_of(message)
    assert "<script>" not in html and "<b>bold?</b>" not in html
    assert "&lt;b&gt;bold?&lt;/b&gt; &amp; &lt;script&gt;window.pwned = true&lt;/script&gt;" in html
    assert customer.frames[1].evaluate("window.pwned === undefined")

    chat = Chat.objects.get()
    assert (chat.rating, chat.rating_comment, chat.ended_by) == (4, "Quick & friendly", "customer")
    dashboard.reload()
    recent = dashboard.get_by_role("region", name="Recent chats (last 8 hours)")
    expect(recent).to_contain_text("Rating: 4 of 5")
    expect(recent).to_contain_text("Quick & friendly")


def test_after_the_agent_ends_the_customer_sees_the_form_and_writing_again_reopens(server, host_site, new_page):
    dashboard, _customer, widget, customer_log = chat_with_anna(new_page, server, host_site, postchat_enabled=True)
    dashboard.get_by_role("button", name="Chat menu").click()
    dashboard.get_by_role("menuitem", name="End chat").click()
    dashboard.get_by_role("dialog").get_by_role("button", name="End chat").click()

    expect(customer_log).to_contain_text("Anna ended the chat.")
    expect(widget.get_by_role("group", name="How satisfied are you with our service?")).to_be_visible()
    expect(widget.get_by_role("button", name="Back to chat")).to_be_hidden()
    expect(dashboard.get_by_text("This chat has ended.").first).to_be_visible()

    widget.get_by_role("button", name="Write again").click()
    send_as_customer(widget, "Sorry, one more thing!")
    expect(customer_log).to_contain_text("You wrote again: the chat was reopened.")
    expect(widget.get_by_role("group", name="How satisfied are you with our service?")).to_be_hidden()
    agent_log = dashboard.get_by_role("log", name="Messages")
    expect(agent_log).to_contain_text("The customer wrote again: the chat was reopened.")
    expect(agent_log).to_contain_text("Sorry, one more thing!")
    expect(dashboard.get_by_text("This chat has ended.").first).to_be_hidden()

    agent_says(dashboard, "No problem, what is it?")
    expect(customer_log).to_contain_text("No problem, what is it?")
    chat = Chat.objects.get()
    assert (chat.status, chat.reopened_count, chat.agent.username) == (ChatStatus.ACTIVE, 1, "anna")


def test_the_transcript_is_offered_only_once_the_agent_has_answered(server, host_site, new_page):
    # The welcome message is automatic: it is not an answer.
    dashboard, _customer, widget, customer_log = chat_with_anna(
        new_page, server, host_site, postchat_enabled=True, transcript_enabled=True
    )
    transcript = widget.get_by_label("Send me a transcript by e-mail")

    widget.get_by_role("button", name="End chat").click()
    expect(widget.get_by_role("radio", name="4 Good")).to_be_visible()
    expect(transcript).to_be_hidden()
    widget.get_by_role("button", name="Back to chat").click()

    agent_says(dashboard, "Your parcel is on its way.")
    expect(customer_log).to_contain_text("Your parcel is on its way.")
    widget.get_by_role("button", name="End chat").click()
    expect(transcript).to_be_visible()


def test_a_transcript_only_form_without_an_answer_is_just_the_way_out(server, host_site, new_page):
    _dashboard, _customer, widget, _log = chat_with_anna(new_page, server, host_site, transcript_enabled=True)

    widget.get_by_role("button", name="End chat").click()
    expect(widget.get_by_role("button", name="Back to chat")).to_be_visible()
    expect(widget.get_by_label("Send me a transcript by e-mail")).to_be_hidden()
    expect(widget.locator("#hd-postchat-send")).to_be_hidden()
    widget.get_by_role("button", name="End chat").click()

    expect(widget.get_by_text("You ended the chat.").first).to_be_visible()
    assert Chat.objects.get().status == ChatStatus.ENDED
    assert OutgoingEmail.objects.count() == 0
