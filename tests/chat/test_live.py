"""Everything live on the dashboard's socket: thresholds in the payloads, recent chats, open requests, a channel just added."""

import pytest
from channels.db import database_sync_to_async

from chat.configuration.models import ChannelMembership
from chat.conversations import assignment, notes, postchat, services
from chat.conversations.models import Party
from requests_app import services as request_services
from requests_app.models import RequestSource
from tests.support.sockets import agent_socket, customer_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def _request(channel, name="Rita Request"):
    return request_services.create_request(
        channel, name=name, email="rita@example.com", question="Please call me back.", source=RequestSource.CLOSED_FORM
    )


async def _frames_until_pong(dashboard):
    """Everything the socket sends before the answer to a ping sent now."""
    await dashboard.send_json_to({"type": "ping"})
    return await receive_until(dashboard, "pong")


async def test_queue_entries_and_chat_summaries_carry_their_channels_thresholds(make_channel, make_agent, make_chat):
    strict = await database_sync_to_async(make_channel)(wait_alert_minutes=1, unanswered_alert_minutes=4)
    silent = await database_sync_to_async(make_channel)(wait_alert_minutes=None, unanswered_alert_minutes=None)
    agent = await database_sync_to_async(make_agent)(strict, silent)
    mine, _ = await database_sync_to_async(make_chat)(strict, name="Taken")
    await database_sync_to_async(assignment.accept_chat)(mine, agent=agent)
    waiting, _ = await database_sync_to_async(make_chat)(silent, name="Waiting")

    dashboard = await agent_socket(agent)
    state = (await receive_until(dashboard, "state"))[-1]
    [summary] = state["chats"]
    assert (summary["id"], summary["wait_alert_minutes"], summary["unanswered_alert_minutes"]) == (mine.pk, 1, 4)
    [entry] = state["queue"]
    assert (entry["id"], entry["wait_alert_minutes"], entry["unanswered_alert_minutes"]) == (waiting.pk, None, None)

    # The queue frame of a move carries them too.
    later, _ = await database_sync_to_async(make_chat)(strict, name="Later")
    queue = (await receive_until(dashboard, "queue"))[-1]["queue"]
    assert {e["id"]: e["wait_alert_minutes"] for e in queue} == {waiting.pk: None, later.pk: 1}
    await dashboard.disconnect()


async def test_an_ended_chat_moves_into_recent_chats_live(make_channel, make_agent, make_chat):
    channel = await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(channel)
    chat, _ = await database_sync_to_async(make_chat)(channel, name="Erika")
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    dashboard = await agent_socket(agent)
    state = (await receive_until(dashboard, "state"))[-1]
    assert state["recent"] == [] and [c["id"] for c in state["chats"]] == [chat.pk]

    await database_sync_to_async(services.end_chat)(chat, by=Party.CUSTOMER)
    frames = await receive_until(dashboard, "recent")
    assert [f["type"] for f in frames if f["type"] in ("chat_state", "recent")] == ["chat_state", "recent"]
    [entry] = frames[-1]["recent"]
    assert (entry["id"], entry["customer_name"], entry["ended_by"], entry["channel"]) == (
        chat.pk,
        "Erika",
        "customer",
        channel.name,
    )
    assert entry["ended_at"]

    # A reload finds it in the state, and no longer among the open chats.
    await dashboard.disconnect()
    again = await agent_socket(agent)
    state = (await receive_until(again, "state"))[-1]
    assert state["chats"] == [] and [e["id"] for e in state["recent"]] == [chat.pk]
    await again.disconnect()


async def test_a_rating_given_after_the_chat_ended_reaches_recent_chats_live(make_channel, make_agent, make_chat):
    channel = await database_sync_to_async(make_channel)(postchat_enabled=True)
    agent = await database_sync_to_async(make_agent)(channel)
    chat, _ = await database_sync_to_async(make_chat)(channel, name="Erika")
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    await database_sync_to_async(services.end_chat)(chat, by=Party.AGENT, agent=agent)
    dashboard = await agent_socket(agent)
    [entry] = (await receive_until(dashboard, "state"))[-1]["recent"]
    assert entry["rating"] is None

    await database_sync_to_async(postchat.submit_postchat)(chat, rating=4, comment="Quick help", send_transcript=False)
    [entry] = (await receive_until(dashboard, "recent"))[-1]["recent"]
    assert (entry["id"], entry["rating"], entry["rating_comment"]) == (chat.pk, 4, "Quick help")
    await dashboard.disconnect()


