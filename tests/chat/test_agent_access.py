"""Access that ends when it should: a revoked agent's open dashboard loses the queue and the chats within moments."""

import gc

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chat.configuration.models import ChannelMembership
from chat.conversations import assignment, services
from chat.conversations.models import Chat, Party
from chat.dashboard import consumer as agent_consumer
from tests.support.sockets import agent_socket, closed_with, customer_socket, receive_until
from tests.support.wsclient import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_channels(make_channel, make_agent, make_chat):
    shop, billing = make_channel(slug="shop"), make_channel(slug="billing")
    agent = make_agent(shop, billing)
    shop_chat, _ = make_chat(shop, name="Shop customer")
    billing_chat, _ = make_chat(billing, name="Billing customer")
    return agent, shop, billing, shop_chat, billing_chat


async def _customer_of(chat):
    """The chat's customer socket, from a token made for the test (the fixture's is not kept)."""
    from chat.conversations.models import hash_token

    token = Chat.new_token()
    await database_sync_to_async(Chat.objects.filter(pk=chat.pk).update)(token_hash=hash_token(token))
    socket = await customer_socket(token, last_seq=0)
    await receive_until(socket, "welcome")
    return socket


async def _ping(socket):
    await socket.send_json_to({"type": "ping"})
    return (await receive_until(socket, "pong"))[-1]


def _logout(cookie):
    client = Client()
    name, value = cookie.split("=", 1)
    client.cookies[name] = value
    return client.post("/accounts/logout/")


async def test_logging_out_closes_that_browsers_dashboard_and_no_other(two_channels):
    agent = two_channels[0]
    first_cookie = await database_sync_to_async(session_cookie)(agent)
    first = await agent_socket(agent, cookie=first_cookie)
    second = await agent_socket(agent)
    await receive_until(first, "state")
    await receive_until(second, "state")
    await database_sync_to_async(_logout)(first_cookie)
    assert await closed_with(first) == agent_consumer.CLOSE_NOT_LOGGED_IN
    assert (await _ping(second))["type"] == "pong"
    await second.disconnect()


async def test_a_deactivated_agent_loses_every_dashboard_at_once(two_channels):
    agent = two_channels[0]
    sockets = [await agent_socket(agent) for _ in range(2)]
    for socket in sockets:
        await receive_until(socket, "state")
    agent.is_active = False
    await database_sync_to_async(agent.save)()
    for socket in sockets:
        assert await closed_with(socket) == agent_consumer.CLOSE_NOT_LOGGED_IN


async def test_an_agent_removed_from_a_channel_loses_its_queue_and_chats_and_cannot_act_there(two_channels):
    agent, shop, billing, shop_chat, billing_chat = two_channels
    await database_sync_to_async(assignment.accept_chat)(shop_chat, agent=agent)
    dashboard = await agent_socket(agent)
    state = (await receive_until(dashboard, "state"))[-1]
    assert [c["id"] for c in state["chats"]] == [shop_chat.pk]
    assert [q["id"] for q in state["queue"]] == [billing_chat.pk]

    await database_sync_to_async(ChannelMembership.objects.filter(user=agent, channel=shop).delete)()
    state = (await receive_until(dashboard, "state"))[-1]
    assert state["chats"] == [] and [c["name"] for c in state["channels"]] == [billing.name]

    await dashboard.send_json_to({"type": "send", "chat_id": shop_chat.pk, "client_id": "late", "body": "Still here?"})
    assert (await receive_until(dashboard, "error"))[-1]["code"] == "not_your_chat"
    await dashboard.send_json_to({"type": "end", "chat_id": shop_chat.pk})
    assert (await receive_until(dashboard, "error"))[-1]["code"] == "not_your_chat"
    assert not await database_sync_to_async(shop_chat.messages.filter(client_id="late").exists)()
    # The other channel's queue still reaches the dashboard.
    await dashboard.send_json_to({"type": "take", "chat_id": billing_chat.pk})
    assert (await receive_until(dashboard, "chat"))[-1]["chat"]["id"] == billing_chat.pk
    await dashboard.disconnect()


async def test_removed_from_the_last_channel_the_dashboard_closes_with_4403(two_channels):
    agent, shop, billing, *_ = two_channels
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")
    await database_sync_to_async(shop.members.remove)(agent)
    await receive_until(dashboard, "state")
    await database_sync_to_async(billing.members.clear)()
    assert await closed_with(dashboard) == agent_consumer.CLOSE_NOT_AN_AGENT


async def test_a_session_deleted_without_any_signal_is_noticed_by_the_heartbeat_check(two_channels, monkeypatch):
    monkeypatch.setattr(agent_consumer, "ACCESS_CHECK_SECONDS", 0.2)
    agent = two_channels[0]
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")
    await database_sync_to_async(Session.objects.all().delete)()
    assert await closed_with(dashboard, timeout=5) == agent_consumer.CLOSE_NOT_LOGGED_IN


