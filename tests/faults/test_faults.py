"""
Nothing lost, nothing doubled, under faults: real widget and agent clients
(tests/faults/harness.py) chat through several Daphne processes on PostgreSQL
and a Redis of the test's own, while a process is killed and restarted, Redis
is restarted and client sockets are cut at random. Afterwards, per chat: both
sides hold every message exactly once, in seq order, and the database holds
exactly those.

Size from the environment (CI default in brackets):

    HELPDESK_FAULT_CHATS (20)            concurrent chats
    HELPDESK_FAULT_MESSAGES (40)         messages per chat in each direction
    HELPDESK_FAULT_RATE (1.5)            messages a second per chat and direction
    HELPDESK_FAULT_CHATS_PER_AGENT (2)   chats one agent client holds
    HELPDESK_FAULT_PROCESSES (2)         Daphne processes

Full size (`make faults-full`): 20 chats x 1,000 messages each way (40,000 in
all) at 2 a second per chat and direction, with a fault every ten seconds:

    HELPDESK_FAULT_CHATS=20 HELPDESK_FAULT_MESSAGES=1000 HELPDESK_FAULT_RATE=2 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk REDIS_URL=redis://127.0.0.1:6379/0 \
    .venv/bin/pytest tests/faults -q -s
"""

import asyncio
import logging
import math
import os
import random
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from chat.conversations import services
from chat.conversations.models import Chat, Message, Party
from tests.faults.harness import ChatRun, percentile
from tests.support.redisserver import RedisProcess
from tests.support.servers import DaphneProcess, free_port, server_environment
from tests.support.wsclient import ProtocolClient, session_cookie, start_chat_over_http

CHATS = int(os.environ.get("HELPDESK_FAULT_CHATS", "20"))
MESSAGES = int(os.environ.get("HELPDESK_FAULT_MESSAGES", "40"))
RATE = float(os.environ.get("HELPDESK_FAULT_RATE", "1.5"))
CHATS_PER_AGENT = int(os.environ.get("HELPDESK_FAULT_CHATS_PER_AGENT", "2"))
PROCESSES = max(2, int(os.environ.get("HELPDESK_FAULT_PROCESSES", "2")))
TRAFFIC_SECONDS = MESSAGES / RATE

pytestmark = [
    pytest.mark.production,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(int(TRAFFIC_SECONDS * 2) + 240),
]

logger = logging.getLogger(__name__)


