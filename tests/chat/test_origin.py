"""Origins compared whole (scheme, host, port) for sockets, and a channel's allowed origins kept strict (infra.origin)."""

import pytest
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from chat.configuration.models import Channel, validate_origin_list
from infra.origin import SameOriginValidator, normalize_origin


async def accepting(scope, receive, send):
    """A bare ASGI app that accepts every socket that reaches it."""
    await receive()
    await send({"type": "websocket.accept"})
    while (await receive())["type"] != "websocket.disconnect":
        pass


async def opens(origin, host, *, scheme="ws", headers=()):
    """Whether a socket with this Origin, Host and scheme gets through the validator."""
    all_headers = [(b"origin", origin.encode()), (b"host", host.encode()), *headers]
    communicator = WebsocketCommunicator(SameOriginValidator(accepting), "/ws/chat/", headers=all_headers)
    communicator.scope["scheme"] = scheme
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


@pytest.fixture
def hosts(settings, transactional_db):
    """The site's host names; denied sockets close through Channels, which tidies database connections."""
    settings.ALLOWED_HOSTS = ["chat.example.com", "testserver"]


# Sockets ------------------------------------------------------------------------------


async def test_an_http_page_does_not_pass_for_an_https_socket(hosts):
    assert await opens("https://chat.example.com", "chat.example.com", scheme="wss")
    assert not await opens("http://chat.example.com", "chat.example.com", scheme="wss")


async def test_an_https_page_does_not_pass_for_a_plain_socket(hosts):
    assert await opens("http://chat.example.com", "chat.example.com", scheme="ws")
    assert not await opens("https://chat.example.com", "chat.example.com", scheme="ws")


async def test_the_port_is_part_of_the_origin(hosts):
    assert await opens("http://chat.example.com:8001", "chat.example.com:8001")
    assert not await opens("http://chat.example.com:8002", "chat.example.com:8001")
    assert not await opens("http://chat.example.com", "chat.example.com:8001")
    # The default port may be written or left out: it is the same origin.
    assert await opens("https://chat.example.com", "chat.example.com:443", scheme="wss")


async def test_behind_the_https_proxy_the_forwarded_scheme_decides(hosts, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = [(b"x-forwarded-proto", b"https")]

    # The proxy speaks plain ws to Daphne; the page is https.
    assert await opens("https://chat.example.com", "chat.example.com", scheme="ws", headers=proxied)
    assert not await opens("http://chat.example.com", "chat.example.com", scheme="ws", headers=proxied)
    assert not await opens(
        "https://chat.example.com", "chat.example.com", scheme="ws", headers=[(b"x-forwarded-proto", b"http")]
    )


async def test_without_the_proxy_setting_its_header_is_not_believed(hosts):
    forged = [(b"x-forwarded-proto", b"https")]

    assert not await opens("https://chat.example.com", "chat.example.com", scheme="ws", headers=forged)


@pytest.mark.parametrize(
    "origin",
    [
        "",
        "null",
        "http://evil.example",
        "http://chat.example.com.evil.example",
        "http://chat.example.com/",
        "chat.example.com",
    ],
)
async def test_anything_but_the_sites_own_origin_is_denied(hosts, origin):
    assert not await opens(origin, "chat.example.com")


async def test_a_host_outside_allowed_hosts_is_denied_even_with_a_matching_origin(hosts):
    assert not await opens("http://other.example", "other.example")


# Allowed origins of a channel ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("https://www.example.com", "https://www.example.com"),
        ("HTTPS://WWW.Example.COM", "https://www.example.com"),
        ("https://shop.example:443", "https://shop.example"),
        ("http://shop.example:80", "http://shop.example"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://127.0.0.1:9999", "http://127.0.0.1:9999"),
        ("https://[2001:DB8:0:0::1]:8443", "https://[2001:db8::1]:8443"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
        ("https://intranet", "https://intranet"),
    ],
)
def test_an_origin_is_scheme_host_and_port_in_the_form_browsers_send(text, normal):
    assert normalize_origin(text) == normal


@pytest.mark.parametrize(
    "text",
    [
        "https://*.example.com",
        "*",
        "https://example.com;",
        "https://example.com; script-src *",
        "'self'",
        "https://example.com/",
        "https://example.com/shop",
        "https://example.com?x=1",
        "https://example.com#top",
        "https://user@example.com",
        "ftp://example.com",
        "javascript://example.com",
        "//example.com",
        "example.com",
        "https://example.com:0",
        "https://example.com:65536",
        "https://example.com:",
        "https://-example.com",
        "https://example-.com",
        "https://exa_mple.com",
        "https://example..com",
        "https://example.com.",
        "https://bücher.example",
        "https://999.1.1.1",
        "https://[not:an:ip]",
        "https://" + "a" * 64 + ".example",
        "data:",
    ],
)
def test_anything_else_is_not_an_origin(text):
    assert normalize_origin(text) is None
    with pytest.raises(ValidationError):
        validate_origin_list(f"https://fine.example\n{text}")


def test_a_refused_origin_is_named_in_the_message_in_the_admins_language():
    with translation.override("de"):
        with pytest.raises(ValidationError) as refused:
            validate_origin_list("https://*.example.com")
        message = refused.value.messages[0]

    assert message.startswith("https://*.example.com ist keine Website-Herkunft.")


def test_a_list_of_good_origins_is_accepted():
    validate_origin_list("https://www.example.com\nhttps://shop.example:8443  http://localhost:8000")


@pytest.mark.django_db
def test_an_invalid_origin_already_stored_never_reaches_a_header(make_channel, make_agent):
    channel = make_channel(slug="old", allowed_origins="https://shop.example")
    make_agent(channel)
    # Stored before the check was strict: straight to the table.
    Channel.objects.filter(pk=channel.pk).update(
        allowed_origins="https://shop.example https://*.example.com https://x.example;script-src https://Shop.Example:443"
    )
    channel.refresh_from_db()

    page = Client().get("/chat/old/")
    button = Client().get("/chat/old/api/button", headers={"Origin": "https://*.example.com"})

    assert channel.allowed_origin_list == ["https://shop.example"]
    directives = dict(d.strip().split(" ", 1) for d in page["Content-Security-Policy"].split(";"))
    assert directives["frame-ancestors"] == "'self' https://shop.example"
    assert button.status_code == 403
    assert "example.com" not in button.get("Access-Control-Allow-Origin", "")


@pytest.mark.django_db
def test_the_button_is_readable_by_an_allowed_origin_written_in_capitals(make_channel):
    make_channel(slug="caps", allowed_origins="https://Shop.Example")

    button = Client().get("/chat/caps/api/button", headers={"Origin": "https://shop.example"})

    assert button["Access-Control-Allow-Origin"] == "https://shop.example"
