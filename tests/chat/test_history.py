"""The agents' history: who may read which past chat, what a past chat shows, and the search by each key."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.conversations import history, postchat, services
from chat.conversations.models import Chat, ChatNote, Message, MessageKind, Party
from requests_app.models import RequestSource
from requests_app.services import create_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(make_channel, make_agent, make_chat):
    """Two channels; the agent works in "Shop" only. Each channel has chats by Erika and others."""
    shop = make_channel(name="Shop", transcript_enabled=True)
    other = make_channel(name="Other")
    agent = make_agent(shop, first_name="Anna")
    erika, _ = make_chat(
        shop,
        name="Erika Mustermann",
        email="erika@example.com",
        question="Wo bleibt meine Rechnung?",
        form_data=[{"key": "customer_number", "label": "Customer number", "value": "K-77"}],
    )
    max_chat, _ = make_chat(shop, name="Max Power", email="max@example.org", question="My invoice is wrong")
    hidden, _ = make_chat(other, name="Erika Mustermann", email="erika@example.com", question="Rechnung elsewhere")
    return {"shop": shop, "other": other, "agent": agent, "erika": erika, "max": max_chat, "hidden": hidden}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def found(client, **params):
    response = client.get("/agent/history/", params)
    assert response.status_code == 200
    results = response.context["results"]
    return [chat.pk for chat in results.chats] if results is not None else None


# Who may read --------------------------------------------------------------------


def test_not_logged_in_goes_to_the_login(shop):
    for url in ("/agent/history/", f"/agent/history/{shop['erika'].pk}/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_user_of_no_channel_is_refused(shop):
    nobody = get_user_model().objects.create_user(username="nobody", password="x-password-123")

    assert logged_in(nobody).get("/agent/history/").status_code == 403
    assert logged_in(nobody).get(f"/agent/history/{shop['erika'].pk}/").status_code == 403


def test_another_channels_chat_is_not_found(shop):
    client = logged_in(shop["agent"])

    assert client.get(f"/agent/history/{shop['hidden'].pk}/").status_code == 404
    assert client.get("/agent/history/999999/").status_code == 404
    assert client.get(f"/agent/history/{shop['erika'].pk}/").status_code == 200


def test_history_pages_take_no_post(shop):
    assert logged_in(shop["agent"]).post("/agent/history/").status_code == 405


# A past chat ---------------------------------------------------------------------


def test_a_past_chat_shows_conversation_notes_form_rating_transcript_page_and_browser(shop, settings):
    settings.LANGUAGE_CODE = "en"
    chat, agent = shop["erika"], shop["agent"]
    from chat.conversations import assignment

    assignment.accept_chat(chat, agent=agent)
    services.post_message(chat, author=Party.AGENT, body="<b>Ihre Rechnung</b> kommt morgen.", agent=agent)
    log_seq = Chat.objects.get(pk=chat.pk).last_seq + 1
    Message.objects.create(
        chat=chat, seq=log_seq, author=Party.AGENT, agent=agent, kind=MessageKind.FAQ,
        body="", params={"entry": 1, "question": "How long does delivery take?"},
    )  # fmt: skip
    Chat.objects.filter(pk=chat.pk).update(last_seq=log_seq)
    ChatNote.objects.create(chat=chat, agent=agent, body="Customer is a VIP")
    Chat.objects.filter(pk=chat.pk).update(
        page_url="https://shop.example/invoices",
        page_title="Invoices",
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    )
    postchat.submit_postchat(
        Chat.objects.get(pk=chat.pk), rating=5, comment="Sehr gut", send_transcript=True
    )  # fmt: skip

    response = logged_in(agent).get(f"/agent/history/{chat.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()

    assert response.status_code == 200
    assert "Wo bleibt meine Rechnung?" in page
    assert "&lt;b&gt;Ihre Rechnung&lt;/b&gt; kommt morgen." in page, "agent text is escaped, never HTML"
    assert "FAQ entry: How long does delivery take?" in page
    assert "Anna joined the chat." in page and "The customer ended the chat." in page
    assert "Internal note" in page and "Customer is a VIP" in page
    assert "Customer number" in page and "K-77" in page
    assert "5 of 5" in page and "Sehr gut" in page
    assert "Asked for by e-mail" in page
    assert 'href="https://shop.example/invoices" target="_blank" rel="noopener noreferrer"' in page
    assert "Firefox 121, Windows 10" in page


def test_a_chat_without_transcript_says_so(shop):
    page = logged_in(shop["agent"]).get(f"/agent/history/{shop['max'].pk}/").content.decode()

    assert "Not asked for" in page
    assert "No rating" in page


# Searching -----------------------------------------------------------------------


def test_an_empty_search_lists_the_agents_channels_newest_first(shop):
    assert found(logged_in(shop["agent"])) == [shop["max"].pk, shop["erika"].pk]


def test_search_by_name_part_any_case(shop):
    assert found(logged_in(shop["agent"]), q="mustermann") == [shop["erika"].pk]


def test_search_by_email(shop):
    client = logged_in(shop["agent"])

    assert found(client, q="Erika@Example.com") == [shop["erika"].pk]
    assert found(client, q="@example.org") == [shop["max"].pk]


def test_search_by_request_id_finds_the_chat_it_was_made_from(shop):
    request = create_request(
        shop["shop"], name="Max", email="max@example.org", question="Call back",
        source=RequestSource.CHAT, chat=shop["max"],
    )  # fmt: skip
    hidden = create_request(
        shop["other"], name="Erika", email="erika@example.com", question="x",
        source=RequestSource.CHAT, chat=shop["hidden"],
    )  # fmt: skip
    client = logged_in(shop["agent"])

    assert found(client, q=request.number.lower()) == [shop["max"].pk]
    assert found(client, q=hidden.number) == []


def test_search_by_message_text(shop):
    client = logged_in(shop["agent"])

    assert found(client, q="invoice") == [shop["max"].pk]
    assert found(client, q="Rechnung") == [shop["erika"].pk], "not the other channel's chat"
    assert found(client, q="nothing like this") == []


def test_search_filters_by_channel_and_date(shop, make_channel):
    client = logged_in(shop["agent"])
    today = timezone.localdate()
    Chat.objects.filter(pk=shop["max"].pk).update(created_at=timezone.now() - datetime.timedelta(days=10))

    assert found(client, channel=shop["shop"].pk, date_from=today.isoformat()) == [shop["erika"].pk]
    old = (today - datetime.timedelta(days=10)).isoformat()
    assert found(client, date_from=old, date_to=old) == [shop["max"].pk]


def test_a_channel_that_is_not_the_agents_is_an_invalid_choice(shop):
    response = logged_in(shop["agent"]).get("/agent/history/", {"channel": shop["other"].pk})

    assert response.status_code == 200
    assert response.context["results"] is None
    assert "channel" in response.context["form"].errors


@pytest.mark.parametrize(
    "params",
    [{"q": "x" * 201}, {"page": "abc"}, {"page": "0"}, {"page": "99999999999"}, {"date_from": "yesterday"}],
)
def test_invalid_search_input_gets_a_form_error_and_no_results(shop, params):
    response = logged_in(shop["agent"]).get("/agent/history/", params)

    assert response.status_code == 200
    assert response.context["results"] is None
    assert response.context["form"].errors


def test_results_come_in_pages_of_25(shop, make_chat):
    for number in range(30):
        make_chat(shop["shop"], name=f"Kunde {number}", email=f"k{number}@example.com", question="Paging")
    client = logged_in(shop["agent"])

    first = client.get("/agent/history/", {"q": "Paging"})
    second = client.get("/agent/history/", {"q": "Paging", "page": 2})

    assert len(first.context["results"].chats) == 25 and first.context["next_url"] == "?q=Paging&page=2"
    assert len(second.context["results"].chats) == 5 and second.context["next_url"] is None
    assert second.context["previous_url"] == "?q=Paging&page=1"
    assert not {c.pk for c in first.context["results"].chats} & {c.pk for c in second.context["results"].chats}


def test_the_search_query_is_cleaned():
    assert history.clean_query("  a \n b\t ") == "a b"
    assert history.clean_query(None) == ""
    assert len(history.clean_query("x" * 500)) == history.MAX_QUERY_LENGTH


# Full-text search on PostgreSQL --------------------------------------------------


@pytest.mark.production
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Rechnungen", "erika"),  # German stemming: the plural finds the singular
        ("invoices", "max"),  # English stemming
        ("Rechnung invoice", None),  # both words in one chat: none has both
    ],
)
def test_postgresql_finds_inflected_german_and_english_words(shop, query, expected):
    client = logged_in(shop["agent"])

    assert found(client, q=query) == ([shop[expected].pk] if expected else [])


@pytest.mark.production
def test_postgresql_uses_the_full_text_index(shop):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = history._chats_with_text("Rechnungen").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")

    assert "chat_message_search_idx" in plan


def test_the_search_page_costs_the_same_queries_for_few_results_and_many(
    shop, make_chat, django_assert_max_num_queries
):
    client = logged_in(shop["agent"])
    client.get("/agent/history/")  # the session and the user, read once

    with CaptureQueriesContext(connection) as few:
        client.get("/agent/history/")
    for number in range(20):
        make_chat(shop["shop"], name=f"Kunde {number}", email=f"k{number}@example.com")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/agent/history/")
    assert len(response.context["results"].chats) == 22


@pytest.mark.parametrize("query", ["'&|!:*()", "a & | b", '"unclosed', "%_%", "\\", "-", "Rechnung -invoice", "or"])
def test_query_syntax_and_wildcards_never_break_the_search(shop, query):
    """websearch_to_tsquery takes any text; LIKE's own wildcards are escaped by Django."""
    ids = found(logged_in(shop["agent"]), q=query)

    assert set(ids) <= {shop["erika"].pk, shop["max"].pk}
    if query == "%_%":
        assert ids == []