@pytest.fixture(autouse=True)
async def close_test_connections():
    """The ORM runs in asgiref's worker thread here; close its connection so the test database can be dropped."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def stack(dns_server, transactional_db):
    redis = RedisProcess(free_port()).start()
    env = server_environment(
        dns_server.address,
        REDIS_URL=redis.url,
        HELPDESK_CHAT_START_LIMIT=1_000_000,
    )
    servers = [DaphneProcess(env, name=f"faults-{number}").start() for number in range(PROCESSES)]
    yield redis, servers
    for server in servers:
        server.stop()
    redis.kill()


async def restart_server(server, down_seconds):
    await asyncio.to_thread(server.kill)
    await asyncio.sleep(down_seconds)
    await asyncio.to_thread(server.start)


async def restart_redis(redis, down_seconds):
    await asyncio.to_thread(redis.kill)
    await asyncio.sleep(down_seconds)
    await asyncio.to_thread(redis.start)


async def inject_faults(run, redis, servers, log):
    """A process crash, a Redis restart, another crash, another Redis restart; sockets cut all along."""
    began = time.monotonic()
    # Spread over the traffic, at least four, about one every ten seconds on
    # long runs: a crash, a Redis restart, a crash of another process, ...
    kinds = [
        ("kill and restart a Daphne process", lambda n: restart_server(servers[n % len(servers)], 1.5)),
        ("restart Redis", lambda n: restart_redis(redis, 1.0)),
    ]
    count = max(4, int(TRAFFIC_SECONDS // 10))
    plan = [
        (
            (number + 0.6) / (count + 0.5),
            kinds[number % 2][0] + f" ({number // 2 + 1})",
            (lambda k, n: lambda: kinds[k][1](n))(number % 2, number // 2),
        )
        for number in range(count)
    ]

    async def drops():
        while True:
            await asyncio.sleep(random.uniform(0.2, 0.6))
            if run.random_client().drop():
                log["drops"] += 1

    dropper = asyncio.ensure_future(drops())
    try:
        for at, what, action in plan:
            delay = began + at * TRAFFIC_SECONDS - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            logger.warning("fault at %.1f s: %s", time.monotonic() - began, what)
            log["faults"].append(what)
            await action()
    finally:
        dropper.cancel()


def stored_logs(chat_ids):
    logs = {chat_id: [] for chat_id in chat_ids}
    rows = (
        Message.objects.filter(chat_id__in=chat_ids)
        .order_by("chat_id", "seq")
        .values_list("chat_id", "seq", "author", "client_id", "body")
    )
    for chat_id, seq, author, client_id, body in rows:
        logs[chat_id].append((seq, author, client_id, body))
    return logs


async def test_no_message_is_lost_or_doubled_under_faults(stack, make_channel, make_agent):
    redis, servers = stack
    channel = await sync_to_async(make_channel)(
        slug="faults",
        max_chats_per_agent=max(CHATS_PER_AGENT, 1),
        customer_timeout_seconds=3600,
    )
    agent_count = math.ceil(CHATS / CHATS_PER_AGENT)
    agents = [await sync_to_async(make_agent)(channel) for _ in range(agent_count)]
    cookies = [await sync_to_async(session_cookie)(agent) for agent in agents]

    run = ChatRun(servers, chats=CHATS, messages=MESSAGES, rate=RATE, chats_per_agent=CHATS_PER_AGENT)
    await run.start_chats("faults")
    run.make_agents(cookies)
    log = {"drops": 0, "faults": []}
    try:
        await run.connect_all()
        inject = os.environ.get("HELPDESK_FAULT_INJECT", "1") != "0"  # 0: the same run without faults, for comparison
        faults = asyncio.ensure_future(inject_faults(run, redis, servers, log) if inject else asyncio.sleep(0))
        began = time.monotonic()
        await run.traffic()
        await faults
        traffic_done = time.monotonic()
        deadline = time.monotonic() + 60
        while not run.all_acked() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        # Every message is acked, so the database's last seq per chat is final.
        last_seqs = {chat_id: len(rows) for chat_id, rows in (await sync_to_async(stored_logs)(run.chat_ids)).items()}
        settled = await run.settle(last_seqs, timeout=60)
        print(
            f"\ntraffic {traffic_done - began:.1f} s (planned {TRAFFIC_SECONDS:.0f}), settled after {time.monotonic() - traffic_done:.1f} s"
        )
    finally:
        await run.stop()

    logs = await sync_to_async(stored_logs)(run.chat_ids)
    summary = run.summary()
    print(
        f"\nfaults: {log['faults']}; sockets cut: {log['drops']}; {summary}; "
        f"latency p50 {percentile(run.latencies, 0.5) * 1000:.0f} ms, p99 {percentile(run.latencies, 0.99) * 1000:.0f} ms"
    )
    problems = run.check(logs)
    assert settled or problems, "the run did not settle"
    assert problems == [], "\n".join(problems[:40])
    assert sum(len(rows) for rows in logs.values()) >= 2 * CHATS * MESSAGES
    if inject:
        assert summary["drops"] >= len(log["faults"]), "the faults cut no sockets"


async def test_a_resent_message_whose_announcement_was_lost_reaches_the_other_side(stack, make_channel, make_agent):
    """
    A process can die between storing a message and announcing it. The sender
    never got its ack and resends; the other side, connected to another
    process, must hear of the message then, not only with the chat's next one.
    """
    redis, servers = stack
    channel = await sync_to_async(make_channel)(slug="lost")
    agent = await sync_to_async(make_agent)(channel)
    started = await sync_to_async(start_chat_over_http)(servers[0].url, "lost")
    chat_id = started["state"]["chat_id"]
    dashboard = await ProtocolClient(
        servers[1].url, "/ws/agent/", cookie=await sync_to_async(session_cookie)(agent)
    ).connect()
    await dashboard.send("hello", chats={})
    await dashboard.receive_until(lambda f: f["type"] == "state")
    await dashboard.send("take", chat_id=chat_id)
    await dashboard.receive_until(lambda f: f["type"] == "message" and f["message"]["event"] == "joined")
    customer = await ProtocolClient(servers[0].url, "/ws/chat/").connect()
    await customer.send("hello", token=started["token"], last_seq=0)
    await customer.receive_until(lambda f: f["type"] == "message" and f["message"]["event"] == "joined")

    # Stored, but announced only on this test process's channel layer, which
    # the servers do not share: as if the storing process died before group_send.
    chat = await sync_to_async(Chat.objects.get)(pk=chat_id)
    stored, _ = await sync_to_async(services.post_message)(
        chat, author=Party.CUSTOMER, body="Lost bell", client_id="c-lost"
    )

    await customer.send("send", client_id="c-lost", body="Lost bell")
    ack = (await customer.receive_until(lambda f: f["type"] == "ack"))[-1]
    assert ack["seq"] == stored.seq
    seen = (
        await dashboard.receive_until(
            lambda f: f["type"] == "message" and f["message"]["client_id"] == "c-lost", timeout=5
        )
    )[-1]
    assert seen["message"]["seq"] == stored.seq
    assert await sync_to_async(Message.objects.filter(chat_id=chat_id, client_id="c-lost").count)() == 1
    await customer.close()
    await dashboard.close()
