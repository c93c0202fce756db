"""
What every widget endpoint with a body shares (infra.jsonapi): only the
widget's own pages may call it, only as JSON, and its body is checked once
at the edge (size, depth, NUL and lone surrogates) with a translated error.
"""

import io
import json

import pytest
from django.core.handlers.asgi import ASGIRequest
from django.test import Client

from chat.configuration.models import PreChatField
from chat.conversations import assignment
from chat.conversations.models import Chat, ChatStatus
from faq.models import Category, ChannelCategory, Entry, SuggestionSession
from infra.errors import FrameTooLarge
from infra.jsonapi import MAX_BODY_BYTES, read_json_object
from infra.outbox.models import OutgoingEmail
from requests_app.models import Request
from tests.support.http import SITE_ORIGIN, post_json

pytestmark = pytest.mark.django_db

GOOD = {"name": "Erika Mustermann", "email": "erika@example.com", "question": "Where is my parcel?"}


@pytest.fixture
def shop(make_channel, make_agent, make_chat):
    """An open channel that takes requests, suggests an FAQ entry, and has an active chat."""
    channel = make_channel(slug="shop", request_enabled=True, faq_enabled=True, postchat_enabled=True)
    agent = make_agent(channel)
    PreChatField.objects.create(channel=channel, key="customer_number", label="Customer number")
    category = Category.objects.create(name="Returns")
    ChannelCategory.objects.create(channel=channel, category=category)
    entry = Entry.objects.create(category=category, question="How do I return an item?", answer="<p>Label.</p>")
    chat, token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)
    return {"channel": channel, "entry": entry, "chat": chat, "token": token}


def body_endpoints(shop):
    """(url, headers) of every widget endpoint that takes a JSON body."""
    token = {"X-Chat-Token": shop["token"]}
    entry = shop["entry"].pk
    return [
        ("/chat/shop/api/form", {}),
        ("/chat/shop/api/start", {}),
        ("/chat/shop/api/request", {}),
        ("/chat/shop/api/postchat", token),
        ("/chat/shop/api/faq", {}),
        (f"/chat/shop/api/faq/{entry}/opened", {}),
        (f"/chat/shop/api/faq/{entry}/answered", {}),
    ]


ENDPOINT_NAMES = ["form", "start", "request", "postchat", "faq", "faq-opened", "faq-answered"]


def nothing_was_made(shop):
    chat = Chat.objects.get(pk=shop["chat"].pk)
    return (
        Chat.objects.count() == 1
        and chat.status == ChatStatus.ACTIVE
        and chat.rating is None
        and not Request.objects.exists()
        and not SuggestionSession.objects.exists()
        and not OutgoingEmail.objects.exists()
        and Entry.objects.filter(opened_count=0, answered_count=0, suggested_count=0).count() == 1
    )


# Text checked at the edge ---------------------------------------------------------


BAD_TEXT = ["\ud800", "a\udfffb", "\u0000", "Erika\u0000"]


@pytest.mark.parametrize("text", BAD_TEXT)
@pytest.mark.parametrize("where", ["name", "question", "email", "field"])
def test_a_nul_or_lone_surrogate_anywhere_in_a_start_is_refused_as_invalid_text_and_no_chat_is_made(shop, text, where):
    data = {**GOOD, "fields": {"customer_number": "K-1"}}
    if where == "field":
        data["fields"]["customer_number"] = text
    else:
        data[where] = text

    response = post_json(Client(), "/chat/shop/api/start", data)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_text"
    assert nothing_was_made(shop)


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
def test_a_lone_surrogate_sent_to_any_endpoint_is_refused_as_invalid_text(shop, index):
    url, headers = body_endpoints(shop)[index]
    data = {**GOOD, "comment": "\ud800", "rating": 5, "session": "\ud800", "fields": {"customer_number": "\ud800"}}

    response = post_json(Client(), url, data, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_text",
        "message": "The text contains characters that cannot be stored (a null character or half of an emoji).",
    }
    assert nothing_was_made(shop)


