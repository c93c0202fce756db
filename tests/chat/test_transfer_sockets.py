"""Transfers over the real dashboard and widget sockets (docs/protocol.md, "Transfers and reassignment")."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient
from django.utils import timezone

from chat.conversations import assignment, housekeeping, presence, transfers
from chat.conversations.models import Chat, ChatStatus, ChatTransfer, PresenceStatus
from helpdesk.asgi import application
from tests.support.sockets import SITE_HEADERS, agent_socket, customer_socket, receive_until
from tests.support.wsclient import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def of_type(*types):
    return lambda frame: frame["type"] in types


async def frames_until(socket, predicate, *, timeout=3):
    frames = []
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        frames.append(frame)
        if predicate(frame):
            return frames


def transferred(frame):
    return frame["type"] == "message" and frame["message"]["event"] == "transferred"


@pytest.fixture
def scene(make_channel, make_agent, make_chat):
    """Anna has Erika's chat in Shop; Ben is present in Shop too."""
    shop = make_channel(slug="shop", name="Shop", language="en")
    anna = make_agent(shop, first_name="Anna")
    ben = make_agent(shop, first_name="Ben")
    chat, token = make_chat(shop)
    assignment.accept_chat(chat, agent=anna)
    return shop, anna, ben, chat, token


async def connected(scene):
    _shop, anna, ben, chat, token = scene
    customer = await customer_socket(token, last_seq=2)
    await receive_until(customer, "welcome")
    sender = await agent_socket(anna, chats={str(chat.pk): 2})
    await receive_until(sender, "state")
    receiver = await agent_socket(ben)
    await receive_until(receiver, "state")
    return customer, sender, receiver


async def test_offer_and_accept_hand_the_chat_over_and_everyone_sees_it(scene):
    _shop, anna, ben, chat, _token = scene
    customer, sender, receiver = await connected(scene)

    await sender.send_json_to({"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk, "note": "Refund"})
    offer = (await frames_until(receiver, of_type("transfer_offer")))[-1]["transfer"]
    assert offer["chat"] == {"id": chat.pk, "customer_name": "Erika", "channel": "Shop"}
    assert (offer["from_name"], offer["note"], offer["status"]) == ("Anna", "Refund", "pending")
    assert offer["expires_at"]
    pending = (await frames_until(sender, of_type("transfer_result")))[-1]
    assert (pending["status"], pending["transfer_id"]) == ("pending", offer["id"])

    # While offered, the sender still writes and the customer still reads.
    await sender.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-1", "body": "One moment."})
    assert (await frames_until(sender, of_type("ack")))[-1]["client_id"] == "a-1"

    await receiver.send_json_to({"type": "transfer_answer", "transfer_id": offer["id"], "accept": True})
    frames = await frames_until(receiver, transferred)
    summary = next(f for f in frames if f["type"] == "chat")
    assert summary["assigned"] and summary["chat"]["id"] == chat.pk
    bodies = [f["message"]["body"] for f in frames if f["type"] == "message"]
    assert "Where is my parcel?" in bodies and "One moment." in bodies, "the whole log comes along"
    assert frames[-1]["message"]["params"] == {"from": "Anna", "to": "Ben"}

    frames = await frames_until(sender, of_type("chat_released"))
    assert frames[-1]["chat_id"] == chat.pk
    result = (await frames_until(sender, of_type("transfer_result")))[-1]
    assert (result["status"], result["released"]) == ("accepted", True)

    seen = (await frames_until(customer, transferred))[-1]
    assert seen["message"]["params"] == {"from": "Anna", "to": "Ben"}
    state = (await frames_until(customer, of_type("state")))[-1]
    assert state["state"]["agent_name"] == "Ben"

    # Ben writes, the customer reads; Anna's socket no longer follows the chat and may not write.
    await receiver.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "b-1", "body": "Ben here."})
    reply = (await frames_until(customer, lambda f: f["type"] == "message" and f["message"]["client_id"] == "b-1"))[-1]
    assert reply["message"]["author_name"] == "Ben"
    await sender.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-2", "body": "Me again"})
    error = (await frames_until(sender, of_type("error")))[-1]
    assert (error["code"], error["client_id"]) == ("not_your_chat", "a-2")
    for socket in (customer, sender, receiver):
        await socket.disconnect()


