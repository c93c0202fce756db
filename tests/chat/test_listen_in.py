"""
Listening in (chat.conversations.listening, chat.dashboard.listening) over
the real dashboard and widget sockets: a manager follows a chat unseen,
whispers to its agent, joins it and takes it over; everyone else is refused,
and a right taken away stops the flow at once.
"""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import translation

from chat.configuration.models import ChannelMembership
from chat.conversations import assignment, group_commit, listening, rules, services, transcript
from chat.conversations.errors import NotYourChat
from chat.conversations.models import Chat, ChatNote, ChatParticipant, ChatStatus, Message, Party
from tests.support.sockets import agent_socket, customer_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

WHISPER = "Offer the voucher, she has waited twice already"


def of_type(*types):
    return lambda frame: frame["type"] in types


async def frames_until(socket, predicate, *, timeout=3):
    frames = []
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        frames.append(frame)
        if predicate(frame):
            return frames


async def drain(socket, seconds=0.3):
    """Every frame the socket receives within ``seconds``."""
    frames = []
    # receive_nothing, unlike a receive that times out, leaves the socket open.
    while not await socket.receive_nothing(timeout=seconds):
        frames.append(await socket.receive_json_from())
    return frames


async def frames_with_all(socket, *types, timeout=3):
    """Frames up to the moment one of each type has come (an event may overtake an ack)."""
    frames, missing = [], set(types)
    while missing:
        frame = await socket.receive_json_from(timeout=timeout)
        frames.append(frame)
        missing.discard(frame["type"])
    return {f["type"]: f for f in reversed(frames)}


async def seen_or_next(socket, earlier, predicate):
    """The first of ``earlier`` that matches, else the next frame that does."""
    for frame in earlier:
        if predicate(frame):
            return frame
    return (await frames_until(socket, predicate))[-1]


def message_with(body):
    return lambda f: f["type"] in ("message", "listen_message") and f["message"]["body"] == body


def event_frame(event):
    return lambda f: f["type"] in ("message", "listen_message") and f["message"]["event"] == event


@pytest.fixture
def scene(make_channel, make_agent, make_chat):
    """Anna has Erika's chat in Shop; Ben manages Shop and may listen in."""
    shop = make_channel(slug="shop", name="Shop", language="en", transcript_enabled=True)
    anna = make_agent(shop, first_name="Anna")
    ben = make_agent(shop, first_name="Ben", manager=True, present=False)
    ChannelMembership.objects.filter(user=ben).update(may_listen_in=True)
    chat, token = make_chat(shop)
    assignment.accept_chat(chat, agent=anna)
    return shop, anna, ben, chat, token


async def connected(scene):
    _shop, anna, ben, chat, token = scene
    customer = await customer_socket(token, last_seq=2)
    await receive_until(customer, "welcome")
    agent = await agent_socket(anna, chats={str(chat.pk): 2})
    await receive_until(agent, "state")
    manager = await agent_socket(ben)
    await receive_until(manager, "state")
    return customer, agent, manager


async def listening_to(manager, chat):
    await manager.send_json_to({"type": "listen", "chat_id": chat.pk})
    return await frames_until(manager, of_type("listen_notes"))


async def test_the_overview_lists_the_channels_active_chats_and_follows_them(scene, make_chat):
    shop, _anna, _ben, chat, _token = scene
    _customer, agent, manager = await connected(scene)
    await manager.send_json_to({"type": "listen_chats"})
    listed = (await frames_until(manager, of_type("listen_chats")))[-1]
    assert listed["allowed"] is True
    assert [(c["id"], c["customer_name"], c["agent_name"]) for c in listed["chats"]] == [(chat.pk, "Erika", "Anna")]
    assert listed["chats"][0]["last_body"] == "Where is my parcel?" and listed["chats"][0]["last_at"]

    await agent.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-1", "body": "Let me look."})
    updated = (await frames_until(manager, lambda f: f["type"] == "listen_chats" and f["chats"], timeout=5))[-1]
    assert updated["chats"][0]["last_body"] == "Let me look." and updated["chats"][0]["last_author"] == "agent"

    # A new active chat joins the list on its own.
    other, _ = await database_sync_to_async(make_chat)(shop, name="Jonas")
    anna = await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk).agent)()
    await database_sync_to_async(assignment.accept_chat)(other, agent=anna)
    grown = (await frames_until(manager, lambda f: f["type"] == "listen_chats" and len(f["chats"]) == 2, timeout=5))[-1]
    assert {c["customer_name"] for c in grown["chats"]} == {"Erika", "Jonas"}