def test_a_surrogate_in_the_post_chat_comment_leaves_the_chat_open_and_unrated(shop):
    response = post_json(
        Client(),
        "/chat/shop/api/postchat",
        {"rating": 5, "comment": "Thanks \ud800"},
        headers={"X-Chat-Token": shop["token"]},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_text"
    chat = Chat.objects.get(pk=shop["chat"].pk)
    assert (chat.status, chat.rating, chat.postchat_submitted_at) == (ChatStatus.ACTIVE, None, None)


def test_a_surrogate_in_a_prechat_field_is_never_stored_and_the_chats_admin_page_still_answers(shop, admin_client):
    data = {**GOOD, "fields": {"customer_number": "K-\ud800"}}

    refused = post_json(Client(), "/chat/shop/api/start", data)
    page = admin_client.get(f"/admin/chat/chat/{shop['chat'].pk}/change/")

    assert refused.status_code == 400
    assert Chat.objects.count() == 1
    assert page.status_code == 200


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
def test_json_nested_thousands_of_levels_deep_is_refused_as_too_deep(shop, index):
    url, headers = body_endpoints(shop)[index]
    body = '{"name": ' + "[" * 5000 + "]" * 5000 + "}"

    response = post_json(Client(), url, body, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "too_deep", "message": "The request is nested too deeply."}
    assert nothing_was_made(shop)


@pytest.mark.parametrize("body", ["{oops", '{"name": "Erika"', "[1, 2]", '"text"', "NaN", '{"a": Infinity}'])
def test_a_body_that_is_not_a_json_object_is_refused_as_invalid_json(shop, body):
    response = post_json(Client(), "/chat/shop/api/start", body)

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid_json", "message": "The request is not valid JSON."}
    assert nothing_was_made(shop)


@pytest.mark.parametrize("body", [b"\xff\xfe{}", b'{"name": "\xed\xa0\x80"}', b'{"name": "Erika\xc3"}'])
def test_a_body_that_is_not_utf8_is_refused_as_invalid_text(shop, body):
    response = post_json(Client(), "/chat/shop/api/start", body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_text"
    assert nothing_was_made(shop)


class Untouchable(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_declared_length_over_the_bound_is_refused_before_any_of_the_body_is_read(shop):
    response = Client().post(
        "/chat/shop/api/start",
        data="{}",
        content_type="application/json",
        headers={"Origin": SITE_ORIGIN},
        CONTENT_LENGTH=str(MAX_BODY_BYTES + 1),
        **{"wsgi.input": Untouchable()},
    )

    assert response.status_code == 413
    assert response.json()["error"] == {"code": "too_large", "message": "The request is too large."}


def test_a_body_without_a_length_is_bounded_by_the_bytes_read():
    # Chunked transfer: no Content-Length, so only the bytes themselves can tell.
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-type", b"application/json")]}
    body = json.dumps({"question": "x" * MAX_BODY_BYTES}).encode()
    request = ASGIRequest(scope, io.BytesIO(body))

    with pytest.raises(FrameTooLarge):
        read_json_object(request)


def test_an_empty_body_is_an_empty_object():
    request = ASGIRequest({"type": "http", "method": "POST", "path": "/", "headers": []}, io.BytesIO(b""))

    assert read_json_object(request) == {}


def test_body_errors_come_in_the_channels_language(make_channel, make_agent):
    make_agent(make_channel(slug="laden", language="de"))
    client = Client()

    too_large = post_json(client, "/chat/laden/api/start", {"question": "x" * MAX_BODY_BYTES})
    bad_text = post_json(client, "/chat/laden/api/start", {"name": "\ud800"})
    too_deep = post_json(client, "/chat/laden/api/start", "[" * 100 + "]" * 100)
    not_json = post_json(client, "/chat/laden/api/start", "{")

    assert too_large.json()["error"]["message"] == "Die Anfrage ist zu groß."
    assert bad_text.json()["error"]["message"] == (
        "Der Text enthält Zeichen, die nicht gespeichert werden können (ein Nullzeichen oder ein halbes Emoji)."
    )
    assert too_deep.json()["error"]["message"] == "Die Anfrage ist zu tief verschachtelt."
    assert not_json.json()["error"]["message"] == "Die Anfrage ist kein gültiges JSON."


# Who may call ------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "https://testserver"},
        {"Origin": "http://testserver:8080"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": SITE_ORIGIN, "Sec-Fetch-Site": "cross-site"},
        {"Origin": SITE_ORIGIN, "Sec-Fetch-Site": "same-site"},
    ],
    ids=["no-origin", "foreign", "null", "other-scheme", "other-port", "lookalike", "cross-site", "same-site"],
)
def test_a_request_from_another_site_is_refused_as_cross_site_and_changes_nothing(shop, index, headers):
    url, extra = body_endpoints(shop)[index]
    body = json.dumps({**GOOD, "rating": 5, "session": ""})

    response = Client().post(url, data=body, content_type="application/json", headers={**extra, **headers})

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "cross_site",
        "message": "This request did not come from the chat window.",
    }
    assert nothing_was_made(shop)


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]
)
def test_a_body_that_is_not_sent_as_json_is_refused_as_unsupported_media_type(shop, index, content_type):
    url, extra = body_endpoints(shop)[index]
    body = json.dumps({**GOOD, "rating": 5})

    response = Client().post(url, data=body, content_type=content_type, headers={"Origin": SITE_ORIGIN, **extra})

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert nothing_was_made(shop)


