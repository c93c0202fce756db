"""
Internal notes (chat.conversations.notes, chat.dashboard.notes): only agents
see them. One test for each path that must never carry one to the customer:
the customer's socket, its state (welcome and GET state), the transcript
e-mail, and the request made from the chat with its confirmation e-mail.
"""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from chat.configuration.models import ChannelMembership
from chat.conversations import assignment, notes, postchat, services
from chat.conversations import requests as chat_requests
from chat.conversations.errors import NotYourChat, TooManyNotes
from chat.conversations.models import ChatNote, Party
from infra.outbox.models import OutgoingEmail
from requests_app.models import Request
from tests.chat.test_consumers import talking
from tests.chat.test_postchat import active_chat, wait_until_sent
from tests.support.sockets import agent_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Customer sounds angry, check the refund log first"


@pytest.fixture
def queued_chat(make_channel, make_chat):
    channel = make_channel(language="en", transcript_enabled=True, postchat_enabled=True)
    return make_chat(channel)


def note_frame(chat, client_id="n-1", body=SECRET):
    return {"type": "note", "chat_id": chat.pk, "client_id": client_id, "body": body}


# The sockets -------------------------------------------------------------------


async def test_a_note_reaches_every_dashboard_of_the_chat_and_nothing_reaches_the_customer(queued_chat, make_agent):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent, first_name="Anna")
    agent = await database_sync_to_async(lambda: chat.__class__.objects.get(pk=chat.pk).agent)()
    second_tab = await agent_socket(agent, chats={str(chat.pk): 2})
    await receive_until(second_tab, "state")

    await dashboard.send_json_to(note_frame(chat))
    frames = await receive_until(dashboard, "note_ack")
    ack = frames[-1]
    stored = await database_sync_to_async(ChatNote.objects.get)(chat=chat)
    assert ack == {"type": "note_ack", "chat_id": chat.pk, "client_id": "n-1", "id": stored.pk}
    note = (await receive_until(second_tab, "note"))[-1]
    assert note["chat_id"] == chat.pk
    assert note["note"]["id"] == stored.pk and note["note"]["body"] == SECRET
    assert note["note"]["author_name"] == "Anna" and note["note"]["client_id"] == "n-1"

    # The customer's next frame is the agent's next text: nothing came before it.
    await dashboard.send_json_to({"type": "send", "chat_id": chat.pk, "client_id": "m-1", "body": "Let me check."})
    received = await receive_until(customer, "message")
    assert [frame["type"] for frame in received] == ["message"]
    assert received[0]["message"]["body"] == "Let me check."
    assert await customer.receive_nothing(timeout=0.3)
    for socket in (customer, dashboard, second_tab):
        await socket.disconnect()


async def test_a_resent_note_is_stored_once_and_acked_with_the_same_id(queued_chat, make_agent):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    ids = []
    for _ in range(2):
        await dashboard.send_json_to(note_frame(chat, client_id="same"))
        ids.append((await receive_until(dashboard, "note_ack"))[-1]["id"])
    assert ids[0] == ids[1]
    assert await database_sync_to_async(ChatNote.objects.filter(chat=chat).count)() == 1
    await customer.disconnect()
    await dashboard.disconnect()


