"""The widget's HTTP endpoints (docs/api.md): button config, widget page, starting a chat, its state."""

import hashlib
import json

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient, Client

from chat.conversations.models import Chat, ChatStatus, Message, Party
from tests.chat.widget_forms import GOOD_FORM, good_extra_fields, start_chat
from tests.support.http import post_json

# Button config and widget page -----------------------------------------------


@pytest.mark.django_db
def test_the_button_config_is_readable_by_an_allowed_origin(channel):
    response = Client().get("/chat/shop/api/button", headers={"Origin": "https://www.shop.example"})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://www.shop.example"
    assert "Origin" in response["Vary"]
    data = response.json()
    assert data == {
        "available": True,
        "hidden": False,
        "label": "Chat with us",
        "color": "#1a73e8",
        "textColor": data["textColor"],
        "language": "en",
    }
    assert data["textColor"] in ("#000000", "#ffffff", "#000", "#fff")


@pytest.mark.django_db
def test_the_button_config_without_an_origin_has_no_cors_header(channel):
    response = Client().get("/chat/shop/api/button")

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Origin" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["https://evil.example", "https://shop.example.evil.example", "null"])
def test_other_origins_get_only_the_refusal_of_the_button_config(channel, origin):
    # The refused answer is readable (the loader tells the site's owner) and holds nothing of the channel.
    response = Client().get("/chat/shop/api/button", headers={"Origin": origin})

    assert response.status_code == 403
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "no-store"
    assert "Origin" in response["Vary"]
    body = response.json()
    assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == "origin_not_allowed"
    assert "Chat with us" not in response.content.decode()
    assert "www.shop.example" not in response.content.decode()  # not a word of the allowed ones


@pytest.mark.django_db
def test_the_button_config_sets_no_cookie(channel):
    response = Client().get("/chat/shop/api/button", headers={"Origin": "https://shop.example"})

    assert not response.cookies


@pytest.mark.django_db
def test_an_unknown_channel_has_no_button_config():
    assert Client().get("/chat/nope/api/button").status_code == 404


@pytest.mark.django_db
def test_the_widget_page_may_be_framed_only_by_itself_and_the_channels_origins(channel):
    response = Client().get("/chat/shop/")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"].split("; ")
    assert "frame-ancestors 'self' https://shop.example https://www.shop.example" in policy
    assert "X-Frame-Options" not in response


@pytest.mark.django_db
def test_the_widget_page_of_a_channel_without_origins_may_be_framed_only_by_itself(make_channel):
    make_channel(slug="lonely", allowed_origins="")

    response = Client().get("/chat/lonely/")

    assert "frame-ancestors 'self'" in response["Content-Security-Policy"].split("; ")
    assert "X-Frame-Options" not in response


# api/start ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_starting_a_chat_queues_it_with_the_question_as_its_first_message(channel):
    response = await start_chat(AsyncClient(), question="  Where is my parcel?  ")

    assert response.status_code == 201
    data = response.json()
    chat = await Chat.objects.select_related("channel").aget(pk=data["state"]["chat_id"])
    assert chat.channel.slug == "shop"
    assert chat.status == ChatStatus.QUEUED
    assert chat.customer_name == "Erika Mustermann"
    assert chat.customer_email == "erika@example.com"
    assert chat.email_domain_verified is True
    messages = [m async for m in Message.objects.filter(chat=chat).order_by("seq")]
    assert [(m.seq, m.author, m.body) for m in messages] == [(1, Party.CUSTOMER, "Where is my parcel?")]
    assert data["state"]["status"] == "queued"
    assert data["state"]["position"] == 1
    assert data["state"]["last_seq"] == 1


@pytest.mark.django_db(transaction=True)
async def test_the_token_is_returned_once_and_only_its_hash_is_stored(channel):
    response = await start_chat(AsyncClient())

    token = response.json()["token"]
    assert isinstance(token, str) and len(token) >= 32
    chat = await Chat.objects.aget(pk=response.json()["state"]["chat_id"])
    assert chat.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [row async for row in Chat.objects.values()] + [row async for row in Message.objects.values()]
    assert token not in json.dumps(stored, default=str)
    assert token not in json.dumps(response.json()["state"])


@pytest.mark.django_db(transaction=True)
async def test_a_second_chat_waits_in_second_place(channel):
    client = AsyncClient()
    first = await start_chat(client, name="Erika")
    second = await start_chat(client, name="Max", email="max@example.org")

    assert first.json()["state"]["position"] == 1
    assert second.json()["state"]["position"] == 2
    assert first.json()["token"] != second.json()["token"]


@pytest.mark.django_db(transaction=True)
async def test_a_chat_whose_e_mail_domain_timed_out_is_marked_unverified(channel):
    response = await start_chat(AsyncClient(), email="erika@slow.example")

    assert response.status_code == 201
    chat = await Chat.objects.aget(pk=response.json()["state"]["chat_id"])
    assert chat.customer_email == "erika@slow.example"
    assert chat.email_domain_verified is False


@pytest.mark.django_db(transaction=True)
async def test_a_chat_keeps_the_extra_fields_of_the_form(form_channel):
    response = await start_chat(AsyncClient(), "forms", fields=good_extra_fields())

    assert response.status_code == 201
    chat = await Chat.objects.aget(pk=response.json()["state"]["chat_id"])
    values = {item["key"]: item["value"] for item in chat.form_data}
    assert values["customer_number"] == "K-1234"
    assert values["privacy"] is True
    assert values["topic"] == "Returns"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("question", ["", "   ", None])