async def test_a_password_changed_elsewhere_ends_the_sessions_sockets(two_channels, monkeypatch):
    monkeypatch.setattr(agent_consumer, "ACCESS_CHECK_SECONDS", 0.2)
    agent = two_channels[0]
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")

    def change_password_by_query():
        agent.set_password("a-brand-new-password-42")
        type(agent).objects.filter(pk=agent.pk).update(password=agent.password)  # no signal

    await database_sync_to_async(change_password_by_query)()
    assert await closed_with(dashboard, timeout=5) == agent_consumer.CLOSE_NOT_LOGGED_IN


async def test_a_logged_in_user_of_no_channel_gets_no_dashboard_socket(make_agent):
    outsider = await database_sync_to_async(make_agent)()
    socket = await agent_socket(outsider, hello=False)
    assert await closed_with(socket) == agent_consumer.CLOSE_NOT_AN_AGENT


def test_a_logged_in_user_of_no_channel_gets_no_dashboard_page(make_agent, make_channel):
    client = Client()
    client.force_login(make_agent())
    response = client.get("/agent/")
    assert response.status_code == 403
    assert "not an agent of any channel" in response.content.decode()
    member = make_agent(make_channel())
    client.force_login(member)
    assert client.get("/agent/").status_code == 200


async def test_hello_is_said_once_and_lists_a_bounded_number_of_chats(two_channels):
    agent = two_channels[0]
    dashboard = await agent_socket(agent)
    await receive_until(dashboard, "state")
    await dashboard.send_json_to({"type": "hello", "chats": {}})
    assert (await receive_until(dashboard, "error"))[-1]["code"] == "invalid_frame"
    await dashboard.disconnect()

    too_many = {str(n): 0 for n in range(1, agent_consumer.MAX_HELLO_CHATS + 2)}
    dashboard = await agent_socket(agent, chats=too_many)
    assert (await receive_until(dashboard, "error"))[-1]["code"] == "invalid_frame"
    assert (await _ping(dashboard))["type"] == "pong"
    await dashboard.disconnect()


def test_the_chats_a_hello_lists_cost_one_query_however_many_they_are(two_channels):
    agent, shop, _billing, shop_chat, _ = two_channels
    assignment.accept_chat(shop_chat, agent=agent)
    services.end_chat(shop_chat, by=Party.AGENT, agent=agent)
    consumer = agent_consumer.AgentConsumer()
    consumer.user = agent
    seen = {str(n): 0 for n in range(1, agent_consumer.MAX_HELLO_CHATS)}
    seen[str(shop_chat.pk)] = 0
    with CaptureQueriesContext(connection) as queries:
        ended = consumer._ended_since(seen, open_ids=set())
    assert [chat_id for chat_id, _state in ended] == [shop_chat.pk]
    assert len(queries) == 1


async def test_hello_lists_no_chat_of_a_channel_the_agent_has_left(two_channels):
    agent, shop, _billing, shop_chat, _ = two_channels
    await database_sync_to_async(assignment.accept_chat)(shop_chat, agent=agent)
    await database_sync_to_async(ChannelMembership.objects.filter(user=agent, channel=shop).delete)()
    dashboard = await agent_socket(agent, chats={str(shop_chat.pk): 0})
    state = (await receive_until(dashboard, "state"))[-1]
    assert state["chats"] == []
    await dashboard.send_json_to({"type": "ping"})
    frames = await receive_until(dashboard, "pong")
    assert [f for f in frames if f.get("chat_id") == shop_chat.pk] == []
    await dashboard.disconnect()


def test_a_deactivated_agent_is_not_available_even_if_marked_present(two_channels):
    from chat.conversations import selectors

    agent, shop, *_ = two_channels
    assert selectors.available_agent_count(shop) == 1
    type(agent).objects.filter(pk=agent.pk).update(is_active=False)
    assert selectors.available_agent_count(shop) == 0
    assert Chat.objects.filter(channel=shop).exists()


async def test_an_agent_removed_from_the_channel_gives_the_chat_back_to_the_queue_and_the_customer_hears_it(
    two_channels,
):
    agent, shop, _billing, shop_chat, _ = two_channels
    await database_sync_to_async(assignment.accept_chat)(shop_chat, agent=agent)
    token_socket = await _customer_of(shop_chat)
    await database_sync_to_async(ChannelMembership.objects.filter(user=agent, channel=shop).delete)()
    frames = await receive_until(token_socket, "state")
    state = frames[-1]["state"]
    assert state["status"] == "queued" and state["position"] == 1
    events = [f["message"] for f in frames if f["type"] == "message" and f["message"]["kind"] == "event"]
    assert (events[-1]["event"], events[-1]["params"]) == ("returned", {"agent": agent.first_name})
    chat = await database_sync_to_async(Chat.objects.get)(pk=shop_chat.pk)
    assert chat.status == "queued" and chat.agent_id is None and chat.queued_at == shop_chat.queued_at
    await token_socket.disconnect()