async def test_notes_are_refused_to_anyone_but_the_chats_agent_and_when_invalid(
    queued_chat, make_agent, make_channel, make_chat
):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    colleague = await database_sync_to_async(make_agent)(chat.channel)
    stranger = await database_sync_to_async(make_agent)(await database_sync_to_async(make_channel)())
    for user in (colleague, stranger):
        socket = await agent_socket(user)
        await receive_until(socket, "state")
        await socket.send_json_to(note_frame(chat))
        error = (await receive_until(socket, "error"))[-1]
        assert (error["code"], error["client_id"], error["chat_id"]) == ("not_your_chat", "n-1", chat.pk)
        await socket.disconnect()

    bad_frames = [
        (note_frame(chat, body="x" * (notes.MAX_NOTE_LENGTH + 1)), "too_long"),
        (note_frame(chat, body="   "), "empty"),
        (note_frame(chat, body=42), "empty"),
        ({**note_frame(chat), "chat_id": str(chat.pk)}, "invalid_frame"),
        ({**note_frame(chat), "client_id": "c" * 65}, "invalid_frame"),
        ({**note_frame(chat), "client_id": ""}, "invalid_frame"),
        ({**note_frame(chat), "chat_id": 2**60}, "invalid_frame"),
    ]
    for frame, code in bad_frames:
        await dashboard.send_json_to(frame)
        error = (await receive_until(dashboard, "error"))[-1]
        assert error["code"] == code, frame
        assert error["message"]
    assert not await database_sync_to_async(ChatNote.objects.exists)()
    await customer.disconnect()
    await dashboard.disconnect()


async def test_an_agent_removed_from_the_channel_may_write_no_more_notes(queued_chat, make_agent, make_channel):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    agent = await database_sync_to_async(lambda: chat.__class__.objects.get(pk=chat.pk).agent)()
    # Still an agent of another channel, so the socket stays open.
    other = await database_sync_to_async(make_channel)()
    await database_sync_to_async(ChannelMembership.objects.create)(channel=other, user=agent)
    await database_sync_to_async(ChannelMembership.objects.filter(channel=chat.channel).delete)()
    await dashboard.send_json_to(note_frame(chat))
    frames = await receive_until(dashboard, "error")
    assert frames[-1]["code"] == "not_your_chat"
    assert not await database_sync_to_async(ChatNote.objects.exists)()
    await customer.disconnect()


async def test_the_agent_may_note_an_ended_chat_and_their_other_tabs_hear_of_it(queued_chat, make_agent):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    await dashboard.send_json_to({"type": "end", "chat_id": chat.pk})
    await receive_until(dashboard, "chat_state")
    agent = await database_sync_to_async(lambda: chat.__class__.objects.get(pk=chat.pk).agent)()
    other_tab = await agent_socket(agent)
    await receive_until(other_tab, "state")
    await dashboard.send_json_to(note_frame(chat, body="Call back on Monday"))
    assert (await receive_until(dashboard, "note_ack"))[-1]["client_id"] == "n-1"
    note = (await receive_until(other_tab, "note"))[-1]
    assert note["note"]["body"] == "Call back on Monday"
    await customer.disconnect()
    await dashboard.disconnect()
    await other_tab.disconnect()


async def test_hello_and_an_assignment_bring_the_chats_notes_after_its_log(queued_chat, make_agent):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    await dashboard.send_json_to(note_frame(chat))
    await receive_until(dashboard, "note_ack")
    await dashboard.disconnect()
    agent = await database_sync_to_async(lambda: chat.__class__.objects.get(pk=chat.pk).agent)()

    again = await agent_socket(agent, chats={str(chat.pk): 0})
    frames = await receive_until(again, "notes")
    kinds = [frame["type"] for frame in frames]
    assert kinds[0] == "state" and kinds.count("message") == 2 and kinds[-1] == "notes"
    assert [n["body"] for n in frames[-1]["notes"]] == [SECRET]
    await again.disconnect()

    # The chat goes back to the queue and another agent takes it: they see the note.
    successor = await database_sync_to_async(make_agent)(chat.channel, first_name="Ben")
    await database_sync_to_async(assignment.return_chats_to_queue)(agent)
    dashboard = await agent_socket(successor)
    await receive_until(dashboard, "state")
    await dashboard.send_json_to({"type": "take", "chat_id": chat.pk})
    frames = await receive_until(dashboard, "notes")
    assert "chat" in [frame["type"] for frame in frames]
    assert frames[-1]["chat_id"] == chat.pk and [n["body"] for n in frames[-1]["notes"]] == [SECRET]
    await dashboard.disconnect()
    await customer.disconnect()