async def test_the_listener_follows_both_sides_live_and_the_customer_hears_nothing_of_it(scene):
    _shop, _anna, _ben, chat, _token = scene
    customer, agent, manager = await connected(scene)
    before = await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk))()

    frames = await listening_to(manager, chat)
    head = next(f for f in frames if f["type"] == "listen_chat")["chat"]
    assert (head["id"], head["agent_name"], head["joined"]) == (chat.pk, "Anna", False)
    log = [f["message"] for f in frames if f["type"] == "listen_message"]
    assert [m["seq"] for m in log] == [1, 2], "the whole log so far"
    assert not any(f["type"] == "message" for f in frames), "never mixed with the manager's own chats"

    await customer.send_json_to({"type": "send", "client_id": "c-1", "body": "Any news?"})
    await frames_until(manager, message_with("Any news?"))
    await agent.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-1", "body": "It ships today."})
    await frames_until(manager, message_with("It ships today."))
    await customer.send_json_to({"type": "typing", "active": True})
    typing = (await frames_until(manager, of_type("listen_typing")))[-1]
    assert (typing["chat_id"], typing["party"], typing["active"]) == (chat.pk, "customer", True)

    # The customer's socket got the two messages and nothing about a listener.
    seen = await drain(customer)
    text = json.dumps(seen)
    assert "Ben" not in text and "listen" not in text
    assert [f["type"] for f in seen if f["type"] not in ("message", "ack", "typing")] == []
    after = await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk))()
    assert after.agent_read_seq == before.agent_read_seq
    assert after.agent_id == before.agent_id
    assert not await database_sync_to_async(lambda: ChatParticipant.objects.exists())()

    await manager.send_json_to({"type": "listen_stop", "chat_id": chat.pk})
    assert (await frames_until(manager, of_type("listen_stopped")))[-1]["reason"] == "stopped"
    await agent.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-2", "body": "After you left"})
    await frames_until(customer, message_with("After you left"))
    assert not any(f.get("chat_id") == chat.pk for f in await drain(manager, 0.5) if f["type"] != "listen_chats")
    for socket in (customer, agent, manager):
        await socket.disconnect()


async def test_listening_marks_nothing_read_for_the_agent(scene):
    _shop, _anna, _ben, chat, _token = scene
    customer, agent, manager = await connected(scene)
    await customer.send_json_to({"type": "send", "client_id": "c-1", "body": "Unread by Anna"})
    await frames_until(agent, message_with("Unread by Anna"))
    await listening_to(manager, chat)
    read_before = await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk).agent_read_seq)()
    await manager.send_json_to({"type": "read", "chat_id": chat.pk, "seq": 3})
    await drain(manager)
    assert await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk).agent_read_seq)() == read_before
    assert not any(f["type"] == "read" for f in await drain(agent))


async def test_a_whisper_reaches_the_agent_and_never_the_customer(scene):
    _shop, _anna, _ben, chat, token = scene
    customer, agent, manager = await connected(scene)
    await listening_to(manager, chat)
    await manager.send_json_to({"type": "whisper", "chat_id": chat.pk, "client_id": "w-1", "body": WHISPER})
    got = await frames_with_all(manager, "whisper_ack", "listen_note")
    ack, mine = got["whisper_ack"], got["listen_note"]["note"]
    note = (await frames_until(agent, of_type("note")))[-1]["note"]
    assert (note["id"], note["body"], note["author_name"], note["whisper"]) == (ack["id"], WHISPER, "Ben", True)
    assert mine["whisper"] and mine["body"] == WHISPER

    # A resend is the same whisper.
    await manager.send_json_to({"type": "whisper", "chat_id": chat.pk, "client_id": "w-1", "body": WHISPER})
    assert (await frames_until(manager, of_type("whisper_ack")))[-1]["id"] == ack["id"]
    assert await database_sync_to_async(lambda: ChatNote.objects.filter(is_whisper=True).count())() == 1

    assert WHISPER not in json.dumps(await drain(customer))
    again = await customer_socket(token, last_seq=0)
    frames = await receive_until(again, "welcome")
    frames += await drain(again)
    assert WHISPER not in json.dumps(frames)
    response = await database_sync_to_async(
        lambda: Client().get("/chat/shop/api/state", headers={"X-Chat-Token": token})
    )()
    assert response.status_code == 200 and WHISPER not in response.content.decode()
    fresh = await database_sync_to_async(lambda: Chat.objects.select_related("channel").get(pk=chat.pk))()
    _subject, text, html = await database_sync_to_async(transcript.render_transcript)(fresh)
    assert WHISPER not in text and WHISPER not in html
    for socket in (customer, again, agent, manager):
        await socket.disconnect()