async def test_a_decline_and_a_cancel_are_told_to_the_other_side(scene):
    _shop, _anna, ben, chat, _token = scene
    customer, sender, receiver = await connected(scene)
    await sender.send_json_to({"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk})
    offer = (await frames_until(receiver, of_type("transfer_offer")))[-1]["transfer"]
    await receiver.send_json_to({"type": "transfer_answer", "transfer_id": offer["id"], "accept": False})
    result = (await frames_until(sender, lambda f: f["type"] == "transfer_result" and f["status"] != "pending"))[-1]
    assert (result["status"], result["transfer"]["to_name"], result["released"]) == ("declined", "Ben", False)

    await sender.send_json_to({"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk})
    second = (await frames_until(receiver, of_type("transfer_offer")))[-1]["transfer"]
    await sender.send_json_to({"type": "transfer_cancel", "transfer_id": second["id"]})
    closed = (await frames_until(receiver, of_type("transfer_result")))[-1]
    assert (closed["transfer_id"], closed["status"]) == (second["id"], "cancelled")
    await receiver.send_json_to({"type": "transfer_answer", "transfer_id": second["id"], "accept": True})
    assert (await frames_until(receiver, of_type("error")))[-1]["code"] == "transfer_gone"
    assert await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk).agent_id)() == _anna.pk
    for socket in (customer, sender, receiver):
        await socket.disconnect()


async def test_bad_and_forbidden_frames_get_translated_errors_and_change_nothing(scene, make_agent, make_channel):
    shop, anna, ben, chat, _token = scene
    stranger = await database_sync_to_async(make_agent)(await database_sync_to_async(make_channel)())
    away = await database_sync_to_async(make_agent)(shop, present=False)
    customer, sender, receiver = await connected(scene)
    cases = [
        (sender, {"type": "transfer", "chat_id": chat.pk}, "invalid_frame"),
        (sender, {"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk, "to_channel_id": 1}, "invalid_frame"),
        (sender, {"type": "transfer", "chat_id": chat.pk, "to_agent_id": "2"}, "invalid_frame"),
        (sender, {"type": "transfer", "chat_id": chat.pk, "to_agent_id": stranger.pk}, "agent_unavailable"),
        (sender, {"type": "transfer", "chat_id": chat.pk, "to_agent_id": away.pk}, "agent_unavailable"),
        (sender, {"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk, "note": "x" * 1001}, "note_too_long"),
        (sender, {"type": "transfer", "chat_id": chat.pk, "to_channel_id": 999_999}, "unknown_channel"),
        (receiver, {"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk}, "not_your_chat"),
        (receiver, {"type": "reassign", "chat_id": chat.pk, "agent_id": ben.pk}, "not_a_manager"),
        (receiver, {"type": "transfer_answer", "transfer_id": 1, "accept": "yes"}, "invalid_frame"),
        (receiver, {"type": "transfer_answer", "transfer_id": 999_999, "accept": True}, "transfer_gone"),
        (receiver, {"type": "transfer_cancel", "transfer_id": 999_999}, "transfer_gone"),
    ]
    for socket, frame, code in cases:
        await socket.send_json_to(frame)
        error = (await frames_until(socket, of_type("error")))[-1]
        assert error["code"] == code, frame
        assert error["message"] and error["message"] != code
    stranger_socket = await agent_socket(stranger)
    await receive_until(stranger_socket, "state")
    await stranger_socket.send_json_to({"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk})
    assert (await frames_until(stranger_socket, of_type("error")))[-1]["code"] == "not_your_chat"
    # A second tab of Anna's (the first has used up its offers for now).
    second_tab = await agent_socket(anna, chats={str(chat.pk): 2})
    await receive_until(second_tab, "state")
    await second_tab.send_json_to({"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk})
    await frames_until(second_tab, of_type("transfer_result"))
    await second_tab.send_json_to({"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk})
    assert (await frames_until(second_tab, of_type("error")))[-1]["code"] == "transfer_pending"
    assert await database_sync_to_async(ChatTransfer.objects.count)() == 1
    assert await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk).agent_id)() == anna.pk
    for socket in (customer, sender, receiver, stranger_socket, second_tab):
        await socket.disconnect()


async def test_errors_come_in_german_for_a_german_dashboard(scene):
    _shop, _anna, ben, chat, _token = scene
    cookie = await database_sync_to_async(session_cookie)(ben)
    socket = WebsocketCommunicator(
        application,
        "/ws/agent/",
        headers=[*SITE_HEADERS, (b"cookie", cookie.encode()), (b"accept-language", b"de")],
    )
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "hello", "chats": {}})
    await receive_until(socket, "state")
    await socket.send_json_to({"type": "reassign", "chat_id": chat.pk, "agent_id": ben.pk})
    error = (await frames_until(socket, of_type("error")))[-1]
    assert error["code"] == "not_a_manager" and "Manager" in error["message"]
    await socket.disconnect()


async def test_a_channel_transfer_moves_the_customer_to_the_new_queue_and_the_widget_keeps_working(
    scene, make_channel, make_agent
):
    shop, anna, _ben, chat, token = scene
    billing = await database_sync_to_async(make_channel)(slug="billing", name="Billing", language="en")
    greta = await database_sync_to_async(make_agent)(billing, first_name="Greta")
    customer, sender, receiver = await connected(scene)
    billing_dashboard = await agent_socket(greta)
    await receive_until(billing_dashboard, "state")

    await sender.send_json_to({"type": "transfer", "chat_id": chat.pk, "to_channel_id": billing.pk, "note": "Invoice"})
    assert (await frames_until(sender, of_type("chat_released")))[-1]["chat_id"] == chat.pk
    queue = (await frames_until(billing_dashboard, lambda f: f["type"] == "queue" and f["queue"]))[-1]["queue"]
    assert [(q["id"], q["channel"]) for q in queue] == [(chat.pk, "Billing")]
    seen = (await frames_until(customer, transferred))[-1]
    assert seen["message"]["params"] == {"from": "Anna", "to_channel": "Billing"}
    state = (await frames_until(customer, of_type("state")))[-1]["state"]
    assert (state["status"], state["position"]) == ("queued", 1)

    # The widget was loaded under Shop's address: its endpoints still answer for the chat.
    response = await AsyncClient().get("/chat/shop/api/state", headers={"X-Chat-Token": token})
    assert response.status_code == 200 and response.json()["state"]["status"] == "queued"

    # Billing's agent takes it from Billing's queue, and customer and agent talk.
    await billing_dashboard.send_json_to({"type": "take", "chat_id": chat.pk})
    taken = await frames_until(billing_dashboard, lambda f: f["type"] == "chat" and f.get("assigned"))
    assert taken[-1]["chat"]["channel"] == "Billing"
    active = (await frames_until(customer, of_type("state")))[-1]["state"]
    assert (active["status"], active["agent_name"]) == ("active", "Greta")
    await customer.send_json_to({"type": "send", "client_id": "c-9", "body": "Hello Greta"})
    got = await frames_until(billing_dashboard, lambda f: f["type"] == "message" and f["message"]["client_id"] == "c-9")
    assert got[-1]["message"]["body"] == "Hello Greta"
    # Anna, no agent of Billing, cannot reach the chat any more.
    await sender.send_json_to({"type": "read", "chat_id": chat.pk, "seq": 1})
    assert (await frames_until(sender, of_type("error")))[-1]["code"] == "not_your_chat"
    for socket in (customer, sender, receiver, billing_dashboard):
        await socket.disconnect()


async def test_the_team_updates_live_on_presence_and_assignment_and_a_manager_reassigns(scene, make_agent, make_chat):
    shop, anna, ben, chat, _token = scene
    boss = await database_sync_to_async(make_agent)(shop, first_name="Hanna", manager=True)
    manager = await agent_socket(boss)
    await receive_until(manager, "state")
    await manager.send_json_to({"type": "team"})
    team = (await frames_until(manager, of_type("team")))[-1]
    (channel,) = team["channels"]
    loads = {m["name"]: (m["available"], m["open_chats"]) for m in channel["members"]}
    assert loads == {"Anna": (True, 1), "Ben": (True, 0), "Hanna": (True, 0)}
    assert channel["max_chats"] == shop.max_chats_per_agent and channel["manager"]

    await database_sync_to_async(presence.set_presence)(ben, status=PresenceStatus.AWAY)
    team = (await frames_until(manager, of_type("team")))[-1]
    assert {m["name"]: m["available"] for m in team["channels"][0]["members"]}["Ben"] is False
    await database_sync_to_async(presence.set_presence)(ben, status=PresenceStatus.PRESENT)
    await frames_until(manager, of_type("team"))

    await manager.send_json_to({"type": "reassign", "chat_id": chat.pk, "agent_id": ben.pk})
    team = (
        await frames_until(
            manager, lambda f: f["type"] == "team" and f["channels"][0]["chats"][0]["agent_id"] == ben.pk
        )
    )[-1]
    loads = {m["name"]: m["open_chats"] for m in team["channels"][0]["members"]}
    assert loads == {"Anna": 0, "Ben": 1, "Hanna": 0}
    stored = await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk))()
    assert (stored.agent_id, stored.status) == (ben.pk, ChatStatus.ACTIVE)
    await manager.disconnect()


async def test_a_flood_of_offers_meets_a_limit_and_rings_the_colleague_only_a_few_times(scene):
    _shop, _anna, ben, chat, _token = scene
    customer, sender, receiver = await connected(scene)
    codes = []
    for _ in range(8):
        await sender.send_json_to({"type": "transfer", "chat_id": chat.pk, "to_agent_id": ben.pk})
        frame = (await frames_until(sender, of_type("transfer_result", "error")))[-1]
        if frame["type"] == "error":
            codes.append(frame["code"])
        else:
            await sender.send_json_to({"type": "transfer_cancel", "transfer_id": frame["transfer_id"]})
            await frames_until(sender, lambda f: f["type"] == "transfer_result" and f["status"] == "cancelled")
    assert codes == ["rate_limited"] * 3
    assert await database_sync_to_async(ChatTransfer.objects.count)() == 5
    for socket in (customer, sender, receiver):
        await socket.disconnect()


async def test_an_unanswered_offer_expires_in_housekeeping_and_both_sides_are_told(scene):
    _shop, anna, ben, chat, _token = scene
    customer, sender, receiver = await connected(scene)
    # Offered 59 of the channel's 60 seconds ago: one second left.
    offered_at = timezone.now() - timedelta(seconds=59)
    transfer = await database_sync_to_async(transfers.offer_to_agent)(anna, chat.pk, ben.pk, "Later", now=offered_at)
    await frames_until(receiver, of_type("transfer_offer"))
    # A dashboard of Ben's that connects while the offer runs is shown it too (with the team).
    late_tab = await agent_socket(ben)
    await receive_until(late_tab, "state")
    await late_tab.send_json_to({"type": "team"})
    assert (await frames_until(late_tab, of_type("transfer_offer")))[-1]["transfer"]["id"] == transfer.pk
    await late_tab.disconnect()

    await asyncio.sleep(1.1)
    await database_sync_to_async(housekeeping.run_upkeep_once)()
    told = (await frames_until(sender, lambda f: f["type"] == "transfer_result" and f["status"] != "pending"))[-1]
    assert (told["status"], told["transfer"]["to_name"], told["released"]) == ("expired", "Ben", False)
    closed = (await frames_until(receiver, of_type("transfer_result")))[-1]
    assert (closed["status"], closed["receiver"]) == ("expired", True)
    assert await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk).agent_id)() == anna.pk
    for socket in (customer, sender, receiver):
        await socket.disconnect()