async def test_an_ended_chat_opens_again_read_only_with_its_whole_log(make_channel, make_agent, make_chat):
    channel = await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(channel)
    chat, _ = await database_sync_to_async(make_chat)(channel, question="My last words")
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    await database_sync_to_async(notes.write_note)(agent, chat, body="Call back on Monday", client_id="n-1")
    await database_sync_to_async(services.end_chat)(chat, by=Party.CUSTOMER)
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")

    await dashboard.send_json_to({"type": "recent_open", "chat_id": chat.pk})
    opened = (await receive_until(dashboard, "recent_chat"))[-1]["chat"]
    assert (opened["id"], opened["status"]) == (chat.pk, "ended")
    frames = await _frames_until_pong(dashboard)
    log = [f["message"] for f in frames if f["type"] == "message"]
    assert log[0]["body"] == "My last words"
    assert log[-1]["event"] == "ended"
    assert [m["seq"] for m in log] == list(range(1, len(log) + 1))
    # Its notes after the log, as for a chat that is handed over.
    [notes_frame] = [f for f in frames if f["type"] == "notes"]
    assert [n["body"] for n in notes_frame["notes"]] == ["Call back on Monday"]
    await dashboard.disconnect()


async def test_recent_open_refuses_what_is_not_the_agents_ended_chat(make_channel, make_agent, make_chat):
    shop, other = await database_sync_to_async(make_channel)(), await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(shop)
    colleague = await database_sync_to_async(make_agent)(shop, other)
    open_chat, _ = await database_sync_to_async(make_chat)(shop, name="Still open")
    await database_sync_to_async(assignment.accept_chat)(open_chat, agent=agent)
    colleagues, _ = await database_sync_to_async(make_chat)(shop, name="Colleague's")
    await database_sync_to_async(assignment.accept_chat)(colleagues, agent=colleague)
    await database_sync_to_async(services.end_chat)(colleagues, by=Party.CUSTOMER)
    other_channels, _ = await database_sync_to_async(make_chat)(other, name="Other channel")
    await database_sync_to_async(services.end_chat)(other_channels, by=Party.CUSTOMER)
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")

    for chat_id in (open_chat.pk, colleagues.pk, other_channels.pk, 10**9):
        await dashboard.send_json_to({"type": "recent_open", "chat_id": chat_id})
        error = (await receive_until(dashboard, "error"))[-1]
        assert (error["code"], error["message"]) == ("not_your_chat", "This chat is not yours.")
    for bad in ("1", -1, 0, True, None, 2**60):
        await dashboard.send_json_to({"type": "recent_open", "chat_id": bad})
        assert (await receive_until(dashboard, "error"))[-1]["code"] == "invalid_frame"
    frames = await _frames_until_pong(dashboard)
    assert not [f for f in frames if f["type"] in ("recent_chat", "message")]
    await dashboard.disconnect()


async def test_an_agent_removed_from_the_channel_cannot_open_its_ended_chats(make_channel, make_agent, make_chat):
    shop, billing = await database_sync_to_async(make_channel)(), await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(shop, billing)
    chat, _ = await database_sync_to_async(make_chat)(shop)
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    await database_sync_to_async(services.end_chat)(chat, by=Party.AGENT, agent=agent)
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")
    await database_sync_to_async(ChannelMembership.objects.filter(user=agent, channel=shop).delete)()
    await receive_until(dashboard, "state")
    await dashboard.send_json_to({"type": "recent_open", "chat_id": chat.pk})
    assert (await receive_until(dashboard, "error"))[-1]["code"] == "not_your_chat"
    await dashboard.disconnect()