def test_a_foreign_page_cannot_start_a_chat_with_a_simple_text_plain_post(shop):
    # What any web page can make its visitors' browsers send without a preflight.
    response = Client().post(
        "/chat/shop/api/start",
        data=json.dumps(GOOD),
        content_type="text/plain;charset=UTF-8",
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )

    assert response.status_code == 403
    assert Chat.objects.count() == 1


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
def test_the_widgets_own_same_origin_request_is_let_through(shop, index):
    url, extra = body_endpoints(shop)[index]
    headers = {"Sec-Fetch-Site": "same-origin", **extra}

    response = post_json(Client(), url, {**GOOD, "rating": 5, "session": ""}, headers=headers)

    assert response.status_code < 300, response.json()


def test_a_json_content_type_with_parameters_and_capitals_is_json(shop):
    response = Client().post(
        "/chat/shop/api/faq",
        data=json.dumps({"question": "return an item"}),
        content_type="Application/JSON; charset=utf-8",
        headers={"Origin": SITE_ORIGIN},
    )

    assert response.status_code == 200


def test_behind_the_https_proxy_the_origin_must_be_https(shop, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A proxy passes the Host header on (the test client leaves it out).
    proxy = {"X-Forwarded-Proto": "https", "Host": "testserver"}

    https = post_json(
        Client(), "/chat/shop/api/faq", {"question": "return"}, headers={**proxy, "Origin": "https://testserver"}
    )
    http = post_json(
        Client(), "/chat/shop/api/faq", {"question": "return"}, headers={**proxy, "Origin": "http://testserver"}
    )

    assert https.status_code == 200
    assert http.status_code == 403


def test_the_cross_site_refusal_comes_in_the_channels_language(make_channel):
    make_channel(slug="laden", language="de")

    response = Client().post("/chat/laden/api/start", data="{}", content_type="application/json")

    assert response.json()["error"]["message"] == "Diese Anfrage kam nicht aus dem Chatfenster."


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/chat/shop/api/start"),
        ("put", "/chat/shop/api/form"),
        ("get", "/chat/shop/api/faq"),
        ("post", "/chat/shop/api/state"),
        ("post", "/chat/shop/api/button"),
        ("delete", "/chat/shop/api/postchat"),
    ],
)
def test_another_method_is_answered_as_json_with_the_allowed_ones(shop, method, url):
    response = getattr(Client(), method)(url)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response["Allow"] in ("GET", "POST")


def test_the_question_for_the_faq_no_longer_travels_in_the_url(shop):
    assert Client().get("/chat/shop/api/faq", {"q": "How do I return an item?"}).status_code == 405
