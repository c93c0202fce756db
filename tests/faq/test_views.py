"""The widget's FAQ endpoints: suggestions, opened, answered; counters and the share of chats avoided."""
import pytest

from faq import views
from faq.models import Entry, SuggestionOutcome, SuggestionSession


@pytest.fixture
def shop(faq_channel, make_category, make_entry):
    channel = faq_channel("en", slug="shop")
    category = make_category(channel)
    entry = make_entry(category, "How do I return an item?", '<p>Use the <a href="https://x.example/r">label</a>.</p>')
    make_entry(category, "How much does shipping cost?")
    return channel, entry


def test_suggestions_come_ranked_with_id_question_sanitized_answer_and_score(client, shop):
    channel, entry = shop
    response = client.get("/chat/shop/api/faq", {"q": "How do I send back my item?"})
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
    data = client.get("/chat/shop/api/faq", {"q": "what is the weather tomorrow"}).json()
    assert data == {"entries": [], "session": None}
    assert SuggestionSession.objects.count() == 0


def test_suggestions_off_means_no_entries(client, shop):
    channel, _entry = shop
    channel.faq_enabled = False
    channel.save()
    assert client.get("/chat/shop/api/faq", {"q": "return item"}).json()["entries"] == []


def test_an_empty_question_is_refused_in_the_channels_language(client, faq_channel):
    faq_channel("de", slug="laden")
    response = client.get("/chat/laden/api/faq", {"q": "  "})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_query"


def test_a_too_long_question_is_refused(client, shop):
    response = client.get("/chat/shop/api/faq", {"q": "x" * 4001})
    assert response.status_code == 400


def test_questions_are_rate_limited_per_address(client, shop, monkeypatch):
    monkeypatch.setattr(views, "QUERY_LIMIT", 2)
    from django.core.cache import cache

    cache.clear()
    codes = [client.get("/chat/shop/api/faq", {"q": "return"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_opened_and_answered_count_on_the_entry(client, shop):
    _channel, entry = shop
    session = client.get("/chat/shop/api/faq", {"q": "return item"}).json()["session"]
    assert client.post(f"/chat/shop/api/faq/{entry.pk}/opened", {"session": session}, content_type="application/json").json() == {"ok": True}
    assert client.post(f"/chat/shop/api/faq/{entry.pk}/answered", {"session": session}, content_type="application/json").status_code == 200
    entry.refresh_from_db()
    assert (entry.suggested_count, entry.opened_count, entry.answered_count) == (1, 1, 1)
    stored = SuggestionSession.objects.get(key=session)
    assert stored.outcome == SuggestionOutcome.ANSWERED and stored.answered_entry == entry


def test_answered_counts_once_per_session(client, shop):
    _channel, entry = shop
    session = client.get("/chat/shop/api/faq", {"q": "return item"}).json()["session"]
    for _ in range(3):
        client.post(f"/chat/shop/api/faq/{entry.pk}/answered", {"session": session}, content_type="application/json")
    entry.refresh_from_db()
    assert entry.answered_count == 1


def test_an_entry_the_channel_does_not_suggest_is_unknown(client, shop, faq_channel, make_category, make_entry):
    other = make_entry(make_category(faq_channel("en")), "Secret entry of another channel")
    hidden = make_entry(Entry.objects.get(pk=shop[1].pk).category, "Draft", published=False)
    for entry in (other, hidden):
        response = client.post(f"/chat/shop/api/faq/{entry.pk}/answered", {}, content_type="application/json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "unknown_entry"
    assert Entry.objects.filter(answered_count__gt=0).count() == 0


def test_a_body_that_is_not_json_is_refused(client, shop):
    _channel, entry = shop
    response = client.post(f"/chat/shop/api/faq/{entry.pk}/opened", "nope", content_type="application/json")
    assert response.status_code == 400


def test_the_admin_shows_counters_and_the_share_of_chats_avoided(admin_client, client, shop):
    _channel, entry = shop
    first = client.get("/chat/shop/api/faq", {"q": "return item"}).json()["session"]
    client.get("/chat/shop/api/faq", {"q": "return item"})
    client.post(f"/chat/shop/api/faq/{entry.pk}/answered", {"session": first}, content_type="application/json")
    stats = admin_client.get("/admin/faq/channelfaqstats/")
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
