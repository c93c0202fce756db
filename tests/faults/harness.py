"""
Drives real widget and agent clients over websockets (docs/protocol.md, not
internal calls) through many concurrent chats, while faults are injected, and
checks afterwards that nothing was lost or doubled.

Used by tests/faults/test_faults.py (faults, correctness) and by
bench/load.py (no faults, throughput and latency).

The clients behave as docs/protocol.md asks of a real client:

* each keeps the last ``seq`` it holds per chat and drops any ``seq`` it
  already has (counted: the server should never send one);
* each message gets its own ``client_id``; it stays in an outbox until acked
  and is resent with the same ``client_id`` after a reconnect (or when an ack
  is overdue);
* a lost socket is reconnected with a growing, jittered delay to a random
  server process; ``hello`` carries the last ``seq`` held.

Frames are paced on the client side below the server's per-connection limit
(10 a second, bursts of 20), as a well-behaved client would.
"""
import abc
import asyncio
import contextlib
import json
import random
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass, field

import websockets

ARTIFACT_NAME = "faults"


# Pacing ------------------------------------------------------------------------------


class Pacer:
    """A client-side token bucket: stays below the server's frame limit per connection."""

    def __init__(self, rate=8.0, burst=12):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), time.monotonic()

    def reset(self):
        # A new connection has a fresh bucket on the server.
        self.tokens, self.stamp = float(self.burst), time.monotonic()

    async def wait(self):
        while True:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await asyncio.sleep((1 - self.tokens) / self.rate)


# Clients -------------------------------------------------------------------------


@dataclass
class Pending:
    chat_id: int
    body: str
    first_sent: float = 0.0
    sent_at: float = 0.0
    conn: int = -1


@dataclass
class Stats:
    connects: int = 0
    connect_failures: int = 0
    drops: int = 0  # sockets that ended while the run went on
    resends: int = 0
    repeats: int = 0  # a message frame with a seq this client already had
    gaps: int = 0  # a message frame that skipped a seq
    errors: dict = field(default_factory=dict)


class ReliableClient(abc.ABC):
    """What a widget or a dashboard does about its socket; subclasses speak their side's frames."""

    path = ""
    ACK_TIMEOUT = 5.0

    def __init__(self, run, name):
        self.run = run
        self.name = name
        self.last_seq = {}  # chat id -> the highest seq held
        self.log = {}  # chat id -> [message objects], in the order held
        self.outbox = OrderedDict()  # client_id -> Pending
        self.acks = {}  # client_id -> seq
        self.stats = Stats()
        self.pacer = Pacer(run.frame_rate, run.frame_burst)
        self.ws = None
        self.ready = False
        self.conn = 0
        self.wakeup = asyncio.Event()
        self.acked_in = {}  # chat id -> Event set when one of its messages is acked
        self.stopping = False
        self.tasks = []
        self.counter = 0

    # Connection ---------------------------------------------------------------

    def headers(self):
        return {}

    @abc.abstractmethod
    def hello_fields(self):
        """Implemented by the widget and agent clients."""

    @abc.abstractmethod
    async def handle(self, frame):
        """Implemented by the widget and agent clients."""

    async def connection_loop(self):
        attempt = 0
        while not self.stopping:
            server = random.choice(self.run.servers)
            try:
                ws = await websockets.connect(
                    server.ws_url + self.path,
                    origin=server.url,
                    additional_headers=self.headers(),
                    open_timeout=5,
                    ping_interval=None,
                    close_timeout=1,
                    max_queue=None,
                )
            except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException):
                self.stats.connect_failures += 1
                await asyncio.sleep(self.run.backoff(attempt))
                attempt += 1
                continue
            self.stats.connects += 1
            self.conn += 1
            self.ws = ws
            self.pacer.reset()
            try:
                await self.send_frame("hello", **self.hello_fields())
                async for raw in ws:
                    attempt = 0
                    await self.handle(json.loads(raw))
            except websockets.exceptions.ConnectionClosed:
                pass
            finally:
                self.ws = None
                self.ready = False
            if self.stopping:
                break
            self.stats.drops += 1
            if ws.close_code in (4401,):
                self.run.fatal.append(f"{self.name}: closed with {ws.close_code}")
                return
            await asyncio.sleep(self.run.backoff(attempt))
            attempt += 1

    async def send_frame(self, frame_type, **fields):
        ws = self.ws
        if ws is None:
            raise websockets.exceptions.ConnectionClosedError(None, None)
        await self.pacer.wait()
        await ws.send(json.dumps({"type": frame_type, **fields}))

    def drop(self):
        """Cut the socket at once, as a lost network would."""
        if self.ws is not None and self.ws.transport is not None:
            self.ws.transport.abort()
            return True
        return False

    # Sending --------------------------------------------------------------------

    def new_message(self, chat_id):
        self.counter += 1
        client_id = f"{self.name}-{chat_id}-{self.counter}"
        self.outbox[client_id] = Pending(chat_id, f"{self.name} #{self.counter} to chat {chat_id}")
        self.wakeup.set()
        return client_id

    @abc.abstractmethod
    def send_fields(self, client_id, pending):
        """Implemented by the widget and agent clients."""

    async def sender_loop(self):
        """Send what the outbox holds: once per connection, again when the ack is overdue."""
        while not self.stopping:
            self.wakeup.clear()
            if self.ready:
                now = time.monotonic()
                for client_id, pending in list(self.outbox.items()):
                    if not self.ready or self.stopping:
                        break
                    if client_id not in self.outbox:
                        continue
                    if pending.conn == self.conn and now - pending.sent_at < self.ACK_TIMEOUT:
                        continue
                    if pending.first_sent:
                        self.stats.resends += 1
                    try:
                        conn = self.conn
                        await self.send_frame("send", **self.send_fields(client_id, pending))
                    except websockets.exceptions.ConnectionClosed:
                        break
                    pending.conn = conn
                    pending.sent_at = time.monotonic()
                    pending.first_sent = pending.first_sent or pending.sent_at
                    self.run.sent_at.setdefault(client_id, pending.sent_at)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), 0.5)

    def on_ack(self, client_id, seq):
        earlier = self.acks.get(client_id)
        if earlier is not None and earlier != seq:
            self.run.fatal.append(f"{self.name}: {client_id} acked as {earlier} and as {seq}")
        self.acks[client_id] = seq
        pending = self.outbox.pop(client_id, None)
        if pending is not None and pending.chat_id in self.acked_in:
            self.acked_in[pending.chat_id].set()

    def unacked(self, chat_id):
        return sum(1 for p in self.outbox.values() if p.chat_id == chat_id)

    async def until_unacked_below(self, chat_id, window):
        """Wait for acks (not by polling: hundreds of producers would keep the benchmark's own CPU busy)."""
        event = self.acked_in.setdefault(chat_id, asyncio.Event())
        while self.unacked(chat_id) >= window:
            event.clear()
            await event.wait()

    def on_error(self, frame):
        code = frame.get("code")
        self.stats.errors[code] = self.stats.errors.get(code, 0) + 1
        pending = self.outbox.get(frame.get("client_id"))
        if pending is not None:
            # Rate limited (or any other refusal): try again a little later.
            pending.sent_at = time.monotonic() - self.ACK_TIMEOUT + 0.5

    # Receiving ---------------------------------------------------------------

    def on_message(self, chat_id, message):
        last = self.last_seq.get(chat_id, 0)
        seq = message["seq"]
        if seq <= last:
            self.stats.repeats += 1  # dropped, as docs/protocol.md asks of clients
            return
        if seq != last + 1:
            self.stats.gaps += 1
            self.run.fatal.append(f"{self.name}: chat {chat_id} jumped from {last} to {seq}")
        self.last_seq[chat_id] = seq
        self.log.setdefault(chat_id, []).append(message)
        sent = self.run.sent_at.get(message.get("client_id"))
        if sent is not None and not message["client_id"].startswith(self.name + "-"):
            self.run.latencies.append(time.monotonic() - sent)
        self.run.received += 1

    # Life -------------------------------------------------------------------------

    def start(self):
        self.tasks = [asyncio.ensure_future(self.connection_loop()), asyncio.ensure_future(self.sender_loop())]

    async def stop(self):
        self.stopping = True
        self.wakeup.set()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 1)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class CustomerClient(ReliableClient):
    path = "/ws/chat/"

    def __init__(self, run, name, token, chat_id):
        super().__init__(run, name)
        self.token = token
        self.chat_id = chat_id

    def hello_fields(self):
        return {"token": self.token, "last_seq": self.last_seq.get(self.chat_id, 0)}

    def send_fields(self, client_id, pending):
        return {"client_id": client_id, "body": pending.body}

    async def handle(self, frame):
        kind = frame["type"]
        if kind == "welcome":
            self.ready = True
            self.wakeup.set()
        elif kind == "message":
            self.on_message(self.chat_id, frame["message"])
        elif kind == "ack":
            self.on_ack(frame["client_id"], frame["seq"])
        elif kind == "error":
            self.on_error(frame)