async def test_a_chat_without_a_question_is_refused_and_not_created(channel, question):
    data = {**GOOD_FORM}
    if question is not None:
        data["question"] = question

    response = await post_json(AsyncClient(), "/chat/shop/api/start", data)

    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "empty"
    assert "question" in body["fields"]
    assert await Chat.objects.acount() == 0


@pytest.mark.django_db(transaction=True)
async def test_a_chat_with_a_refused_e_mail_is_not_created(channel):
    response = await start_chat(AsyncClient(), email="erika@nullmx.example")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_form"
    assert "email" in response.json()["fields"]
    assert await Chat.objects.acount() == 0


@pytest.mark.django_db(transaction=True)
async def test_a_start_that_is_not_json_is_refused_as_invalid_json(channel):
    response = await post_json(AsyncClient(), "/chat/shop/api/start", "{oops")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert await Chat.objects.acount() == 0


@pytest.mark.django_db(transaction=True)
async def test_a_start_body_over_64_kib_is_refused_as_too_large(channel):
    data = {**GOOD_FORM, "question": "x" * (65 * 1024)}

    response = await post_json(AsyncClient(), "/chat/shop/api/start", data)

    assert response.status_code == 413
    assert response.json()["error"] == {"code": "too_large", "message": "The request is too large."}
    assert await Chat.objects.acount() == 0


@pytest.mark.django_db(transaction=True)
async def test_the_fourth_start_from_one_address_within_the_window_is_rate_limited(channel, settings):
    settings.HELPDESK_CHAT_START_LIMIT = 3
    client = AsyncClient()

    statuses = [(await start_chat(client, name=f"Customer {i}")).status_code for i in range(3)]
    fourth = await start_chat(client, name="Customer 4")

    assert statuses == [201, 201, 201]
    assert fourth.status_code == 429
    assert fourth.json()["error"]["code"] == "rate_limited"
    assert await Chat.objects.acount() == 3


@pytest.mark.django_db(transaction=True)
async def test_the_start_limit_counts_per_client_address_as_the_proxy_saw_it(channel, settings):
    settings.HELPDESK_CHAT_START_LIMIT = 1
    settings.HELPDESK_TRUSTED_PROXY_COUNT = 1  # the only way to vary the address in the test client
    client = AsyncClient()
    # The proxy appends the address it saw; what stands left of it, the client wrote.
    first = {"X-Forwarded-For": "198.51.100.1"}
    first_again = {"X-Forwarded-For": "198.51.100.2, 198.51.100.1"}
    other = {"X-Forwarded-For": "198.51.100.1, 198.51.100.2"}

    assert (await start_chat(client, headers=first)).status_code == 201
    assert (await start_chat(client, headers=first_again)).status_code == 429
    assert (await start_chat(client, headers=other)).status_code == 201


@pytest.mark.django_db(transaction=True)
async def test_made_up_leftmost_forwarded_entries_all_land_in_the_real_addresses_bucket(channel, settings):
    settings.HELPDESK_CHAT_START_LIMIT = 25
    settings.HELPDESK_TRUST_X_FORWARDED_FOR = True  # the older setting: one proxy
    client = AsyncClient()

    statuses = [
        (await start_chat(client, headers={"X-Forwarded-For": f"203.0.113.{n}, 10.9.{n}.1, 198.51.100.7"})).status_code
        for n in range(26)
    ]

    assert statuses == [201] * 25 + [429]
    assert await Chat.objects.acount() == 25


@pytest.mark.django_db(transaction=True)
async def test_the_start_endpoint_accepts_only_post(channel):
    assert (await AsyncClient().get("/chat/shop/api/start")).status_code == 405


@pytest.mark.django_db(transaction=True)
async def test_an_unknown_channel_cannot_start_a_chat():
    response = await start_chat(AsyncClient(), "no-such-channel")

    assert response.status_code == 404


# api/state ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_state_is_returned_for_the_token_in_the_header(channel):
    client = AsyncClient()
    started = (await start_chat(client)).json()

    response = await client.get("/chat/shop/api/state", headers={"X-Chat-Token": started["token"]})

    assert response.status_code == 200
    state = response.json()["state"]
    assert state["chat_id"] == started["state"]["chat_id"]
    assert state["status"] == "queued"
    assert state["position"] == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("token", ["", "wrong-token", "x" * 500])
async def test_a_wrong_token_gets_unknown_token(channel, token):
    client = AsyncClient()
    await start_chat(client)

    response = await client.get("/chat/shop/api/state", headers={"X-Chat-Token": token})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_token"


@pytest.mark.django_db(transaction=True)
async def test_a_token_of_another_channel_gets_unknown_token(channel, make_channel):
    await sync_to_async(make_channel)(slug="other")
    client = AsyncClient()
    token = (await start_chat(client)).json()["token"]

    response = await client.get("/chat/other/api/state", headers={"X-Chat-Token": token})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_token"


@pytest.mark.django_db(transaction=True)
async def test_a_token_in_the_url_is_not_accepted(channel):
    client = AsyncClient()
    token = (await start_chat(client)).json()["token"]

    response = await client.get("/chat/shop/api/state", {"token": token, "X-Chat-Token": token})

    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
async def test_the_token_appears_in_no_url_or_header_of_the_answers(channel):
    client = AsyncClient()
    start = await start_chat(client)
    token = start.json()["token"]
    state = await client.get("/chat/shop/api/state", headers={"X-Chat-Token": token})

    for response in (start, state):
        assert all(token not in str(value) for value in response.headers.values())
        assert not response.cookies
    assert token not in state.content.decode()