async def test_join_shows_the_manager_to_both_sides_and_their_messages_under_their_name(scene):
    _shop, _anna, _ben, chat, _token = scene
    customer, agent, manager = await connected(scene)
    await listening_to(manager, chat)

    # Before joining, the manager may not write.
    await manager.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "b-0", "body": "Too early"})
    assert (await frames_until(manager, of_type("error")))[-1]["code"] == "not_your_chat"

    await manager.send_json_to({"type": "join", "chat_id": chat.pk})
    frames = await frames_until(manager, of_type("listen_chat"))
    assert frames[-1]["chat"]["joined"] is True
    event = (await seen_or_next(manager, frames, event_frame("participant_joined")))["message"]
    assert event["params"] == {"agent": "Ben"}
    for socket in (customer, agent):
        event = (await frames_until(socket, event_frame("participant_joined")))[-1]["message"]
        assert event["params"] == {"agent": "Ben"}

    await manager.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "b-1", "body": "Ben here, I help."})
    assert (await frames_until(manager, of_type("ack")))[-1]["client_id"] == "b-1"
    for socket in (customer, agent):
        message = (await frames_until(socket, message_with("Ben here, I help.")))[-1]["message"]
        assert (message["author"], message["author_name"]) == ("agent", "Ben")
    # Anna still handles the chat and still writes.
    await agent.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-1", "body": "Thanks, Ben."})
    await frames_until(customer, message_with("Thanks, Ben."))

    await manager.send_json_to({"type": "leave", "chat_id": chat.pk})
    for socket in (customer, agent):
        event = (await frames_until(socket, event_frame("participant_left")))[-1]["message"]
        assert event["params"] == {"agent": "Ben"}
    left = (await frames_until(manager, of_type("listen_chat")))[-1]["chat"]
    assert left["joined"] is False
    await manager.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "b-2", "body": "After leaving"})
    assert (await frames_until(manager, of_type("error")))[-1]["code"] == "not_your_chat"
    await manager.send_json_to({"type": "leave", "chat_id": chat.pk})
    assert (await frames_until(manager, of_type("error")))[-1]["code"] == "not_joined"
    for socket in (customer, agent, manager):
        await socket.disconnect()


async def test_a_joined_manager_types_to_the_customer_under_their_name_and_only_while_joined(scene):
    _shop, _anna, _ben, chat, _token = scene
    customer, agent, manager = await connected(scene)
    await listening_to(manager, chat)
    typing = {"type": "typing", "chat_id": chat.pk, "active": True}
    await manager.send_json_to(typing)
    assert (await frames_until(manager, of_type("error")))[-1]["code"] == "invalid_frame"

    await manager.send_json_to({"type": "join", "chat_id": chat.pk})
    await frames_until(customer, event_frame("participant_joined"))
    await manager.send_json_to(typing)
    shown = (await frames_until(customer, of_type("typing")))[-1]
    assert (shown["party"], shown["active"], shown["name"]) == ("agent", True, "Ben")
    assert "agent_id" not in shown
    # The manager's own view does not show them typing to themselves.
    assert not [f for f in await drain(manager) if f["type"] == "listen_typing"]

    await manager.send_json_to({"type": "leave", "chat_id": chat.pk})
    await frames_until(customer, event_frame("participant_left"))
    await manager.send_json_to(typing)
    assert (await frames_until(manager, of_type("error")))[-1]["code"] == "invalid_frame"
    for socket in (customer, agent, manager):
        await socket.disconnect()


def test_ending_the_chat_ends_the_participations(scene):
    _shop, anna, ben, chat, _token = scene
    listening.join(ben, chat.pk)
    services.end_chat(chat, by=Party.AGENT, agent=anna)
    assert ChatParticipant.objects.get(chat=chat).left_at is not None
    assert list(Message.objects.filter(chat=chat, kind="event").values_list("event", flat=True)) == [
        "joined",
        "participant_joined",
        "ended",
    ]


