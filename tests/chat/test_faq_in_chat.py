"""
FAQ entries sent into a chat (chat.conversations.faq_entries): searched from
the dashboard in the customer's language, stored as a message of kind ``faq``
through the log, delivered to the customer's socket, answered by the widget's
endpoint only for the chat's token and only for an entry sent into the chat.
"""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from chat.conversations import faq_entries
from chat.conversations.models import Chat, Message, MessageKind
from chat.conversations.transcript import render_transcript
from faq.models import Category, ChannelCategory, Entry
from tests.chat.test_consumers import talking
from tests.chat.test_postchat import active_chat
from tests.support.http import post_json
from tests.support.sockets import agent_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = "<p>Send it back within <strong>30 days</strong>.</p>"


def faq_of(channel, *entries, language="en"):
    category = Category.objects.create(name=f"FAQ of {channel.slug} {language}")
    ChannelCategory.objects.create(channel=channel, category=category)
    return [
        Entry.objects.create(category=category, language=language, question=question, answer=answer)
        for question, answer in entries
    ]


@pytest.fixture
def faq_chat(make_channel, make_chat):
    channel = make_channel(language="en")
    returns, delivery = faq_of(
        channel, ("How do I return an item?", ANSWER), ("When will my parcel arrive?", "<p>In two days.</p>")
    )
    chat, token = make_chat(channel)
    return chat, token, returns, delivery


async def test_an_entry_sent_is_a_faq_message_that_the_customer_receives(faq_chat, make_agent):
    chat, token, returns, _delivery = faq_chat
    customer, dashboard = await talking(chat, token, make_agent, first_name="Anna")
    await dashboard.send_json_to({"type": "send_faq", "chat_id": chat.pk, "client_id": "f-1", "entry_id": returns.pk})
    frames = await receive_until(dashboard, "ack")
    assert frames[-1] == {"type": "ack", "chat_id": chat.pk, "client_id": "f-1", "seq": 3}
    received = (await receive_until(customer, "message"))[-1]["message"]
    assert received["kind"] == "faq" and received["seq"] == 3 and received["author_name"] == "Anna"
    assert received["body"] == "How do I return an item?"
    assert received["params"] == {"entry_id": returns.pk, "question": "How do I return an item?"}
    # A resend is stored once.
    await dashboard.send_json_to({"type": "send_faq", "chat_id": chat.pk, "client_id": "f-1", "entry_id": returns.pk})
    assert (await receive_until(dashboard, "ack"))[-1]["seq"] == 3
    assert await database_sync_to_async(Message.objects.filter(chat=chat, kind=MessageKind.FAQ).count)() == 1
    await customer.disconnect()
    await dashboard.disconnect()


async def test_an_entry_of_another_channel_or_unpublished_is_refused(faq_chat, make_agent, make_channel):
    chat, token, returns, _delivery = faq_chat
    other_channel = await database_sync_to_async(make_channel)()
    (foreign,) = await database_sync_to_async(faq_of)(other_channel, ("Secret of another shop?", "<p>No.</p>"))
    (german,) = await database_sync_to_async(faq_of)(
        chat.channel, ("Wie sende ich zurück?", "<p>So.</p>"), language="de"
    )
    hidden = await database_sync_to_async(Entry.objects.create)(
        category=returns.category, language="en", question="Draft", answer="<p>x</p>", published=False
    )
    customer, dashboard = await talking(chat, token, make_agent)
    for entry_id in (foreign.pk, german.pk, hidden.pk, 2**50):
        await dashboard.send_json_to({"type": "send_faq", "chat_id": chat.pk, "client_id": "f-x", "entry_id": entry_id})
        error = (await receive_until(dashboard, "error"))[-1]
        assert (error["code"], error["client_id"]) == ("unknown_entry", "f-x")
        assert error["message"] == "This FAQ entry does not exist in the chat's channel."
    for bad in ({"entry_id": "1"}, {"entry_id": 0}, {"entry_id": True}, {"client_id": ""}):
        frame = {"type": "send_faq", "chat_id": chat.pk, "client_id": "f-y", "entry_id": returns.pk, **bad}
        await dashboard.send_json_to(frame)
        assert (await receive_until(dashboard, "error"))[-1]["code"] == "invalid_frame"
    assert not await database_sync_to_async(Message.objects.filter(kind=MessageKind.FAQ).exists)()
    assert await customer.receive_nothing(timeout=0.3)
    await customer.disconnect()
    await dashboard.disconnect()


def test_the_agents_search_finds_an_entry_by_the_way_customers_ask(faq_chat):
    chat, _token, returns, _delivery = faq_chat
    returns.phrasings = "the jacket is too big, how do I get rid of it"
    returns.save()
    # A customer's words pasted into the search: in no question, keyword or answer, but in the phrasings.
    assert [entry.pk for entry in faq_entries.search(chat, "too big, how do I get rid")] == [returns.pk]


