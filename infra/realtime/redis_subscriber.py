"""
One Redis connection in subscribe mode for one event loop, read by one task
(used by infra/realtime/layer.py). It keeps what it should be subscribed to,
subscribes again after a reconnect, confirms each subscription to whoever
asked for it, and reports a lost connection: everything published while it
was gone is gone.
"""

import asyncio
import logging
import math
from collections import defaultdict

import redis
from redis import asyncio as aioredis

logger = logging.getLogger(__name__)

# A ping this often on an idle subscriber connection; no answer at all for
# DEAD_AFTER_SECONDS means the connection is dead even if TCP has not noticed.
KEEPALIVE_SECONDS = 5
DEAD_AFTER_SECONDS = 15
# How long group_add waits for Redis to confirm a subscription (Redis down:
# the consumer fails and its client reconnects with backoff).
SUBSCRIBE_TIMEOUT_SECONDS = 10
RECONNECT_PAUSES_SECONDS = (0.05, 0.2, 0.5, 1, 2)


class SubscriptionLost(ConnectionError):
    """
    Redis never confirmed a subscription: the connection went while it waited,
    or Redis did not answer in time. The socket that asked cannot know what it
    missed; it closes so that its client resumes (infra.realtime.consumer).
    """


class Subscriber:
    """
    One Redis connection in subscribe mode, read by one task. Keeps what it
    should be subscribed to, subscribes again after a reconnect, and reports a
    lost connection (everything published meanwhile is gone).
    """

    def __init__(self, url, loop, on_message, on_lost):
        pool = aioredis.ConnectionPool.from_url(url)
        self._connection_class = pool.connection_class
        # RESP2: pub/sub frames are plain arrays; no read time-out (idle is normal).
        self._connection_kwargs = {**pool.connection_kwargs, "protocol": 2, "socket_timeout": None}
        self.loop = loop
        self.on_message = on_message
        self.on_lost = on_lost
        self.refs = defaultdict(int)  # Redis channel -> how many want it
        self.kept = set()  # subscribed for the loop's lifetime
        self.confirmed = {}  # Redis channel -> future, done once Redis confirmed
        self.unconfirmed = defaultdict(int)  # SUBSCRIBE commands sent on this connection, not yet confirmed
        self.connection = None
        self.last_heard = 0.0
        self._task = None

    async def subscribe(self, key, keep=False):
        if keep and key in self.kept:
            return
        if keep:
            self.kept.add(key)
        self.refs[key] += 1
        if self.refs[key] == 1:
            self.confirmed[key] = self.loop.create_future()
            await self._send("SUBSCRIBE", key)
        self._ensure_running()
        confirmed = self.confirmed[key]
        if confirmed.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT_SECONDS)
        except TimeoutError:
            raise SubscriptionLost(f"Redis did not confirm the subscription to {key}") from None

    async def unsubscribe(self, key):
        if self.refs.get(key, 0) == 0:
            return
        self.refs[key] -= 1
        if self.refs[key] == 0:
            del self.refs[key]
            self.confirmed.pop(key, None)
            await self._send("UNSUBSCRIBE", key)

    async def _send(self, command, key):
        if self.connection is None:
            return  # sent with everything else once connected
        if command == "SUBSCRIBE":
            self.unconfirmed[key] += 1
        try:
            await self.connection.send_command(command, key)
        except (ConnectionError, OSError, redis.RedisError):
            pass  # the reader notices and reconnects

    def _ensure_running(self):
        if self._task is None or self._task.done():
            self._task = self.loop.create_task(self._run())

    async def _run(self):
        failures = 0
        keepalive = self.loop.create_task(self._keepalive())
        try:
            while self.refs:
                connection = self._connection_class(**self._connection_kwargs)
                connected = False
                try:
                    await connection.connect()
                    connected = True
                    failures = 0
                    self.connection = connection
                    self.last_heard = self.loop.time()
                    self.unconfirmed.clear()
                    keys = list(self.refs)
                    if keys:
                        for key in keys:
                            self.unconfirmed[key] += 1
                        await connection.send_command("SUBSCRIBE", *keys)
                    await self._read(connection)
                except (ConnectionError, OSError, redis.RedisError) as error:
                    if connected:
                        logger.warning("Lost the Redis subscriber connection (%s); sockets resume", error)
                finally:
                    self.connection = None
                    await _disconnect(connection)
                if connected:
                    self._lost()
                failures += 1
                await asyncio.sleep(RECONNECT_PAUSES_SECONDS[min(failures, len(RECONNECT_PAUSES_SECONDS)) - 1])
        finally:
            keepalive.cancel()

    async def _read(self, connection):
        while True:
            response = await connection.read_response(timeout=math.inf)
            self.last_heard = self.loop.time()
            kind = response[0]
            if kind == b"message":
                self.on_message(response[1].decode(), response[2])
            elif kind == b"subscribe":
                self._confirm(response[1].decode())
            elif not self.refs and kind == b"unsubscribe" and response[2] == 0:
                return  # nothing left to follow: the task ends until the next subscribe

    def _confirm(self, key):
        self.unconfirmed[key] -= 1
        if self.unconfirmed[key] > 0:
            return  # an earlier SUBSCRIBE's answer; a later one is still on its way
        del self.unconfirmed[key]
        future = self.confirmed.get(key)
        if future is not None and not future.done():
            future.set_result(None)

    def _lost(self):
        # What was confirmed must be confirmed again on the next connection.
        # A join still waiting fails now rather than after its timeout: the
        # socket would otherwise sit in its handler, its gap event queued
        # behind it, and fail with a server error instead of resuming.
        for key, future in list(self.confirmed.items()):
            if not future.done():
                future.set_exception(SubscriptionLost(f"The Redis connection went before {key} was confirmed"))
                future.exception()  # retrieved: the join may have been abandoned meanwhile
            self.confirmed[key] = self.loop.create_future()
        self.on_lost()

    async def _keepalive(self):
        while True:
            await asyncio.sleep(KEEPALIVE_SECONDS)
            connection = self.connection
            if connection is None:
                continue
            if self.loop.time() - self.last_heard > DEAD_AFTER_SECONDS:
                logger.warning("Redis subscriber connection silent for %s s; reconnecting", DEAD_AFTER_SECONDS)
                await _disconnect(connection)
                continue
            try:
                await connection.send_command("PING")
            except (ConnectionError, OSError, redis.RedisError):
                pass

    async def close(self):
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - closing anyway
                pass
            self._task = None
        self.refs.clear()
        self.kept.clear()
        self.confirmed.clear()


async def _disconnect(connection):
    try:
        await connection.disconnect()
    except Exception:  # noqa: BLE001 - a connection being thrown away
        pass