async def test_take_over_makes_the_chat_the_managers_and_everyone_is_told(scene):
    _shop, _anna, ben, chat, _token = scene
    customer, agent, manager = await connected(scene)
    await listening_to(manager, chat)
    await manager.send_json_to({"type": "join", "chat_id": chat.pk})
    await frames_until(manager, event_frame("participant_joined"))

    await manager.send_json_to({"type": "take_over", "chat_id": chat.pk})
    frames = await frames_until(manager, lambda f: f["type"] == "message" and f["message"]["event"] == "transferred")
    stopped = await seen_or_next(manager, frames, of_type("listen_stopped"))
    assert (stopped["chat_id"], stopped["reason"]) == (chat.pk, "taken_over")
    summary = next(f for f in frames if f["type"] == "chat")
    assert summary["assigned"] and summary["chat"]["id"] == chat.pk
    # No `message` before the chat's summary: the page would file the log after it as repeats.
    assert frames.index(summary) < min(i for i, f in enumerate(frames) if f["type"] == "message")
    seqs = [f["message"]["seq"] for f in frames if f["type"] == "message"]
    assert seqs == sorted(set(seqs)) and seqs[0] == 1, "the whole log once, in order, now as the manager's chat"

    assert (await frames_until(agent, of_type("chat_released")))[-1]["chat_id"] == chat.pk
    result = (await frames_until(agent, of_type("transfer_result")))[-1]
    assert (result["status"], result["released"], result["transfer"]["to_name"]) == ("accepted", True, "Ben")
    seen = (await frames_until(customer, event_frame("transferred")))[-1]["message"]
    assert seen["params"]["to"] == "Ben"
    state = (await frames_until(customer, of_type("state")))[-1]
    assert state["state"]["agent_name"] == "Ben"

    fresh = await database_sync_to_async(lambda: Chat.objects.get(pk=chat.pk))()
    assert (fresh.agent_id, fresh.status) == (ben.pk, ChatStatus.ACTIVE)
    assert not await database_sync_to_async(lambda: ChatParticipant.objects.filter(left_at__isnull=True).exists())()
    await manager.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "b-1", "body": "Mine now."})
    await frames_until(customer, message_with("Mine now."))
    await agent.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-9", "body": "Me?"})
    assert (await frames_until(agent, of_type("error")))[-1]["code"] == "not_your_chat"
    for socket in (customer, agent, manager):
        await socket.disconnect()


@pytest.mark.parametrize("who", ["agent", "manager_without_right", "other_channel_manager"])
async def test_everyone_else_is_refused_every_frame(scene, make_agent, make_channel, who):
    shop, _anna, _ben, chat, _token = scene
    if who == "agent":
        user = await database_sync_to_async(make_agent)(shop, first_name="Dora")
    elif who == "manager_without_right":
        user = await database_sync_to_async(make_agent)(shop, first_name="Carl", manager=True)
    else:
        other = await database_sync_to_async(make_channel)(slug="other", name="Other")
        user = await database_sync_to_async(make_agent)(other, first_name="Olga", manager=True)
        await database_sync_to_async(ChannelMembership.objects.filter(user=user).update)(may_listen_in=True)
    socket = await agent_socket(user)
    await receive_until(socket, "state")
    await socket.send_json_to({"type": "listen_chats"})
    listed = (await frames_until(socket, of_type("listen_chats")))[-1]
    assert all(c["id"] != chat.pk for c in listed["chats"])
    assert listed["allowed"] is (who == "other_channel_manager")
    for frame in (
        {"type": "listen", "chat_id": chat.pk},
        {"type": "whisper", "chat_id": chat.pk, "client_id": "w-1", "body": "Psst"},
        {"type": "join", "chat_id": chat.pk},
        {"type": "take_over", "chat_id": chat.pk},
    ):
        await socket.send_json_to(frame)
        error = (await frames_until(socket, of_type("error")))[-1]
        assert error["code"] == "may_not_listen", frame
        assert error["message"] == "You may not listen in on this chat."
    fresh = await database_sync_to_async(lambda: Chat.objects.select_related("agent").get(pk=chat.pk))()
    assert fresh.agent.first_name == "Anna"
    assert not await database_sync_to_async(lambda: ChatNote.objects.exists())()
    assert not await database_sync_to_async(lambda: ChatParticipant.objects.exists())()
    await socket.disconnect()


