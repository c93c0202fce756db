"""
The fault run's clients: a widget and a dashboard that behave as
docs/protocol.md asks of a real client.

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
from collections import OrderedDict
from dataclasses import dataclass, field

import websockets

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
            except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
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
            if "message" in frame:  # the sender's own message inside its ack (docs/protocol.md)
                self.on_message(self.chat_id, frame["message"])
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
            if "message" in frame:  # the sender's own message inside its ack (docs/protocol.md)
                self.on_message(frame["chat_id"], frame["message"])
            self.on_ack(frame["client_id"], frame["seq"])
        elif kind == "error":
            if frame.get("code") == "chat_taken" and frame.get("chat_id") in self.chat_ids:
                # Our own take answered twice (the first answer was lost with a socket).
                self.assigned.add(frame["chat_id"])
            self.on_error(frame)