def test_deactivating_or_deleting_an_agent_returns_all_their_chats(two_channels, make_agent):
    agent, shop, billing, shop_chat, billing_chat = two_channels
    assignment.accept_chat(shop_chat, agent=agent)
    assignment.accept_chat(billing_chat, agent=agent)
    agent.is_active = False
    agent.save()
    assert set(Chat.objects.values_list("status", flat=True)) == {"queued"}

    colleague = make_agent(shop)
    assignment.accept_chat(Chat.objects.get(pk=shop_chat.pk), agent=colleague)
    colleague.delete()
    chat = Chat.objects.get(pk=shop_chat.pk)
    assert chat.status == "queued" and chat.messages.filter(event="returned").count() == 2


def test_a_channel_cleared_of_its_members_returns_their_chats(two_channels):
    agent, shop, _billing, shop_chat, billing_chat = two_channels
    assignment.accept_chat(shop_chat, agent=agent)
    assignment.accept_chat(billing_chat, agent=agent)
    shop.members.clear()
    assert Chat.objects.get(pk=shop_chat.pk).status == "queued"
    assert Chat.objects.get(pk=billing_chat.pk).status == "active"


async def test_the_heartbeat_checks_every_dashboard_of_the_process_in_one_hop_and_three_queries(
    two_channels, make_agent, monkeypatch
):
    """Every dashboard socket, every heartbeat: the sessions, users and memberships of all of them in one go."""
    agent, shop, billing, *_ = two_channels
    await database_sync_to_async(ChannelMembership.objects.filter(user=agent, channel=billing).update)(
        is_manager=True, may_listen_in=True
    )
    others = [await database_sync_to_async(make_agent)(shop) for _ in range(3)]
    # This test's four only: a socket of an earlier test may not have run its disconnect yet
    # (held here, so that none of their ids is taken by a new one).
    earlier = agent_consumer_instances()
    dashboards = [await agent_socket(user) for user in (agent, *others)]
    for dashboard in dashboards:
        await receive_until(dashboard, "state")
    consumers = [
        c
        for c in agent_consumer_instances()
        if not c.released and c.user is not None and not any(c is old for old in earlier)
    ]
    assert len(consumers) == 4
    hops = []
    original_run = agent_consumer.run

    async def counting_run(function, *args):
        def counted(*inner):
            with CaptureQueriesContext(connection) as queries:
                result = function(*inner)
            hops.append(len(queries))
            return result

        return await original_run(counted, *args)

    monkeypatch.setattr(agent_consumer, "run", counting_run)
    monkeypatch.setattr("chat.dashboard.listening.run", counting_run)
    await agent_consumer.heartbeat_checks.check_all(consumers)
    assert hops == [3]
    mine = next(c for c in consumers if c.user == agent)
    assert mine.listen_channel_ids == (billing.pk,)
    assert sorted(mine.channel_ids) == sorted([shop.pk, billing.pk])
    for dashboard in dashboards:
        assert (await _ping(dashboard))["type"] == "pong"  # all still open
        await dashboard.disconnect()


def test_the_batched_check_refuses_each_session_django_would_refuse(two_channels, make_agent, make_channel):
    """Deleted, expired, of a deactivated user, of a changed password, of no channel: each None, the rest valid."""
    from datetime import timedelta

    from django.utils import timezone

    from chat.conversations import selectors

    shop = two_channels[1]
    users = [make_agent(shop) for _ in range(5)] + [make_agent()]
    keys = [session_cookie(user).split("=", 1)[1] for user in users]
    Session.objects.filter(session_key=keys[0]).delete()
    Session.objects.filter(session_key=keys[1]).update(expire_date=timezone.now() - timedelta(seconds=1))
    type(users[2]).objects.filter(pk=users[2].pk).update(is_active=False)
    users[3].set_password("another-password-987")
    type(users[3]).objects.filter(pk=users[3].pk).update(password=users[3].password)
    asked = [*keys, "", None, "no-such-session-key"]
    batched = selectors.access_agent_sessions(asked)
    assert [key for key in asked if batched[key] is not None] == [keys[4], keys[5]]
    assert selectors.access_agent_session(keys[4]) == batched[keys[4]]
    assert selectors.access_agent_session(keys[0]) is None
    assert batched[keys[4]].channel_ids == [shop.pk] and batched[keys[5]].channel_ids == []


def agent_consumer_instances():
    """The dashboard consumers alive in this process (the test's sockets run in it)."""
    return [o for o in gc.get_objects() if issubclass(type(o), agent_consumer.AgentConsumer)]