def test_the_admin_refuses_may_listen_in_without_manager_with_a_clear_error(admin_client, make_channel, make_agent):
    from tests.test_admin_input import form_data

    shop = make_channel()
    dora = make_agent(shop, first_name="Dora")
    url = f"/admin/chat/channel/{shop.pk}/change/"
    page = admin_client.get(url)
    text = page.content.decode()
    # The tabular inline shows each help as the column heading's tooltip.
    assert "May listen in" in text and "Only for a manager: follows every active chat" in text
    assert "may hand any chat of the channel to another agent" in text
    data = form_data(page)
    prefix = next(
        key[: -len("-user")] for key, value in data.items() if key.endswith("-user") and value == str(dora.pk)
    )
    data[f"{prefix}-may_listen_in"] = "on"

    with translation.override("en"):
        response = admin_client.post(url, data, headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert "Nur ein Manager darf mithören." in response.content.decode()
    assert not ChannelMembership.objects.get(user=dora).may_listen_in

    data[f"{prefix}-is_manager"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    membership = ChannelMembership.objects.get(user=dora)
    assert (membership.is_manager, membership.may_listen_in) == (True, True)


def test_the_batch_leaves_a_participant_to_the_locked_path_which_checks_the_right_again(scene):
    _shop, anna, ben, chat, _token = scene
    listening.join(ben, chat.pk)
    locked = Chat.objects.get(pk=chat.pk)
    # The batch (group_commit) cannot tell a participant: it hands the message on.
    assert not rules.may_post(locked, author=Party.AGENT, agent=ben)
    assert rules.may_post(locked, author=Party.AGENT, agent=ben, participant=True)
    (stored,) = group_commit.post_messages([group_commit.PendingMessage(chat.pk, Party.AGENT, "From Ben", "b-1", ben)])
    assert isinstance(stored, Message) and stored.agent_id == ben.pk
    # A right taken away without any signal (a bulk update) silences the participant all the same.
    ChannelMembership.objects.filter(user=ben).update(may_listen_in=False)
    (refused,) = group_commit.post_messages([group_commit.PendingMessage(chat.pk, Party.AGENT, "Again", "b-2", ben)])
    assert isinstance(refused, NotYourChat)
    assert not Message.objects.filter(client_id="b-2").exists()
    assert rules.may_post(locked, author=Party.AGENT, agent=anna)


@pytest.mark.parametrize("asked_for_the_list", [True, False], ids=["with the list", "without the list"])
async def test_a_right_taken_away_while_listening_stops_the_flow_and_ends_the_join(scene, asked_for_the_list):
    # A page may listen to a chat it knows without asking for "All active chats" first.
    _shop, _anna, ben, chat, _token = scene
    customer, agent, manager = await connected(scene)
    if asked_for_the_list:
        await manager.send_json_to({"type": "listen_chats"})
        await frames_until(manager, of_type("listen_chats"))
    await listening_to(manager, chat)
    await manager.send_json_to({"type": "join", "chat_id": chat.pk})
    await frames_until(manager, event_frame("participant_joined"))

    def revoke():
        membership = ChannelMembership.objects.get(user=ben)
        membership.may_listen_in = False
        membership.save()

    await database_sync_to_async(revoke)()
    frames = await frames_until(manager, of_type("listen_stopped"))
    assert frames[-1]["reason"] == "not_allowed"
    if asked_for_the_list:
        overview = (await frames_until(manager, of_type("listen_chats")))[-1]
        assert (overview["allowed"], overview["chats"]) == (False, [])
    left = (await frames_until(customer, event_frame("participant_left")))[-1]["message"]
    assert left["params"] == {"agent": "Ben"}

    await agent.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "a-1", "body": "Not for Ben"})
    await frames_until(customer, message_with("Not for Ben"))
    later = await drain(manager, 0.5)
    assert "Not for Ben" not in json.dumps(later)
    await manager.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "b-1", "body": "Still here?"})
    assert (await frames_until(manager, of_type("error")))[-1]["code"] == "not_your_chat"
    await manager.send_json_to({"type": "listen", "chat_id": chat.pk})
    assert (await frames_until(manager, of_type("error")))[-1]["code"] == "may_not_listen"
    for socket in (customer, agent, manager):
        await socket.disconnect()


async def test_a_deactivated_manager_loses_the_socket_and_the_join(scene):
    from tests.support.sockets import closed_with

    _shop, _anna, ben, chat, _token = scene
    customer, agent, manager = await connected(scene)
    await listening_to(manager, chat)
    await manager.send_json_to({"type": "join", "chat_id": chat.pk})
    await frames_until(manager, event_frame("participant_joined"))

    def deactivate():
        ben.is_active = False
        ben.save()

    await database_sync_to_async(deactivate)()
    assert await closed_with(manager) == 4401
    await frames_until(customer, event_frame("participant_left"))
    assert not await database_sync_to_async(lambda: listening.is_participant(chat, ben))()
    for socket in (customer, agent):
        await socket.disconnect()


