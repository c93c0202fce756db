"""
The production stack: two Daphne processes sharing PostgreSQL and Redis,
driven over real websockets with the documented protocol.
"""

import asyncio
import os
import re
import signal
import urllib.error
import urllib.request

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone

from chat.configuration.models import Channel, ChannelMembership
from chat.conversations.models import AgentPresence, Chat, Message, PresenceStatus
from chat.dashboard.consumer import CLOSE_NOT_LOGGED_IN
from infra.realtime.consumer import CLOSE_RESUME
from tests.support.redisserver import RedisProcess
from tests.support.servers import DaphneProcess, free_port, server_environment
from tests.support.wsclient import ProtocolClient, session_cookie, start_chat_over_http

pytestmark = [pytest.mark.production, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
async def close_test_connections():
    """The ORM runs in asgiref's worker thread here; close its connection so the test database can be dropped."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def two_servers(dns_server, transactional_db):
    env = server_environment(dns_server.address)
    servers = [DaphneProcess(env, name="daphne-a").start(), DaphneProcess(env, name="daphne-b").start()]
    yield servers
    for server in servers:
        server.stop()


def make_agent_present(slug):
    """A present agent with no dashboard (the channel is open), without ringing the test process's layer."""
    standby = get_user_model().objects.create_user(username="standby")
    ChannelMembership.objects.create(channel=Channel.objects.get(slug=slug), user=standby)
    AgentPresence.objects.create(user=standby, status=PresenceStatus.PRESENT, seen_at=timezone.now())


def is_type(*types):
    return lambda frame: frame["type"] in types


def is_message(author=None):
    return lambda frame: frame["type"] == "message" and (author is None or frame["message"]["author"] == author)


async def test_customer_on_one_process_and_agent_on_the_other_chat_live(two_servers, make_channel, make_agent):
    server_a, server_b = two_servers
    channel = await sync_to_async(make_channel)(slug="shop")
    agent = await sync_to_async(make_agent)(channel, first_name="Anna")
    started = await sync_to_async(start_chat_over_http)(server_a.url, "shop", question="Is my order shipped?")
    customer = await ProtocolClient(server_a.url, "/ws/chat/").connect()
    await customer.send("hello", token=started["token"], last_seq=0)
    await customer.receive_until(is_message("customer"))

    dashboard = await ProtocolClient(
        server_b.url, "/ws/agent/", cookie=await sync_to_async(session_cookie)(agent)
    ).connect()
    await dashboard.send("hello", chats={})
    state = (await dashboard.receive_until(is_type("state")))[-1]
    chat_id = state["queue"][0]["id"]
    await dashboard.send("take", chat_id=chat_id)
    await dashboard.receive_until(is_type("chat"))
    active = (await customer.receive_until(is_type("state")))[-1]
    assert active["state"]["agent_name"] == "Anna"

    await dashboard.send("send", chat_id=chat_id, client_id="a-1", body="Yes, it left today.")
    reply = (await customer.receive_until(is_message("agent")))[-1]
    assert reply["message"]["body"] == "Yes, it left today."
    await customer.send("send", client_id="c-1", body="<b>Thanks</b>")
    seen = (await dashboard.receive_until(is_message("customer")))[-1]
    while seen["message"]["client_id"] != "c-1":
        seen = (await dashboard.receive_until(is_message("customer")))[-1]
    assert seen["message"]["body"] == "<b>Thanks</b>"
    await customer.close()
    await dashboard.close()


async def test_a_dropped_customer_gets_the_three_missed_messages_exactly_once(two_servers, make_channel, make_agent):
    server_a, server_b = two_servers
    channel = await sync_to_async(make_channel)(slug="shop")
    agent = await sync_to_async(make_agent)(channel)
    started = await sync_to_async(start_chat_over_http)(server_a.url, "shop")
    chat_id = started["state"]["chat_id"]
    dashboard = await ProtocolClient(
        server_b.url, "/ws/agent/", cookie=await sync_to_async(session_cookie)(agent)
    ).connect()
    await dashboard.send("hello", chats={})
    await dashboard.receive_until(is_type("state"))
    await dashboard.send("take", chat_id=chat_id)
    await dashboard.receive_until(is_type("chat"))

    customer = await ProtocolClient(server_a.url, "/ws/chat/").connect()
    await customer.send("hello", token=started["token"], last_seq=0)
    frames = await customer.receive_until(lambda f: f["type"] == "message" and f["message"]["event"] == "joined")
    last_seq = frames[-1]["message"]["seq"]
    await customer.close()

    for number in range(3):
        await dashboard.send("send", chat_id=chat_id, client_id=f"missed-{number}", body=f"Missed {number}")
        await dashboard.receive_until(
            lambda f, number=number: f["type"] == "ack" and f["client_id"] == f"missed-{number}"
        )

    customer = await ProtocolClient(server_b.url, "/ws/chat/").connect()
    await customer.send("hello", token=started["token"], last_seq=last_seq)
    frames = await customer.receive_until(lambda f: f["type"] == "message" and f["message"]["client_id"] == "missed-2")
    bodies = [f["message"]["body"] for f in frames if f["type"] == "message"]
    assert bodies == ["Missed 0", "Missed 1", "Missed 2"]
    with pytest.raises(asyncio.TimeoutError):
        await customer.receive(timeout=0.5)
    stored = await sync_to_async(list)(
        Message.objects.filter(chat_id=chat_id, client_id__startswith="missed").values_list("seq", flat=True)
    )
    assert len(stored) == 3
    await customer.close()
    await dashboard.close()


async def test_two_agents_on_two_processes_take_one_chat_one_wins(two_servers, make_channel, make_agent):
    server_a, server_b = two_servers
    channel = await sync_to_async(make_channel)(slug="shop")
    agents = [await sync_to_async(make_agent)(channel) for _ in range(2)]
    started = await sync_to_async(start_chat_over_http)(server_a.url, "shop")
    chat_id = started["state"]["chat_id"]
    dashboards = []
    for agent, server in zip(agents, two_servers, strict=True):
        client = await ProtocolClient(
            server.url, "/ws/agent/", cookie=await sync_to_async(session_cookie)(agent)
        ).connect()
        await client.send("hello", chats={})
        await client.receive_until(is_type("state"))
        dashboards.append(client)
    await asyncio.gather(*(client.send("take", chat_id=chat_id) for client in dashboards))
    results = await asyncio.gather(
        *(
            client.receive_until(lambda f: f["type"] == "error" or (f["type"] == "chat" and f.get("assigned")))
            for client in dashboards
        )
    )
    outcomes = sorted(frames[-1]["type"] for frames in results)
    assert outcomes == ["chat", "error"]
    assert [frames[-1]["code"] for frames in results if frames[-1]["type"] == "error"] == ["chat_taken"]
    chat = await sync_to_async(Chat.objects.get)(pk=chat_id)
    assert chat.agent_id in {agent.pk for agent in agents}
    for client in dashboards:
        await client.close()


async def test_a_redis_restart_closes_sockets_with_a_code_daphne_can_send_and_they_resume(
    dns_server, transactional_db, make_channel
):
    """
    Autobahn refuses application close codes outside 1000 and 3000-4999; the
    layer gap's close must reach the client as sent (4503), not as 1011 from a
    consumer that crashed on its own close.
    """
    redis = RedisProcess(free_port()).start()
    server = DaphneProcess(server_environment(dns_server.address, REDIS_URL=redis.url), name="daphne-gap").start()
    try:
        await sync_to_async(make_channel)(slug="shop")
        await sync_to_async(make_agent_present)("shop")
        started = await sync_to_async(start_chat_over_http)(server.url, "shop")
        customer = await ProtocolClient(server.url, "/ws/chat/").connect()
        await customer.send("hello", token=started["token"], last_seq=0)
        await customer.receive_until(is_type("welcome"))
        redis.kill()
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await customer.receive_until(lambda frame: False, timeout=20)
        assert closed.value.rcvd.code == CLOSE_RESUME
        redis.start()
        again = await ProtocolClient(server.url, "/ws/chat/").connect()
        await again.send("hello", token=started["token"], last_seq=1)
        assert (await again.receive_until(is_type("welcome"), timeout=15))[-1]["state"]["status"] == "queued"
        await again.close()
    finally:
        server.stop()
        redis.kill()


async def test_a_socket_whose_join_redis_never_confirms_resumes_instead_of_failing(
    dns_server, transactional_db, make_channel
):
    """
    Redis goes while a hello's join waits for its confirmation: the socket
    closes with 4503 at once (its client resumes), not with 4500 after the
    join's timeout, its own gap event queued behind the failed handler.
    """
    redis = RedisProcess(free_port()).start()
    server = DaphneProcess(server_environment(dns_server.address, REDIS_URL=redis.url), name="daphne-join").start()
    try:
        await sync_to_async(make_channel)(slug="shop")
        await sync_to_async(make_agent_present)("shop")
        started = await sync_to_async(start_chat_over_http)(server.url, "shop")
        customer = await ProtocolClient(server.url, "/ws/chat/").connect()
        os.kill(redis.process.pid, signal.SIGSTOP)  # Redis hears the SUBSCRIBE but never answers
        await customer.send("hello", token=started["token"], last_seq=0)
        await asyncio.sleep(1)
        redis.kill()
        with pytest.raises(websockets.ConnectionClosed) as closed:
            # Well inside the join's own timeout (10 s), after which it used to fail with 4500.
            await customer.receive_until(lambda frame: False, timeout=6)
        assert closed.value.rcvd.code == CLOSE_RESUME
    finally:
        server.stop()
        redis.kill()


async def test_logging_out_on_one_process_closes_the_dashboard_on_the_other(two_servers, make_channel, make_agent):
    server_a, server_b = two_servers
    channel = await sync_to_async(make_channel)(slug="shop")
    agent = await sync_to_async(make_agent)(channel)
    cookie = await sync_to_async(session_cookie)(agent)
    dashboard = await ProtocolClient(server_b.url, "/ws/agent/", cookie=cookie).connect()
    await dashboard.send("hello", chats={})
    await dashboard.receive_until(is_type("state"))

    def log_out_on(server):
        page = urllib.request.Request(f"{server.url}/agent/", headers={"Cookie": cookie})
        with urllib.request.urlopen(page, timeout=10) as response:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
            csrf_cookie = response.headers["Set-Cookie"].split(";")[0]
        logout = urllib.request.Request(
            f"{server.url}/accounts/logout/",
            data=f"csrfmiddlewaretoken={token}".encode(),
            headers={"Cookie": f"{cookie}; {csrf_cookie}", "Referer": f"{server.url}/agent/", "Origin": server.url},
            method="POST",
        )
        try:
            urllib.request.urlopen(logout, timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code in (302, 303), error

    await sync_to_async(log_out_on)(server_a)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await dashboard.receive_until(lambda frame: False, timeout=10)
    assert closed.value.rcvd.code == CLOSE_NOT_LOGGED_IN
