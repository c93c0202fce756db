"""
The post-chat form below a chat the agent ended, in Chromium at the widget's
default size (370 x 560, static/widget/loader.js), in English and German:
every control is in view without scrolling and the log keeps a readable
height beside it.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import make_shop_channel, open_widget, shop_page
from tests.browser.test_files import widget_frame
from tests.browser.test_journey import make_agent, open_dashboard
from tests.support.axe import assert_no_blocking_violations

# The log's least height beside the form (widget.css): about five lines.
LOG_MIN_HEIGHT = 120

LABELS = {
    "en": {
        "name": "Name",
        "email": "E-mail",
        "continue": "Continue",
        "question": "Your question",
        "log": "Messages",
        "ended": "Anna ended the chat.",
        "legend": "How satisfied are you with our service?",
        "ratings": ["1 Very poor", "2 Poor", "3 Okay", "4 Good", "5 Very good"],
        "comment": "Comment (optional)",
        "transcript": "Send me a transcript by e-mail",
        "buttons": ["Send", "Close without rating", "Write again"],
        "end": "End chat",
        "back": "Back to chat",
    },
    "de": {
        "name": "Name",
        "email": "E-Mail",
        "continue": "Weiter",
        "question": "Ihre Frage",
        "log": "Nachrichten",
        "ended": "Anna hat den Chat beendet.",
        "legend": "Wie zufrieden sind Sie mit unserem Service?",
        "ratings": ["1 Sehr schlecht", "2 Schlecht", "3 In Ordnung", "4 Gut", "5 Sehr gut"],
        "comment": "Kommentar (optional)",
        "transcript": "Chatverlauf per E-Mail an mich senden",
        "buttons": ["Senden", "Ohne Bewertung schließen", "Erneut schreiben"],
        "end": "Chat beenden",
        "back": "Zurück zum Chat",
    },
}

# Why an element is not fully in view: outside the frame's viewport, cut off
# by a box that clips or scrolls its content, or covered by something else.
NOT_IN_VIEW = """
(element) => {
  const r = element.getBoundingClientRect();
  if (!r.width || !r.height) return 'no size';
  if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) return 'outside the frame';
  for (let box = element.parentElement; box; box = box.parentElement) {
    const style = getComputedStyle(box);
    if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
    const b = box.getBoundingClientRect();
    if (r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5 || r.left < b.left - 0.5 || r.right > b.right + 0.5) {
      return 'clipped by ' + (box.id || box.className || box.tagName);
    }
  }
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!hit || !(hit === element || element.contains(hit))) return 'covered by ' + (hit ? hit.id || hit.tagName : 'nothing');
  return '';
}
"""


def chat_the_agent_ends(new_page, server, host_site, language):
    words = LABELS[language]
    make_shop_channel(
        host_site,
        make_agent(),
        language=language,
        button_label="Chat",
        welcome_message="Hello, this is Anna.",
        postchat_enabled=True,
        transcript_enabled=True,
    )
    dashboard = open_dashboard(new_page, server)
    host_site.add_page("index.html", shop_page(server, "shop"))
    customer = new_page()
    customer.goto(f"{host_site.origin}/index.html")
    widget = open_widget(customer, label="Chat")
    widget.get_by_label(words["name"], exact=True).fill("Erika Mustermann")
    widget.get_by_label(words["email"], exact=True).fill("erika@example.com")
    widget.get_by_role("button", name=words["continue"]).click()
    question = widget.get_by_label(words["question"])
    question.fill("My parcel has not arrived, it was due on Monday.")
    question.press("Enter")
    dashboard.get_by_role("button", name="Take Erika Mustermann").click()

    log = widget.get_by_role("log", name=words["log"])
    composer = dashboard.get_by_label("Message", exact=True)
    # An answer, so that the transcript is offered too: the longest form.
    for text in ("Let me check the tracking number.", "It left our warehouse on Friday.", "It arrives tomorrow."):
        composer.fill(text)
        composer.press("Enter")
        expect(log).to_contain_text(text)

    # Closing it themselves first, the customer gets the form as a screen of its own, all in view too.
    widget.get_by_role("button", name=words["end"]).click()
    on_screen = postchat_controls(widget, words, words["buttons"][:2] + [words["back"]])
    assert_all_in_view(on_screen)
    widget.get_by_role("button", name=words["back"]).click()
    expect(log).to_be_visible()

    dashboard.get_by_role("button", name="Chat menu").click()
    dashboard.get_by_role("menuitem", name="End chat").click()
    dashboard.get_by_role("dialog").get_by_role("button", name="End chat").click()
    expect(log).to_contain_text(words["ended"])
    return customer, widget, log


def postchat_controls(widget, words, buttons):
    rating = widget.get_by_role("group", name=words["legend"])
    controls = [rating.get_by_role("radio", name=name, exact=True) for name in words["ratings"]]
    controls.append(widget.get_by_label(words["comment"]))
    controls.append(widget.get_by_label(words["transcript"]))
    controls += [widget.get_by_role("button", name=name, exact=True) for name in buttons]
    return controls


def assert_all_in_view(controls):
    for control in controls:
        expect(control).to_be_visible()
    assert {str(control): control.evaluate(NOT_IN_VIEW) for control in controls} == {
        str(control): "" for control in controls
    }


@pytest.mark.parametrize("language", ["en", "de"])
def test_after_the_agent_ends_every_postchat_control_is_in_view_beside_a_readable_log(
    server, host_site, new_page, language
):
    words = LABELS[language]
    customer, widget, log = chat_the_agent_ends(new_page, server, host_site, language)
    frame = customer.locator("iframe[title]").bounding_box()
    assert (frame["width"], frame["height"]) == (370, 560)  # the loader's default size

    controls = postchat_controls(widget, words, words["buttons"])
    assert_all_in_view(controls)
    assert_all_in_view([log.get_by_text(words["ended"])])  # the log's end, not scrolled away by the form
    assert log.bounding_box()["height"] >= LOG_MIN_HEIGHT
    assert_no_blocking_violations(widget_frame(customer), "on the post-chat form below the log")

    # Filled in, the form keeps its place: still nothing to scroll to.
    widget.get_by_role("radio", name=words["ratings"][3], exact=True).check()
    widget.get_by_label(words["comment"]).fill("Quick and friendly, thank you.")
    widget.get_by_label(words["transcript"]).check()
    assert_all_in_view(controls)
    assert log.bounding_box()["height"] >= LOG_MIN_HEIGHT

    # A lower window makes the frame lower (the loader: 104 px less than the
    # window): the form scrolls in its box, the log keeps its height.
    customer.set_viewport_size({"width": 1280, "height": 560})
    expect(customer.locator("iframe[title]")).to_have_js_property("offsetHeight", 456)
    assert log.bounding_box()["height"] >= LOG_MIN_HEIGHT
    send = widget.get_by_role("button", name=words["buttons"][0], exact=True)
    send.scroll_into_view_if_needed()
    assert send.evaluate(NOT_IN_VIEW) == ""
    assert log.bounding_box()["height"] >= LOG_MIN_HEIGHT
    send.click()
    expect(widget.locator("#hd-postchat-thanks")).to_be_visible()
