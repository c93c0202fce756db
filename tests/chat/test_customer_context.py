"""The customer's context: captured at the start (checked, never trusted), parsed, and shown to the agent over /ws/agent/."""

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import AsyncClient

from chat.configuration.models import ChannelMembership
from chat.conversations.customer_context import check_start_context, describe_user_agent
from chat.conversations.models import Chat
from requests_app.models import RequestSource
from requests_app.services import create_request
from tests.chat.widget_forms import start_chat
from tests.support.sockets import agent_socket, receive_until

FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


# Capture at the start -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_start_keeps_page_title_zone_user_agent_and_the_channels_language(channel):
    response = await start_chat(
        AsyncClient(),
        page_url="https://shop.example/orders?id=7",
        page_title="  My   orders  ",
        time_zone="Europe/Vienna",
        headers={"User-Agent": FIREFOX_ON_WINDOWS},
    )

    assert response.status_code == 201
    chat = await sync_to_async(Chat.objects.get)()
    assert chat.page_url == "https://shop.example/orders?id=7"
    assert chat.page_title == "My orders"
    assert chat.customer_time_zone == "Europe/Vienna"
    assert chat.user_agent == FIREFOX_ON_WINDOWS
    assert chat.language == channel.language == "en"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "page_url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript://shop.example/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//shop.example/no-scheme",
        "https://",
        "https://shop.example/" + "a" * 2000,
        "https://shop.example/with space",
        "https://shop.example/\tx",
        ["https://shop.example/"],
        42,
    ],
)
async def test_a_hostile_or_invalid_page_is_dropped_and_the_chat_starts_anyway(channel, page_url):
    response = await start_chat(AsyncClient(), page_url=page_url, page_title="Evil", time_zone="Europe/Berlin")

    assert response.status_code == 201
    chat = await sync_to_async(Chat.objects.get)()
    assert (chat.page_url, chat.page_title) == ("", "")
    assert chat.customer_time_zone == "Europe/Berlin"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "", "Europe/" + "x" * 80, 3, None])
async def test_an_unknown_time_zone_is_dropped(channel, zone):
    response = await start_chat(AsyncClient(), time_zone=zone)

    assert response.status_code == 201
    assert (await sync_to_async(Chat.objects.get)()).customer_time_zone == ""


def test_overlong_title_and_user_agent_are_cut_to_their_fields():
    context = check_start_context(page_url="http://shop.example/", page_title="T" * 500, user_agent="U" * 900)

    assert context.page_title == "T" * 300
    assert context.user_agent == "U" * 512


def test_a_url_at_the_limit_passes_and_one_over_it_does_not():
    base = "https://shop.example/"
    assert check_start_context(page_url=base + "a" * (2000 - len(base))).page_url
    assert check_start_context(page_url=base + "a" * (2001 - len(base))).page_url == ""


# The User-Agent -------------------------------------------------------------------


def test_the_user_agent_is_read_as_browser_and_operating_system():
    firefox = describe_user_agent(FIREFOX_ON_WINDOWS)
    safari = describe_user_agent(SAFARI_ON_IPHONE)

    assert (firefox.browser, firefox.os) == ("Firefox 121", "Windows 10")
    assert (safari.browser, safari.os) == ("Mobile Safari 17", "iOS 17")


def test_an_unknown_or_missing_user_agent_says_nothing():
    assert describe_user_agent("") == describe_user_agent("definitely not a browser") == describe_user_agent("")
    assert describe_user_agent("definitely not a browser").browser == ""
    assert describe_user_agent("definitely not a browser").os == ""


# The `customer` frame -------------------------------------------------------------


