"""The widget's FAQ endpoints: suggestions, opened, answered; counters and the share of chats avoided."""

import pytest

from chat.widget import faq as views
from faq.models import Entry, SuggestionOutcome, SuggestionSession
from tests.support.http import post_json


@pytest.fixture
def shop(faq_channel, make_category, make_entry):
    channel = faq_channel("en", slug="shop")
    category = make_category(channel)
    entry = make_entry(category, "How do I return an item?", '<p>Use the <a href="https://x.example/r">label</a>.</p>')
    make_entry(category, "How much does shipping cost?")
    return channel, entry


def ask(client, question, slug="shop"):
    return post_json(client, f"/chat/{slug}/api/faq", {"question": question})


def test_suggestions_come_ranked_with_id_question_sanitized_answer_and_score(client, shop):
    channel, entry = shop
    response = ask(client, "How do I send back my item?")
    assert response.status_code == 200
    data = response.json()
    assert [item["id"] for item in data["entries"]] == [entry.pk]
    item = data["entries"][0]
    assert item["question"] == "How do I return an item?"
    assert 'rel="noopener noreferrer nofollow"' in item["answer"]
    assert item["score"] > 0
    assert SuggestionSession.objects.get(key=data["session"]).shown_count == 1
    entry.refresh_from_db()
    assert entry.suggested_count == 1


def test_no_match_means_no_entries_and_no_session(client, shop):
    data = ask(client, "what is the weather tomorrow").json()
    assert data == {"entries": [], "session": None}
    assert SuggestionSession.objects.count() == 0


def test_suggestions_off_means_no_entries(client, shop):
    channel, _entry = shop
    channel.faq_enabled = False
    channel.save()
    assert ask(client, "return item").json()["entries"] == []


def test_an_empty_question_is_refused_in_the_channels_language(client, faq_channel):
    faq_channel("de", slug="laden")
    response = ask(client, "  ", slug="laden")
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid_query", "message": "Bitte geben Sie Ihre Frage ein."}


@pytest.mark.parametrize("question", [None, 42, ["return"], {"q": "return"}])
def test_a_question_that_is_not_text_is_refused(client, shop, question):
    response = post_json(client, "/chat/shop/api/faq", {"question": question})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_query"


def test_the_question_travels_in_the_body_not_in_the_url(client, shop):
    response = ask(client, "How do I return an item?")
    assert response.status_code == 200
    assert response.wsgi_request.META["QUERY_STRING"] == ""
    assert response.wsgi_request.method == "POST"
    assert client.get("/chat/shop/api/faq", {"q": "How do I return an item?"}).status_code == 405


@pytest.mark.parametrize("session", [42, ["x"], "x" * 33])
def test_a_session_that_is_not_one_is_refused_as_an_invalid_form(client, shop, session):
    _channel, entry = shop
    response = post_json(client, f"/chat/shop/api/faq/{entry.pk}/opened", {"session": session})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_form"
    assert "session" in response.json()["fields"]


def test_an_entry_id_beyond_any_database_key_is_unknown(client, shop):
    response = post_json(client, f"/chat/shop/api/faq/{2**64}/opened", {})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_entry"


def test_a_too_long_question_is_refused(client, shop):
    response = ask(client, "x" * 4001)
    assert response.status_code == 400