# The service ------------------------------------------------------------------


def test_a_chat_holds_a_bounded_number_of_notes(make_channel, make_agent, make_chat, monkeypatch):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat)
    monkeypatch.setattr(notes, "MAX_NOTES_PER_CHAT", 3)
    for number in range(3):
        notes.write_note(agent, chat, body=f"note {number}", client_id=f"n-{number}")
    with pytest.raises(TooManyNotes):
        notes.write_note(agent, chat, body="one more", client_id="n-9")
    # A resend of a stored one is still answered.
    assert notes.write_note(agent, chat, body="note 0", client_id="n-0")[1] is False


def test_a_queued_chat_takes_no_note(make_channel, make_agent, make_chat):
    channel = make_channel()
    agent = make_agent(channel)
    chat, _token = make_chat(channel)
    with pytest.raises(NotYourChat):
        notes.write_note(agent, chat, body="x", client_id="n")


# The customer's state ---------------------------------------------------------


async def test_neither_the_welcome_nor_get_state_holds_a_note(queued_chat, make_agent):
    chat, token = queued_chat
    customer, dashboard = await talking(chat, token, make_agent)
    await dashboard.send_json_to(note_frame(chat))
    await receive_until(dashboard, "note_ack")
    await customer.disconnect()

    from tests.support.sockets import customer_socket

    again = await customer_socket(token, last_seq=0)
    frames = await receive_until(again, "welcome")
    frames += [await again.receive_json_from() for _ in range(2)]  # the log: question and join
    assert await again.receive_nothing(timeout=0.3)
    assert SECRET not in json.dumps(frames)
    await again.disconnect()

    response = await database_sync_to_async(
        lambda: Client().get(f"/chat/{chat.channel.slug}/api/state", headers={"X-Chat-Token": token})
    )()
    assert response.status_code == 200 and response.json()["state"]["chat_id"] == chat.pk
    assert SECRET not in response.content.decode()
    await dashboard.disconnect()


# E-mails ----------------------------------------------------------------------


def test_the_transcript_email_holds_no_note(make_channel, make_agent, make_chat, smtp_server):
    chat, agent, _token = active_chat(
        make_channel, make_agent, make_chat, postchat_enabled=True, transcript_enabled=True
    )
    services.post_message(chat, author=Party.AGENT, agent=agent, body="Your parcel is on its way.")
    notes.write_note(agent, chat, body=SECRET, client_id="n-1")
    services.end_chat(chat, by=Party.AGENT, agent=agent)
    notes.write_note(agent, chat, body="After the end: " + SECRET, client_id="n-2")
    chat.refresh_from_db()
    chat, email = postchat.submit_postchat(chat, rating=5, comment="", send_transcript=True)
    received = smtp_server.wait_for(1)
    wait_until_sent(email)
    text, html = smtp_server.text_of(received[0]), smtp_server.html_of(received[0])
    assert "Your parcel is on its way." in text
    assert SECRET not in text and SECRET not in html
    stored = OutgoingEmail.objects.get(chat=chat)
    assert SECRET not in stored.body_text and SECRET not in stored.body_html


def test_the_request_made_from_the_chat_and_its_email_hold_no_note(make_channel, make_agent, make_chat, smtp_server):
    chat, agent, _token = active_chat(make_channel, make_agent, make_chat)
    services.post_message(chat, author=Party.CUSTOMER, body="It still has not come.")
    notes.write_note(agent, chat, body=SECRET, client_id="n-1")
    request = chat_requests.create_request_from_chat(chat, agent=agent)
    request = Request.objects.get(pk=request.pk)
    assert "It still has not come." in request.transcript
    assert SECRET not in request.transcript and SECRET not in request.question
    received = smtp_server.wait_for(1)
    assert request.number in smtp_server.text_of(received[0])
    assert SECRET not in smtp_server.text_of(received[0]) and SECRET not in smtp_server.html_of(received[0])