@pytest.fixture
def two_channels(make_channel, make_agent, make_chat):
    """Erika chatted in "Shop" and in "Other"; the agent works in "Shop" only."""
    shop = make_channel(name="Shop", language="de")
    other = make_channel(name="Other")
    agent = make_agent(shop)
    earlier, _ = make_chat(shop, email="erika@example.com", question="Erste Frage")
    elsewhere, _ = make_chat(other, email="erika@example.com", question="Secret elsewhere")
    someone_else, _ = make_chat(shop, email="max@example.org", question="Not Erika")
    Chat.objects.filter(pk=earlier.pk).update(rating=4, status="ended")
    mine = create_request(
        shop, name="Erika", email="Erika@Example.com", question="Call me", source=RequestSource.CLOSED_FORM
    )
    create_request(other, name="Erika", email="erika@example.com", question="Hidden", source=RequestSource.CLOSED_FORM)
    current, _ = make_chat(shop, email="erika@example.com", question="Wieder ich")
    Chat.objects.filter(pk=current.pk).update(
        page_url="https://shop.example/cart",
        page_title="Cart",
        user_agent=FIREFOX_ON_WINDOWS,
        customer_time_zone="Europe/Vienna",
    )
    return {
        "agent": agent,
        "current": current,
        "earlier": earlier,
        "elsewhere": elsewhere,
        "someone_else": someone_else,
        "request": mine,
    }


@pytest.mark.django_db(transaction=True)
async def test_the_customer_frame_shows_context_and_history_of_the_agents_channels_only(two_channels):
    dashboard = await agent_socket(two_channels["agent"])
    await receive_until(dashboard, "state")

    await dashboard.send_json_to({"type": "customer", "chat_id": two_channels["current"].pk})
    frame = (await receive_until(dashboard, "customer"))[-1]

    assert frame["chat_id"] == two_channels["current"].pk
    assert (frame["page_url"], frame["page_title"]) == ("https://shop.example/cart", "Cart")
    assert (frame["browser"], frame["os"], frame["time_zone"]) == ("Firefox 121", "Windows 10", "Europe/Vienna")
    assert [c["id"] for c in frame["previous_chats"]] == [two_channels["earlier"].pk]
    assert frame["previous_chats"][0]["rating"] == 4
    assert frame["previous_chats"][0]["status"] == "ended"
    assert frame["previous_chats"][0]["channel"] == "Shop"
    assert [r["number"] for r in frame["requests"]] == [two_channels["request"].number]
    await dashboard.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_another_channels_chat_and_bad_ids_get_error_frames(two_channels):
    dashboard = await agent_socket(two_channels["agent"])
    await receive_until(dashboard, "state")

    await dashboard.send_json_to({"type": "customer", "chat_id": two_channels["elsewhere"].pk})
    refused = (await receive_until(dashboard, "error"))[-1]
    assert refused["code"] == "not_your_chat"
    assert refused["message"]
    for bad in ("7", None, -1, True, 2**60, {"id": 1}):
        await dashboard.send_json_to({"type": "customer", "chat_id": bad})
        assert (await receive_until(dashboard, "error"))[-1]["code"] == "invalid_frame"

    # The socket still answers.
    await dashboard.send_json_to({"type": "customer", "chat_id": two_channels["someone_else"].pk})
    assert (await receive_until(dashboard, "customer"))[-1]["previous_chats"] == []
    await dashboard.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_agent_removed_from_the_channel_no_longer_sees_its_customer(two_channels, make_channel):
    agent = two_channels["agent"]
    # Still an agent (of a third channel), so the socket stays open.
    third = await database_sync_to_async(make_channel)(name="Third")
    await database_sync_to_async(ChannelMembership.objects.create)(user=agent, channel=third)
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")
    await database_sync_to_async(
        ChannelMembership.objects.filter(user=agent, channel_id=two_channels["current"].channel_id).delete
    )()

    await dashboard.send_json_to({"type": "customer", "chat_id": two_channels["current"].pk})
    frames = await receive_until(dashboard, "error")
    assert frames[-1]["code"] == "not_your_chat"
    assert not [f for f in frames if f["type"] == "customer"]
    await dashboard.disconnect()