async def test_the_joined_manager_and_the_agent_writing_at_once_are_stored_once_each_in_order(scene):
    _shop, _anna, _ben, chat, _token = scene
    customer, agent, manager = await connected(scene)
    await listening_to(manager, chat)
    await manager.send_json_to({"type": "join", "chat_id": chat.pk})
    await frames_until(manager, event_frame("participant_joined"))

    count = 15
    for n in range(count):
        await agent.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": f"a-{n}", "body": f"A{n}"})
        await manager.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": f"b-{n}", "body": f"B{n}"})
    # Each resends its last one, as a client does that missed its ack.
    await agent.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": f"a-{count - 1}", "body": "A"})
    await manager.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": f"b-{count - 1}", "body": "B"})
    for socket in (agent, manager):
        acks = [f for f in await drain(socket, 1.5) if f["type"] == "ack"]
        assert len(acks) == count + 1
        assert [f["client_id"] for f in acks[:count]] == [f"{acks[0]['client_id'][0]}-{n}" for n in range(count)]

    def stored():
        return list(Message.objects.filter(chat=chat, kind="text").order_by("seq").values_list("body", "seq"))

    rows = await database_sync_to_async(stored)()
    bodies = [body for body, _seq in rows]
    a = [b for b in bodies if b.startswith("A")]
    b = [b for b in bodies if b.startswith("B")]
    assert a == [f"A{n}" for n in range(count)] and b == [f"B{n}" for n in range(count)]
    seqs = await database_sync_to_async(lambda: list(Message.objects.filter(chat=chat).values_list("seq", flat=True)))()
    assert sorted(seqs) == list(range(1, len(seqs) + 1))

    received = [f["message"]["body"] for f in await drain(customer, 1) if f["type"] == "message"]
    assert [x for x in received if x.startswith("A")] == a and [x for x in received if x.startswith("B")] == b
    for socket in (customer, agent, manager):
        await socket.disconnect()


def test_a_join_ends_with_the_stretch_of_the_chat_it_was_made_in(scene, make_agent):
    """A chat back in the queue and taken by someone else does not keep the manager in it; joining again works."""
    shop, anna, ben, chat, _token = scene
    listening.join(ben, chat.pk)
    assert listening.is_participant(Chat.objects.get(pk=chat.pk), ben)
    ChannelMembership.objects.get(user=anna).delete()  # the chat goes back to the queue
    dora = make_agent(shop, first_name="Dora")
    assignment.accept_chat(Chat.objects.get(pk=chat.pk), agent=dora)
    fresh = Chat.objects.get(pk=chat.pk)
    assert not listening.is_participant(fresh, ben)
    assert listening.open_listen(ben, chat.pk)["joined"] is False
    with pytest.raises(NotYourChat):
        services.post_message(fresh, author=Party.AGENT, agent=ben, body="Still here?")

    _participation, created = listening.join(ben, chat.pk)
    assert created and listening.is_participant(Chat.objects.get(pk=chat.pk), ben)
    assert ChatParticipant.objects.filter(chat=chat, agent=ben, left_at__isnull=True).count() == 1
    events = list(Message.objects.filter(chat=chat, kind="event").values_list("event", flat=True))
    assert events.count("participant_joined") == 2 and "participant_left" not in events


async def test_a_right_granted_while_connected_shows_all_active_chats_at_once(scene, make_agent):
    shop, _anna, _ben, chat, _token = scene
    carl = await database_sync_to_async(make_agent)(shop, first_name="Carl", manager=True)
    socket = await agent_socket(carl)
    await receive_until(socket, "state")
    await socket.send_json_to({"type": "listen_chats"})
    assert (await frames_until(socket, of_type("listen_chats")))[-1]["allowed"] is False

    def grant():
        membership = ChannelMembership.objects.get(user=carl)
        membership.may_listen_in = True
        membership.save()

    await database_sync_to_async(grant)()
    listed = (await frames_until(socket, of_type("listen_chats")))[-1]
    assert listed["allowed"] is True and [c["id"] for c in listed["chats"]] == [chat.pk]
    await socket.disconnect()
