"""
What one flooding customer costs everyone else, on the production stack
(Daphne processes, PostgreSQL, Redis on loopback). Not a test: it prints figures.

    .venv/bin/python -m bench.flood --chats 50 --seconds 20 --sockets 100

Two phases with the same ordinary traffic (--chats chats, --rate messages a
second per chat and direction, as bench/load.py drives them): first alone,
then while one customer token opens --sockets sockets (spread over the
processes; a refused one tries again every second) and sends as fast as its
sockets allow. Printed per phase: the ordinary chats' delivery latency
p50/p95/p99 and throughput; for the flood, how many of its sockets were let
in, the messages stored in its chat, and the frames the server sent to it.
"""

import argparse
import asyncio
import json
import os
import time

from bench.load import Stack, drive, fresh_database, machine, seed, use_production_settings

# The flooder's sending pace per socket: well above the per-connection limit
# (10 frames a second), so that only the server's limits decide.
FLOOD_FRAMES_PER_SECOND = 50


class Flood:
    def __init__(self, servers, token, sockets):
        self.servers = servers
        self.token = token
        self.sockets = sockets
        self.admitted = set()
        self.closes = {}  # close code -> how often
        self.frames_received = 0
        self.acks = 0
        self.stopping = False

    async def run(self):
        tasks = [asyncio.ensure_future(self._socket(number)) for number in range(self.sockets)]
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _socket(self, number):
        import websockets

        server = self.servers[number % len(self.servers)]
        while not self.stopping:
            try:
                async with websockets.connect(server.ws_url + "/ws/chat/", origin=server.url, ping_interval=None) as ws:
                    await ws.send(json.dumps({"type": "hello", "token": self.token, "last_seq": 0}))
                    reader = asyncio.ensure_future(self._read(ws, number))
                    sent = 0
                    while not self.stopping and not reader.done():
                        await ws.send(
                            json.dumps(
                                {
                                    "type": "send",
                                    "client_id": f"f{number}-{time.monotonic_ns()}-{sent}",
                                    "body": "flood",
                                }
                            )
                        )
                        sent += 1
                        await asyncio.sleep(1 / FLOOD_FRAMES_PER_SECOND)
                    reader.cancel()
            except Exception:
                pass
            if not self.stopping:
                await asyncio.sleep(1)

    async def _read(self, ws, number):
        import websockets

        try:
            async for raw in ws:
                self.frames_received += 1
                frame = json.loads(raw)
                if frame["type"] == "welcome":
                    self.admitted.add(number)
                elif frame["type"] == "ack":
                    self.acks += 1
        except websockets.ConnectionClosed:
            pass
        code = ws.close_code
        self.closes[code] = self.closes.get(code, 0) + 1


def flood_chat(slug):
    from chat.configuration.models import Channel
    from chat.conversations import services

    chat, token = services.start_chat(
        Channel.objects.get(slug=slug),
        name="Flooder",
        email="flood@example.com",
        email_verified=True,
        form_data=[],
        question="flood",
    )
    return chat.pk, token


def stored_in(chat_id):
    from chat.conversations.models import Message

    return Message.objects.filter(chat_id=chat_id).count()


async def phase(stack, started, cookies, args, flood_token=None):
    flood = None
    if flood_token is not None:
        flood = Flood(stack.servers, flood_token, args.sockets)
        flood_task = asyncio.ensure_future(flood.run())
        await asyncio.sleep(3)  # the flood is on before the ordinary traffic starts
    figures = await drive(
        stack.servers, started, cookies, rate=args.rate, seconds=args.seconds, chats_per_agent=3, pids=stack.pids()
    )
    if flood is not None:
        flood.stopping = True
        flood_task.cancel()
        await asyncio.gather(flood_task, return_exceptions=True)
    return figures, flood


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rate", type=float, default=0.5)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--sockets", type=int, default=100, help="sockets the flooding token opens")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()

    use_production_settings()
    fresh_database()
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from asgiref.sync import sync_to_async
    from django.db import connection

    stack = Stack(args.processes)
    try:
        print(machine())
        print(
            f"Daphne processes: {args.processes}; {args.chats} ordinary chats at {args.rate}/s per chat and direction; "
            f"{args.seconds:.0f} s per phase; the flood: one token, {args.sockets} sockets, "
            f"{FLOOD_FRAMES_PER_SECOND} frames/s each\n"
        )
        for label, with_flood in (("alone", False), ("with the flood", True)):
            slug = f"flood-{int(time.time())}-{int(with_flood)}"
            started, cookies = seed(args.chats, 3, slug)
            flood_id, flood_token = flood_chat(slug) if with_flood else (None, None)
            connection.close()
            figures, flood = asyncio.run(phase(stack, started, cookies, args, flood_token))
            print(
                f"{label}: ordinary chats p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
                f"p99 {figures['p99_ms']:.1f} ms, delivered {figures['delivered_per_s']:.0f}/s, "
                f"server CPU {figures['server_cpu']}, unacked at end {figures['backlog']}"
            )
            if flood is not None:
                stored = asyncio.run(sync_to_async(stored_in)(flood_id))
                print(
                    f"  the flood: {len(flood.admitted)} of {args.sockets} sockets let in (closes by code: {flood.closes}), "
                    f"{stored} messages stored in its chat, {flood.acks} acks, "
                    f"{flood.frames_received} frames sent to it"
                )
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