async def test_open_requests_arrive_live_when_made_and_closed(make_channel, make_agent):
    shop, other = await database_sync_to_async(make_channel)(), await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(shop)
    dashboard = await agent_socket(agent)
    state = (await receive_until(dashboard, "state"))[-1]
    assert state["requests"] == []

    # Another channel's request reaches nobody here; the agent's channel's does.
    await database_sync_to_async(_request)(other, name="Not for you")
    made = await database_sync_to_async(_request)(shop)
    frames = await receive_until(dashboard, "requests")
    assert [f["type"] for f in frames].count("requests") == 1
    [entry] = frames[-1]["requests"]
    assert (entry["id"], entry["number"], entry["customer_name"], entry["channel"], entry["question"]) == (
        made.pk,
        made.number,
        "Rita Request",
        shop.name,
        "Please call me back.",
    )

    await database_sync_to_async(request_services.close_request)(made)
    assert (await receive_until(dashboard, "requests"))[-1]["requests"] == []
    await dashboard.disconnect()


async def test_a_request_made_from_a_chat_reaches_the_channels_dashboards(make_channel, make_agent, make_chat):
    channel = await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(channel)
    colleague = await database_sync_to_async(make_agent)(channel)
    chat, _ = await database_sync_to_async(make_chat)(channel)
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)
    dashboard = await agent_socket(agent, chats={str(chat.pk): 0})
    other = await agent_socket(colleague)
    await receive_until(dashboard, "state")
    await receive_until(other, "state")
    await dashboard.send_json_to({"type": "create_request", "chat_id": chat.pk})
    for socket in (dashboard, other):
        [entry] = (await receive_until(socket, "requests"))[-1]["requests"]
        assert entry["customer_email"] == chat.customer_email
        await socket.disconnect()


async def test_a_channel_just_added_arrives_with_its_queue_and_its_moves(make_channel, make_agent, make_chat):
    shop = await database_sync_to_async(make_channel)(name="Shop")
    billing = await database_sync_to_async(make_channel)(name="Billing")
    agent = await database_sync_to_async(make_agent)(shop)
    waiting, _ = await database_sync_to_async(make_chat)(billing, name="Already waiting")
    await database_sync_to_async(_request)(billing, name="Billing request")
    dashboard = await agent_socket(agent)
    state = (await receive_until(dashboard, "state"))[-1]
    assert [c["name"] for c in state["channels"]] == ["Shop"] and state["queue"] == [] and state["requests"] == []

    await database_sync_to_async(ChannelMembership.objects.create)(channel=billing, user=agent)
    state = (await receive_until(dashboard, "state"))[-1]
    assert sorted(c["name"] for c in state["channels"]) == ["Billing", "Shop"]
    assert [e["id"] for e in state["queue"]] == [waiting.pk]
    assert [r["customer_name"] for r in state["requests"]] == ["Billing request"]

    # The new channel's queue is followed from now on.
    arriving, _ = await database_sync_to_async(make_chat)(billing, name="Just arrived")
    queue = (await receive_until(dashboard, "queue"))[-1]["queue"]
    assert [e["id"] for e in queue] == [waiting.pk, arriving.pk]
    await dashboard.disconnect()


async def test_a_request_made_reaches_no_waiting_customer_and_disturbs_none(
    make_channel, make_agent, make_chat, caplog
):
    """The requests' group is the dashboards' alone: a waiting customer's socket (in the queue group) hears nothing."""
    channel = await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(channel)
    _chat, token = await database_sync_to_async(make_chat)(channel)
    customer = await customer_socket(token)
    await receive_until(customer, "welcome")
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")

    await database_sync_to_async(_request)(channel)
    await receive_until(dashboard, "requests")
    frames = await _frames_until_pong(customer)
    assert [f["type"] for f in frames if f["type"] not in ("message", "state")] == ["pong"]
    # An event a socket has no handler for is logged and dropped (infra.realtime.consumer): none was.
    assert not [record for record in caplog.records if "No handler" in record.getMessage()]
    await customer.disconnect()
    await dashboard.disconnect()