class AgentClient(ReliableClient):
    path = "/ws/agent/"

    def __init__(self, run, name, cookie, chat_ids):
        super().__init__(run, name)
        self.cookie = cookie
        self.chat_ids = list(chat_ids)
        self.assigned = set()

    def headers(self):
        return {"Cookie": self.cookie}

    def hello_fields(self):
        return {"chats": {str(chat_id): seq for chat_id, seq in self.last_seq.items()}}

    def send_fields(self, client_id, pending):
        return {"chat_id": pending.chat_id, "client_id": client_id, "body": pending.body}

    async def handle(self, frame):
        kind = frame["type"]
        if kind == "state":
            self.assigned |= {chat["id"] for chat in frame["chats"]}
            self.ready = True
            self.wakeup.set()
            for chat_id in self.chat_ids:
                if chat_id not in self.assigned:
                    await self.send_frame("take", chat_id=chat_id)
        elif kind == "chat" and frame.get("assigned"):
            self.assigned.add(frame["chat"]["id"])
        elif kind == "message":
            self.on_message(frame["chat_id"], frame["message"])
        elif kind == "ack":
            self.on_ack(frame["client_id"], frame["seq"])
        elif kind == "error":
            if frame.get("code") == "chat_taken" and frame.get("chat_id") in self.chat_ids:
                # Our own take answered twice (the first answer was lost with a socket).
                self.assigned.add(frame["chat_id"])
            self.on_error(frame)


# The run ----------------------------------------------------------------------------


def start_chat_http(servers, slug, number, attempts=20):
    """POST …/api/start to a random server, retrying while servers come and go."""
    body = json.dumps({"name": f"Customer {number}", "email": f"customer{number}@example.com", "question": f"Question {number}"}).encode()
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

    def __init__(self, servers, *, chats, messages, rate, chats_per_agent=2, window=1, frame_rate=8.0, frame_burst=12,
                 backoff_base=0.2, backoff_max=2.0):
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
            mine = self.chat_ids[index * self.chats_per_agent:(index + 1) * self.chats_per_agent]
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
            for side, client, prefix in (("customer", customer, customer.name + "-"), ("agent", agent, agent.name + "-")):
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
                problems.append(f"{client.name}: {client.stats.repeats} repeated and {client.stats.gaps} skipped seqs from the server")
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
