"""FAQ suggestions in Chromium: read an answer and be done, or start the chat anyway; by keyboard too."""

import time

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.conversations.models import Chat, ChatStatus
from faq.models import Category, ChannelCategory, Entry, SuggestionOutcome, SuggestionSession
from tests.browser.pages import ask, fill_prechat, make_shop_channel, open_widget, shop_page

ADMIN_PASSWORD = "admin-password-123"


def faq_shop(server, host_site):
    channel = make_shop_channel(host_site, faq_enabled=True)
    category = Category.objects.create(name="Returns")
    ChannelCategory.objects.create(channel=channel, category=category)
    returns = Entry.objects.create(
        category=category,
        question="How do I return an item?",
        answer='<p>Print the <strong>free label</strong> in <a href="https://shop.example.com/returns">your account</a>.</p>'
        "<script>document.title='hacked'</script>",
        keywords="send back, returns",
    )
    Entry.objects.create(category=category, question="When will I get my refund?", answer="<p>Within 14 days.</p>")
    host_site.add_page("index.html", shop_page(server, "shop"))
    return returns


def test_an_answer_from_the_faq_ends_it_without_a_chat(server, host_site, new_page):
    entry = faq_shop(server, host_site)
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, "How can I return my shoes?")
    expect(widget.get_by_role("heading", name="These answers may help")).to_be_focused()
    toggle = widget.get_by_role("button", name="How do I return an item?")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    answer = widget.get_by_role("region", name="How do I return an item?")
    expect(answer).to_contain_text("Print the free label")
    link = answer.get_by_role("link", name="your account")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    answer.get_by_role("button", name="This answered my question").click()
    expect(widget.get_by_role("heading", name="Glad we could help!")).to_be_focused()
    assert "hacked" not in page.frames[1].title()

    entry.refresh_from_db()
    assert (entry.suggested_count, entry.opened_count, entry.answered_count) == (1, 1, 1)
    assert SuggestionSession.objects.get().outcome == SuggestionOutcome.ANSWERED
    assert Chat.objects.count() == 0

    widget.get_by_role("button", name="Ask another question").click()
    expect(widget.get_by_label("Your question")).to_be_focused()
    expect(widget.get_by_label("Your question")).to_have_value("")


def test_start_chat_after_the_suggestions_queues_the_question_by_keyboard_alone(server, host_site, new_page):
    faq_shop(server, host_site)
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    box = widget.get_by_label("Your question")
    box.fill("How do I send back a jacket?")
    box.press("Enter")
    expect(widget.get_by_role("heading", name="These answers may help")).to_be_focused()
    page.keyboard.press("Tab")
    toggle = widget.get_by_role("button", name="How do I return an item?")
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    start = widget.get_by_role("button", name="Start chat")
    for _ in range(10):
        page.keyboard.press("Tab")
        if start.evaluate("button => button === document.activeElement"):
            break
    expect(start).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    expect(widget.get_by_role("log", name="Messages")).to_contain_text("How do I send back a jacket?")
    chat = Chat.objects.get()
    assert chat.status == ChatStatus.QUEUED
    assert chat.messages.filter(body="How do I send back a jacket?").exists()


def test_a_question_the_faq_does_not_cover_goes_straight_to_the_queue(server, host_site, new_page):
    faq_shop(server, host_site)
    page = new_page()
    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, "Do you sell bicycles?")
    expect(widget.get_by_text("You are number 1 in the queue.")).to_be_visible()
    expect(widget.get_by_role("heading", name="These answers may help")).to_be_hidden()
    assert SuggestionSession.objects.count() == 0


def test_a_phrasing_the_administrator_adds_brings_a_customers_wording_to_its_entry(server, host_site, new_page):
    entry = faq_shop(server, host_site)
    get_user_model().objects.create_superuser("root", "root@example.com", ADMIN_PASSWORD)
    question = "my husband hates the colour of the sofa"
    admin = new_page()
    admin.goto(f"{server.url}/admin/login/")
    admin.get_by_label("Username").fill("root")
    admin.get_by_label("Password").fill(ADMIN_PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.goto(f"{server.url}/admin/faq/entry/{entry.pk}/change/")
    admin.get_by_label("Other ways customers ask").fill("the jacket is too big\nmy husband hates the colour")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("was changed successfully")
    entry.refresh_from_db()
    assert entry.phrasings == "the jacket is too big\nmy husband hates the colour"

    # The server embeds the changed entry in the background on its first question after the change
    # (the model's first load takes seconds): until then its suggestions are lexical, and say nothing here.
    page = new_page()
    deadline = time.monotonic() + 60
    while True:
        answer = page.request.post(
            f"{server.url}/chat/shop/api/faq", data={"question": question}, headers={"Origin": server.url}
        ).json()
        if answer["entries"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert [found["question"] for found in answer["entries"]] == ["How do I return an item?"]

    page.goto(f"{host_site.origin}/index.html")
    widget = open_widget(page)
    fill_prechat(widget)
    ask(widget, question)
    expect(widget.get_by_role("heading", name="These answers may help")).to_be_focused()
    expect(widget.get_by_role("button", name="How do I return an item?")).to_be_visible()
    expect(widget.get_by_text("the jacket is too big")).to_have_count(0)  # customers never see phrasings
