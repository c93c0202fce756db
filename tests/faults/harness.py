"""
Drives real widget and agent clients over websockets (docs/protocol.md, not
internal calls; tests/faults/clients.py) through many concurrent chats, while
faults are injected, and checks afterwards that nothing was lost or doubled.

Used by tests/faults/test_faults.py (faults, correctness) and by
bench/load.py (no faults, throughput and latency).
"""

import asyncio
import json
import random
import time
import urllib.error
import urllib.request

from tests.faults.clients import AgentClient, CustomerClient

# The run ----------------------------------------------------------------------------


def start_chat_http(servers, slug, number, attempts=20):
    """POST …/api/start to a random server, retrying while servers come and go."""
    body = json.dumps(
        {"name": f"Customer {number}", "email": f"customer{number}@example.com", "question": f"Question {number}"}
    ).encode()
    for attempt in range(attempts):
        server = random.choice(servers)
        request = urllib.request.Request(
            f"{server.url}/chat/{slug}/api/start",
            data=body,
            # As the widget's own page sends it: the endpoint refuses other origins.
            headers={"Content-Type": "application/json", "Origin": server.url},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except (OSError, urllib.error.URLError):
            time.sleep(min(0.1 * 2**attempt, 2))
    raise RuntimeError("could not start a chat")


class ChatRun:
    """
    ``chats`` chats, each with a customer client and a place at one of the
    agent clients (``chats_per_agent`` each); each side sends ``messages``
    messages per chat at ``rate`` a second (0: as fast as acks come back,
    ``window`` unacked at a time).
    """

    def __init__(
        self,
        servers,
        *,
        chats,
        messages,
        rate,
        chats_per_agent=2,
        window=1,
        frame_rate=8.0,
        frame_burst=12,
        backoff_base=0.2,
        backoff_max=2.0,
    ):
        self.servers = servers
        self.chat_count = chats
        self.messages = messages
        self.rate = rate
        self.chats_per_agent = chats_per_agent
        self.window = window
        self.frame_rate, self.frame_burst = frame_rate, frame_burst
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.customers = []
        self.agents = []
        self.sent_at = {}
        self.latencies = []
        self.received = 0
        self.fatal = []
        self.chat_ids = []

    def backoff(self, attempt):
        delay = min(self.backoff_max, self.backoff_base * 2**attempt)
        return delay * random.uniform(0.5, 1.0)

    async def start_chats(self, slug):
        started = await asyncio.gather(
            *(asyncio.to_thread(start_chat_http, self.servers, slug, number) for number in range(self.chat_count))
        )
        for number, answer in enumerate(started):
            chat_id = answer["state"]["chat_id"]
            self.chat_ids.append(chat_id)
            self.customers.append(CustomerClient(self, f"c{number}", answer["token"], chat_id))
        return self.chat_ids

    def make_agents(self, cookies):
        """One agent client per cookie; chats are dealt out in order."""
        for index, cookie in enumerate(cookies):
            mine = self.chat_ids[index * self.chats_per_agent : (index + 1) * self.chats_per_agent]
            if mine:
                self.agents.append(AgentClient(self, f"a{index}", cookie, mine))

    @property
    def clients(self):
        return self.customers + self.agents

    async def connect_all(self, timeout=60, agents_first=False):
        """
        Start every client; wait until all are connected and the agents hold their chats.
        ``agents_first``: the agents take every chat before the customers connect,
        so that no customer socket waits in the queue while the chats are taken
        (each queue move costs every waiting customer's socket a query).
        """
        deadline = time.monotonic() + timeout
        if agents_first:
            for client in self.agents:
                client.start()
            while not all(c.ready and set(c.chat_ids) <= c.assigned for c in self.agents):
                if time.monotonic() > deadline:
                    raise AssertionError("the agents did not take their chats in time")
                await asyncio.sleep(0.1)
        for client in self.clients:
            if not client.tasks:
                client.start()
        while time.monotonic() < deadline:
            if all(c.ready for c in self.customers) and all(
                c.ready and set(c.chat_ids) <= c.assigned for c in self.agents
            ):
                return
            await asyncio.sleep(0.1)
        raise AssertionError("clients did not all connect and take their chats in time")

    async def _produce(self, client, chat_id):
        interval = 1 / self.rate if self.rate else 0
        start = time.monotonic() + random.uniform(0, interval or 0.01)
        for number in range(self.messages):
            if self.rate:
                delay = start + number * interval - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            else:
                await client.until_unacked_below(chat_id, self.window)
            client.new_message(chat_id)

    async def traffic(self):
        producers = []
        for customer in self.customers:
            producers.append(self._produce(customer, customer.chat_id))
        for agent in self.agents:
            for chat_id in agent.chat_ids:
                producers.append(self._produce(agent, chat_id))
        await asyncio.gather(*producers)

    def total_messages(self):
        return 2 * self.chat_count * self.messages

    def acked(self):
        return sum(len(c.acks) for c in self.clients)

    async def settle(self, last_seqs, timeout=60):
        """Wait until every message is acked and both sides hold each chat's log up to ``last_seqs``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.complete(last_seqs):
                return True
            await asyncio.sleep(0.1)
        return False

    def all_acked(self):
        return all(not c.outbox for c in self.clients) and self.acked() >= self.total_messages()

    def complete(self, last_seqs):
        if not self.all_acked():
            return False
        for customer in self.customers:
            if customer.last_seq.get(customer.chat_id, 0) < last_seqs[customer.chat_id]:
                return False
        for agent in self.agents:
            for chat_id in agent.chat_ids:
                if agent.last_seq.get(chat_id, 0) < last_seqs[chat_id]:
                    return False
        return True

    async def stop(self):
        await asyncio.gather(*(c.stop() for c in self.clients))

    def random_client(self):
        return random.choice(self.clients)

    # Checks --------------------------------------------------------------------

    def check(self, db_logs):
        """
        Problems found, as text (empty: none). ``db_logs``: chat id -> [(seq,
        author, client_id, body)] from the database, in seq order.
        """
        problems = list(self.fatal)
        agent_of = {chat_id: agent for agent in self.agents for chat_id in agent.chat_ids}
        for customer in self.customers:
            chat_id = customer.chat_id
            stored = db_logs.get(chat_id, [])
            seqs = [row[0] for row in stored]
            if seqs != list(range(1, len(seqs) + 1)):
                problems.append(f"chat {chat_id}: stored seqs are not 1..n: {seqs[:10]}…")
            agent = agent_of[chat_id]
            for side, client in (("customer", customer), ("agent", agent)):
                sent = [cid for cid in client.acks if cid.startswith(f"{client.name}-{chat_id}-")]
                stored_ids = [row[2] for row in stored if row[2].startswith(f"{client.name}-{chat_id}-")]
                if len(sent) != self.messages:
                    problems.append(f"chat {chat_id}: {side} got {len(sent)} acks of {self.messages}")
                if sorted(stored_ids) != sorted(sent) or len(set(stored_ids)) != len(stored_ids):
                    problems.append(
                        f"chat {chat_id}: {side} sent {len(sent)}, the database holds {len(stored_ids)} "
                        f"({len(set(stored_ids))} distinct)"
                    )
                by_id = {row[2]: row[0] for row in stored if row[2]}
                wrong_acks = [cid for cid in sent if by_id.get(cid) != client.acks[cid]]
                if wrong_acks:
                    problems.append(f"chat {chat_id}: {side} acks disagree with the database for {wrong_acks[:3]}")
                seen = [(m["seq"], m["author"], m["client_id"], m["body"]) for m in client.log.get(chat_id, [])]
                if seen != stored:
                    missing = sorted(set(seqs) - {row[0] for row in seen})
                    problems.append(
                        f"chat {chat_id}: the {side} saw {len(seen)} messages, the database holds {len(stored)}; "
                        f"missing seqs {missing[:10]}"
                    )
        for client in self.clients:
            if client.stats.repeats or client.stats.gaps:
                problems.append(
                    f"{client.name}: {client.stats.repeats} repeated and {client.stats.gaps} skipped seqs from the server"
                )
        return problems

    def summary(self):
        stats = [c.stats for c in self.clients]
        errors = {}
        for s in stats:
            for code, count in s.errors.items():
                errors[code] = errors.get(code, 0) + count
        return {
            "chats": self.chat_count,
            "messages_per_side_per_chat": self.messages,
            "connects": sum(s.connects for s in stats),
            "connect_failures": sum(s.connect_failures for s in stats),
            "drops": sum(s.drops for s in stats),
            "resends": sum(s.resends for s in stats),
            "repeats_dropped_by_clients": sum(s.repeats for s in stats),
            "errors": errors,
        }


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