async def test_only_the_chats_agent_may_search_and_send(faq_chat, make_agent):
    chat, token, returns, _delivery = faq_chat
    customer, dashboard = await talking(chat, token, make_agent)
    colleague = await database_sync_to_async(make_agent)(chat.channel)
    socket = await agent_socket(colleague)
    await receive_until(socket, "state")
    for frame in (
        {"type": "send_faq", "chat_id": chat.pk, "client_id": "f-1", "entry_id": returns.pk},
        {"type": "faq_search", "chat_id": chat.pk, "q": "return"},
    ):
        await socket.send_json_to(frame)
        assert (await receive_until(socket, "error"))[-1]["code"] == "not_your_chat"
    await socket.disconnect()
    await customer.disconnect()
    await dashboard.disconnect()


async def test_the_search_finds_the_channels_entries_in_the_customers_language(faq_chat, make_agent, make_channel):
    chat, token, returns, delivery = faq_chat
    other_channel = await database_sync_to_async(make_channel)()
    await database_sync_to_async(faq_of)(other_channel, ("How do I return a bike?", "<p>No.</p>"))
    customer, dashboard = await talking(chat, token, make_agent)
    searches = [
        ("returning", [returns.pk]),  # a stem
        ("parc", [delivery.pk]),  # a word half typed
        ("", [returns.pk, delivery.pk]),  # no query: the first entries
        ("zebra", []),
        ("days", [returns.pk, delivery.pk]),  # only in the answers: the agent finds them, a customer would not
    ]
    for query, expected in searches:
        await dashboard.send_json_to({"type": "faq_search", "chat_id": chat.pk, "q": query})
        results = (await receive_until(dashboard, "faq_results"))[-1]
        assert results["chat_id"] == chat.pk and results["q"] == query
        assert sorted(entry["id"] for entry in results["entries"]) == sorted(expected), query
    await dashboard.send_json_to({"type": "faq_search", "chat_id": chat.pk, "q": "x" * 201})
    assert (await receive_until(dashboard, "error"))[-1]["code"] == "invalid_frame"

    # A German-speaking customer gets the German entries.
    await database_sync_to_async(Chat.objects.filter(pk=chat.pk).update)(language="de")
    (german,) = await database_sync_to_async(faq_of)(
        chat.channel, ("Wie sende ich einen Artikel zurück?", "<p>So.</p>"), language="de"
    )
    await dashboard.send_json_to({"type": "faq_search", "chat_id": chat.pk, "q": "zurücksenden Artikel"})
    results = (await receive_until(dashboard, "faq_results"))[-1]
    assert [entry["id"] for entry in results["entries"]] == [german.pk]
    await customer.disconnect()
    await dashboard.disconnect()


# The widget's answer -----------------------------------------------------------


def test_the_widget_gets_the_answer_of_a_sent_entry_only_with_the_chats_token(make_channel, make_agent, make_chat):
    chat, agent, token = active_chat(make_channel, make_agent, make_chat)
    returns, unsent = faq_of(chat.channel, ("How do I return an item?", ANSWER), ("Unsent?", "<p>No.</p>"))
    faq_entries.send_entry(chat, agent=agent, entry_id=returns.pk, client_id="f-1")
    other_chat, other_token = make_chat(chat.channel)
    client = Client()
    url = f"/chat/{chat.channel.slug}/api/chat-faq/"

    response = post_json(client, url + str(returns.pk), headers={"X-Chat-Token": token})
    assert response.status_code == 200
    assert response.json()["question"] == "How do I return an item?"
    assert response.json()["answer"] == ANSWER

    assert post_json(client, url + str(unsent.pk), headers={"X-Chat-Token": token}).status_code == 404
    # Another chat's token does not open this chat's entries.
    assert post_json(client, url + str(returns.pk), headers={"X-Chat-Token": other_token}).status_code == 404
    assert post_json(client, url + str(returns.pk)).json()["error"]["code"] == "unknown_token"
    # Nor another channel's URL.
    other = make_channel()
    assert (
        post_json(client, f"/chat/{other.slug}/api/chat-faq/{returns.pk}", headers={"X-Chat-Token": token}).status_code
        == 404
    )
    assert post_json(client, url + str(2**63), headers={"X-Chat-Token": token}).status_code == 404
    assert other_chat.pk != chat.pk


def test_the_transcript_shows_the_entrys_question_and_answer_as_text(make_channel, make_agent, make_chat):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat, transcript_enabled=True)
    (returns,) = faq_of(chat.channel, ("How do I return an item?", ANSWER))
    faq_entries.send_entry(chat, agent=agent, entry_id=returns.pk, client_id="f-1")
    _subject, text, html = render_transcript(chat)
    assert "Anna: FAQ entry: How do I return an item?" in text
    assert "Send it back within 30 days." in text
    # The answer goes as text: the HTML part escapes it like any message.
    assert "<strong>30 days" not in html and "FAQ entry: How do I return an item?<br>Send it back" in html