def test_questions_are_rate_limited_per_address(client, shop, monkeypatch):
    monkeypatch.setattr(views, "QUERY_LIMIT", 2)
    from django.core.cache import cache

    cache.clear()
    codes = [ask(client, "return").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_opened_and_answered_count_on_the_entry(client, shop):
    _channel, entry = shop
    session = ask(client, "return item").json()["session"]
    assert post_json(client, f"/chat/shop/api/faq/{entry.pk}/opened", {"session": session}).json() == {"ok": True}
    assert post_json(client, f"/chat/shop/api/faq/{entry.pk}/answered", {"session": session}).status_code == 200
    entry.refresh_from_db()
    assert (entry.suggested_count, entry.opened_count, entry.answered_count) == (1, 1, 1)
    stored = SuggestionSession.objects.get(key=session)
    assert stored.outcome == SuggestionOutcome.ANSWERED and stored.answered_entry == entry


def test_answered_counts_once_per_session(client, shop):
    _channel, entry = shop
    session = ask(client, "return item").json()["session"]
    for _ in range(3):
        post_json(client, f"/chat/shop/api/faq/{entry.pk}/answered", {"session": session})
    entry.refresh_from_db()
    assert entry.answered_count == 1


def test_an_entry_the_channel_does_not_suggest_is_unknown(client, shop, faq_channel, make_category, make_entry):
    other = make_entry(make_category(faq_channel("en")), "Secret entry of another channel")
    hidden = make_entry(Entry.objects.get(pk=shop[1].pk).category, "Draft", published=False)
    for entry in (other, hidden):
        response = post_json(client, f"/chat/shop/api/faq/{entry.pk}/answered", {})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "unknown_entry"
    assert Entry.objects.filter(answered_count__gt=0).count() == 0


def test_a_body_that_is_not_json_is_refused(client, shop):
    _channel, entry = shop
    response = post_json(client, f"/chat/shop/api/faq/{entry.pk}/opened", "nope")
    assert response.status_code == 400


def test_the_admin_shows_counters_and_the_share_of_chats_avoided(admin_client, client, shop):
    _channel, entry = shop
    first = ask(client, "return item").json()["session"]
    ask(client, "return item")
    post_json(client, f"/chat/shop/api/faq/{entry.pk}/answered", {"session": first})
    stats = admin_client.get("/admin/chat/channelfaqstats/")
    assert stats.status_code == 200
    assert "50%" in stats.content.decode()
    entries = admin_client.get("/admin/faq/entry/")
    assert entries.status_code == 200
    change = admin_client.get(f"/admin/faq/entry/{entry.pk}/change/")
    assert 'rel="noopener noreferrer nofollow"' in change.content.decode()  # the preview


def test_the_channel_admin_page_offers_faq_settings_and_categories(admin_client, shop):
    channel, _entry = shop
    page = admin_client.get(f"/admin/chat/channel/{channel.pk}/change/").content.decode()
    assert "faq_enabled" in page and "faq_max_suggestions" in page and "faq_category_links" in page


def test_a_customer_gets_suggestions_in_the_language_the_widget_speaks_to_them(
    client, faq_channel, make_category, make_entry
):
    from chat.configuration.models import ChannelText

    channel = faq_channel("en", slug="bilingual")
    ChannelText.objects.create(channel=channel, language="de", button_label="Schreiben Sie uns")
    category = make_category(channel)
    english = make_entry(category, "How do I return an item?")
    german = make_entry(category, "Wie sende ich einen Artikel zurück?", language="de")

    def ask_in(language, question):
        return post_json(
            client, "/chat/bilingual/api/faq", {"question": question}, HTTP_ACCEPT_LANGUAGE=language
        ).json()

    assert [e["id"] for e in ask_in("de-DE,de;q=0.9", "Artikel zurücksenden")["entries"]] == [german.pk]
    assert [e["id"] for e in ask_in("en", "return an item")["entries"]] == [english.pk]
    # Opening the German answer counts on the German entry.
    session = ask_in("de", "Artikel zurücksenden")["session"]
    response = post_json(
        client, f"/chat/bilingual/api/faq/{german.pk}/opened", {"session": session}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 200
    german.refresh_from_db()
    assert german.opened_count == 1


def test_a_customer_whose_language_has_no_entries_gets_the_channels_own(client, faq_channel, make_category, make_entry):
    from chat.configuration.models import ChannelText

    channel = faq_channel("en", slug="english-faq")
    ChannelText.objects.create(channel=channel, language="de", button_label="Schreiben Sie uns")
    english = make_entry(make_category(channel), "How do I return an item?")
    data = post_json(
        client, "/chat/english-faq/api/faq", {"question": "return an item"}, HTTP_ACCEPT_LANGUAGE="de"
    ).json()
    assert [e["id"] for e in data["entries"]] == [english.pk]
