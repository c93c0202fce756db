"""
Load benchmark of the production stack on loopback: Daphne processes,
PostgreSQL, Redis. Not a test: it prints figures.

    .venv/bin/python -m bench.load --chats 50,200,1000 --rate 0.5 --seconds 30
    .venv/bin/python -m bench.load --chats 200 --rate 0          # as fast as acks come back
    .venv/bin/python -m bench.load --idle 1000,5000               # idle widget sockets on one process

Run from the project's directory, as a module (-m): bench/ and tests/ are
packages there, and the servers and clients come from tests.support and
tests.faults.harness.

For each size it starts C chats (created through chat.conversations.services, as the start
endpoint would), a widget client per chat and agent clients that took them
over /ws/agent/, and lets both sides send at --rate messages a second per chat
and direction (0: as fast as they are acked, one unacked message per chat and
side). The clients are tests/faults/harness.py's: outbox, acks, dedupe by seq.
It prints messages stored and delivered per second, delivery latency (send to
receipt on the other side) p50/p95/p99, memory per open websocket, server CPU
per message, and the same in the same run for two relays with the ratios: a
bare one (bench/relay.py: websockets only, no database) and the anchor
(bench/relay_pg.py: each message stored in PostgreSQL before it is delivered,
with group commit over two writers; its PostgreSQL backends' CPU beside it).

Server CPU per message: user + system CPU time (/proc/<pid>/stat) of the server
processes and their descendants (the Daphne processes; the relay's one
process) during the measured window, divided by the `message` frames delivered
in it (each message reaches both sides: two per message sent) and by the
messages sent (acked). Beside it, for the helpdesk: the CPU of its own Redis and
of the PostgreSQL backends on the bench database in the same window.

Profiling the servers through the window: --py-spy DIR (py-spy's samples of
each Daphne process), or yappi inside them (bench/yappi_site/sitecustomize.py).

The stack: PostgreSQL at 127.0.0.1:5432 (user postgres), database
helpdesk_bench (dropped, created and migrated on each run); a Redis of its own
on a free port; Daphne processes with DJANGO_DEBUG=false; a test DNS server.
"""

import argparse
import asyncio
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.processes import (
    CpuMeter,
    cpu_seconds,
    database_backends,
    machine,
    rss_kib,
    signal_window,
    start_py_spy,
    with_descendants,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent

if not __package__:  # run as a file, tests.support would not be importable
    sys.exit(f"Run from the project's directory as a module: python -m bench.{Path(__file__).stem} ...")

DB_NAME = os.environ.get("HELPDESK_BENCH_DB", "helpdesk_bench")
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"


def use_production_settings():
    """This process and the servers it starts run the production settings against the bench database."""
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-secret-key-bench-secret-key-0123456789")
    os.environ["DATABASE_URL"] = DB_URL
    os.environ["DJANGO_DEBUG"] = "false"
    # Production settings insist on a backend; the bench sends nothing anywhere.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"


def fresh_database():
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = dict(
        os.environ,
        DATABASE_URL=DB_URL,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
    )
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=PROJECT_DIR, env=env, check=True
    )


class Stack:
    def __init__(self, processes, settings_module=None, **extra_env):
        from tests.support.dnsserver import start_dns_server
        from tests.support.redisserver import RedisProcess
        from tests.support.servers import DaphneProcess, free_port

        self.dns = start_dns_server()
        self.redis = RedisProcess(free_port()).start()
        env = dict(
            os.environ,
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=os.environ["DJANGO_SECRET_KEY"],
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=DB_URL,
            REDIS_URL=self.redis.url,
            HELPDESK_DNS_NAMESERVERS=self.dns.address,
            HELPDESK_DNS_TIMEOUT="0.5",
            HELPDESK_CHAT_START_LIMIT="1000000",
            DJANGO_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra_env)
        if settings_module:
            env["DJANGO_SETTINGS_MODULE"] = settings_module
        self.servers = [DaphneProcess(env, name=f"bench-{n}").start() for n in range(processes)]

    def pids(self):
        return [s.process.pid for s in self.servers]

    def helpers(self, own_backend=None):
        """What else the servers' messages cost CPU in: their Redis, their PostgreSQL backends (not this process's)."""
        return {
            "redis": lambda: {self.redis.process.pid},
            "postgres": lambda: database_backends(DB_NAME, exclude={own_backend}),
        }

    def stop(self):
        for server in self.servers:
            server.stop()
        self.redis.kill()
        self.dns.stop()


def seed(chats, chats_per_agent, slug):
    """A channel, enough present agents, and ``chats`` waiting chats; returns (chat ids and tokens, cookies)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from chat.configuration.models import Channel, ChannelMembership
    from chat.conversations import services
    from chat.conversations.models import AgentPresence, PresenceStatus
    from tests.support.wsclient import session_cookie

    channel = Channel.objects.create(
        name=slug,
        slug=slug,
        allowed_origins="http://127.0.0.1:9999",
        max_chats_per_agent=chats_per_agent,
        customer_timeout_seconds=3600,
    )
    agent_count = -(-chats // chats_per_agent)
    User = get_user_model()
    agents = User.objects.bulk_create(
        [User(username=f"{slug}-agent{n}", first_name=f"Agent{n}") for n in range(agent_count)]
    )
    ChannelMembership.objects.bulk_create([ChannelMembership(channel=channel, user=a) for a in agents])
    AgentPresence.objects.bulk_create(
        [AgentPresence(user=a, status=PresenceStatus.PRESENT, seen_at=timezone.now()) for a in agents]
    )
    started = []
    for n in range(chats):
        chat, token = services.start_chat(
            channel,
            name=f"Customer {n}",
            email=f"customer{n}@example.com",
            email_verified=True,
            form_data=[],
            question=f"Question {n}",
        )
        started.append((chat.pk, token))
    return started, [session_cookie(a) for a in agents]


def message_count():
    from chat.conversations.models import Message

    return Message.objects.count()


def backend_pid():
    """The PostgreSQL backend of this process's own connection (message_count's), kept out of the servers' CPU."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


async def drive(
    servers,
    started,
    cookies,
    *,
    rate,
    seconds,
    chats_per_agent,
    pids,
    database=True,
    helpers=None,
    profile=None,
    stored_count=None,
):
    """
    Connect everyone, measure memory, then run traffic for ``seconds``; returns a dict of figures.
    ``pids``: the server processes (with their descendants, if any); ``helpers``: Stack.helpers,
    what else the servers' messages cost CPU in (their Redis, PostgreSQL), measured beside them.
    ``profile``: a directory; py-spy samples each server process during the window into it.
    ``database``: the servers are the helpdesk's (messages counted in its table, its own
    backend kept out of PostgreSQL's CPU, the profilers' window signalled); ``stored_count``
    counts what a relay that stores (bench/relay_pg.py) has stored.
    """
    if database:
        stored_count = message_count
    from asgiref.sync import sync_to_async

    from tests.faults.clients import CustomerClient
    from tests.faults.harness import ChatRun, percentile

    messages = max(1, int(rate * seconds)) if rate else 10**9
    run = ChatRun(
        servers,
        chats=len(started),
        messages=messages,
        rate=rate,
        chats_per_agent=chats_per_agent,
        window=1,
        backoff_base=0.5,
    )
    for number, (chat_id, token) in enumerate(started):
        run.chat_ids.append(chat_id)
        run.customers.append(CustomerClient(run, f"c{number}", token, chat_id))
    run.make_agents(cookies)
    rss_before = sum(rss_kib(pid) for pid in pids)
    await run.connect_all(timeout=300, agents_first=True)
    await asyncio.sleep(1)
    rss_after = sum(rss_kib(pid) for pid in pids)
    sockets = len(run.clients)

    stored_before = await sync_to_async(stored_count)() if stored_count else 0
    own_backend = await sync_to_async(backend_pid)() if database else None
    meter = CpuMeter({"server": lambda: with_descendants(pids), **(helpers(own_backend) if helpers else {})})
    per_process = [(pid, cpu_seconds(pid)) for pid in pids]
    meter.start()
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    received_before = run.received
    acked_before = run.acked()
    samplers = start_py_spy(profile, pids, seconds) if profile else []
    if database:  # the helpdesk's processes, not the relay
        signal_window(pids, signal.SIGUSR1)
    began = time.monotonic()
    traffic = asyncio.ensure_future(run.traffic())
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - began
    if database:
        signal_window(pids, signal.SIGUSR2)
    spent = meter.stop()
    cpu = [cpu_seconds(pid) - before for pid, before in per_process]
    received = run.received - received_before
    acked = run.acked() - acked_before
    latencies = list(run.latencies)
    stored = (await sync_to_async(stored_count)() - stored_before) if stored_count else None
    own = resource.getrusage(resource.RUSAGE_SELF)
    backlog = sum(len(c.outbox) for c in run.clients)
    traffic.cancel()
    for sampler in samplers:
        await asyncio.to_thread(sampler.wait)
    errors = run.summary()["errors"]
    await run.stop()
    return {
        "sockets": sockets,
        "stored_per_s": stored / elapsed if stored is not None else None,
        "delivered_per_s": received / elapsed,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "kib_per_socket": (rss_after - rss_before) / sockets,
        "server_cpu": [round(c / elapsed, 2) for c in cpu],
        # CPU milliseconds per message frame delivered (each message reaches
        # both sides: two per message sent) and per message sent (acked).
        "delivered": received,
        "acked": acked,
        "cpu_s": {name: round(value, 2) for name, value in spent.items()},
        "cpu_ms_per_delivered": {name: 1000 * value / max(received, 1) for name, value in spent.items()},
        "cpu_ms_per_sent": {name: 1000 * value / max(acked, 1) for name, value in spent.items()},
        "client_cpu": round((own.ru_utime + own.ru_stime - own_before.ru_utime - own_before.ru_stime) / elapsed, 2),
        "backlog": backlog,
        "errors": errors,
    }


async def idle_widgets(server, started, counts):
    """Open idle widget sockets (hello'd, then quiet) on one process; its memory at each count."""
    import json

    import websockets

    pid = server.process.pid
    base = rss_kib(pid)
    results = []
    sockets = []

    async def open_one(token):
        ws = await websockets.connect(
            server.ws_url + "/ws/chat/", origin=server.url, ping_interval=None, open_timeout=60
        )
        await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))
        while json.loads(await ws.recv())["type"] != "welcome":
            pass
        return ws

    for count in counts:
        semaphore = asyncio.Semaphore(50)

        async def limited(token, semaphore=semaphore):
            async with semaphore:
                return await open_one(token)

        todo = started[len(sockets) : count]
        sockets += await asyncio.gather(*(limited(token) for _chat_id, token in todo))
        await asyncio.sleep(12)  # a housekeeping round with all of them
        alive = sum(1 for ws in sockets if ws.close_code is None)
        rss = rss_kib(pid)
        results.append({"open": alive, "rss_mib": rss / 1024, "kib_per_socket": (rss - base) / max(alive, 1)})
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return base / 1024, results


# The two relays the helpdesk is held against, in the same run with the same clients:
# "relay" keeps messages in memory (bench/relay.py); "anchor" stores each in
# PostgreSQL before delivering it, with group commit (bench/relay_pg.py).
RELAYS = {"relay": "bench.relay", "anchor": "bench.relay_pg"}


def anchor_stored():
    import psycopg

    from bench.relay_pg import TABLE

    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={DB_NAME}") as conn:
        return conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


def relay_figures(name, started, cookies, *, rate, seconds, chats_per_agent):
    from tests.support.servers import free_port

    port = free_port()
    persisted = name == "anchor"
    command = [sys.executable, "-m", RELAYS[name], str(port)]
    if persisted:
        command.append(f"host=127.0.0.1 user=postgres dbname={DB_NAME}")
    relay = subprocess.Popen(command, cwd=PROJECT_DIR)
    try:
        time.sleep(1)

        class Relay:
            url = f"http://127.0.0.1:{port}"
            ws_url = f"ws://127.0.0.1:{port}"

        fake = [(chat_id, str(chat_id)) for chat_id, _token in started]
        return asyncio.run(
            drive(
                [Relay],
                fake,
                cookies,
                rate=rate,
                seconds=seconds,
                chats_per_agent=chats_per_agent,
                pids=[relay.pid],
                database=False,
                # The anchor's PostgreSQL backends are its cost too, as the helpdesk's are.
                helpers=(lambda _own: {"postgres": lambda: database_backends(DB_NAME)}) if persisted else None,
                stored_count=anchor_stored if persisted else None,
            )
        )
    finally:
        relay.kill()
        relay.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", default="50,200", help="comma-separated sizes (concurrent chats)")
    parser.add_argument(
        "--rate", type=float, default=0.5, help="messages a second per chat and direction; 0: as fast as acked"
    )
    parser.add_argument("--seconds", type=float, default=30, help="traffic time per size")
    parser.add_argument("--processes", type=int, default=2, help="Daphne processes")
    parser.add_argument(
        "--chats-per-agent", type=int, default=3, help="chats one agent socket holds (frame limit: 10/s per socket)"
    )
    parser.add_argument(
        "--idle", default="", help="comma-separated counts of idle widget sockets on one process, e.g. 1000,5000"
    )
    parser.add_argument("--no-relay", action="store_true", help="skip the bare relay (in memory)")
    parser.add_argument(
        "--no-anchor", action="store_true", help="skip the anchor (group commit into PostgreSQL, bench/relay_pg.py)"
    )
    parser.add_argument(
        "--settings", default=None, help="DJANGO_SETTINGS_MODULE for the Daphne processes (e.g. bench.settings_static)"
    )
    parser.add_argument("--json", default=None, help="append each size's figures to this file, one JSON object a line")
    parser.add_argument(
        "--py-spy",
        default=None,
        metavar="DIR",
        help="sample the Daphne processes with py-spy (pip install py-spy) during each window, "
        "collapsed stacks into DIR (the sampling costs CPU: not for the figures)",
    )
    args = parser.parse_args()

    use_production_settings()
    fresh_database()
    sizes = [int(x) for x in args.chats.split(",") if x]
    idle_counts = [int(x) for x in args.idle.split(",") if x]
    # This process seeds through the ORM before any socket opens; it needs no
    # channel layer of the stack's (its own events go to the in-memory layer).
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connection

    stack = None
    try:
        # Capacity, not the limits against floods: as fast as acked, one chat
        # sends far more than a person may (HELPDESK_CHAT_MESSAGE_RATE).
        stack = Stack(
            args.processes, args.settings, HELPDESK_CHAT_MESSAGE_RATE="1000000", HELPDESK_CHAT_MESSAGE_BURST="1000000"
        )
        print(machine())
        print(
            f"Daphne processes: {args.processes} (pids {', '.join(map(str, stack.pids()))}); settings: {args.settings or 'helpdesk.settings'}; "
            f"rate {args.rate or 'as fast as acked'} /s per chat and direction; {args.seconds:.0f} s per size\n"
        )
        for size in sizes:
            started, cookies = seed(size, args.chats_per_agent, f"bench-{size}-{int(time.time())}")
            connection.close()
            figures = asyncio.run(
                drive(
                    stack.servers,
                    started,
                    cookies,
                    rate=args.rate,
                    seconds=args.seconds,
                    chats_per_agent=args.chats_per_agent,
                    pids=stack.pids(),
                    helpers=stack.helpers,
                    profile=args.py_spy,
                )
            )
            skipped = {"relay": args.no_relay, "anchor": args.no_anchor}
            relays = {
                name: relay_figures(
                    name, started, cookies, rate=args.rate, seconds=args.seconds, chats_per_agent=args.chats_per_agent
                )
                for name in RELAYS
                if not skipped[name]
            }
            report(size, figures, relays)
            if args.json:
                with open(args.json, "a") as out:
                    out.write(
                        json.dumps(
                            {
                                "chats": size,
                                "rate": args.rate,
                                "seconds": args.seconds,
                                "helpdesk": figures,
                                **relays,
                            }
                        )
                        + "\n"
                    )
        if idle_counts:
            need = max(idle_counts)
            started, _cookies = seed(need, 50, f"idle-{int(time.time())}")
            connection.close()
            base, results = asyncio.run(idle_widgets(stack.servers[0], started, idle_counts))
            print(f"Idle widget sockets on one Daphne process (RSS before: {base:.0f} MiB):")
            for r in results:
                print(f"  {r['open']:>6} open: RSS {r['rss_mib']:.0f} MiB, {r['kib_per_socket']:.1f} KiB per socket")
    finally:
        if stack is not None:
            stack.stop()


def report(size, f, relays):
    def line(name, x):
        stored = f"{x['stored_per_s']:.0f}" if x.get("stored_per_s") is not None else "-"
        per_socket = f"{x['kib_per_socket']:.0f} KiB" if x.get("kib_per_socket") is not None else "-"
        return (
            f"  {name:<9} sockets {x['sockets']:>5}  stored/s {stored:>6}  delivered/s {x['delivered_per_s']:>7.0f}  "
            f"p50 {x['p50_ms']:>7.1f} ms  p95 {x['p95_ms']:>7.1f} ms  p99 {x['p99_ms']:>7.1f} ms  "
            f"mem/socket {per_socket:>8}  server CPU {x['server_cpu']}  client CPU {x['client_cpu']}  "
            f"unacked at end {x['backlog']}  errors {x['errors'] or '-'}"
        )

    def cpu(name, x):
        delivered, sent = x["cpu_ms_per_delivered"], x["cpu_ms_per_sent"]
        text = (
            f"  {name:<9} server CPU per message delivered {delivered['server']:.2f} ms, per message sent "
            f"{sent['server']:.2f} ms (p50 {x['p50_ms']:.1f} ms, p99 {x['p99_ms']:.1f} ms; "
            f"{x['delivered']} delivered, {x['acked']} sent, {x['cpu_s']['server']:.2f} s CPU)"
        )
        others = [key for key in delivered if key != "server"]
        if others:
            total = sum(delivered.values())
            text += (
                "\n  "
                + " " * 9
                + " beside it, per message delivered: "
                + ", ".join(f"{key} {delivered[key]:.2f} ms" for key in others)
                + f"; all together {total:.2f} ms"
            )
        return text

    print(f"{size} chats:")
    print(line("helpdesk", f))
    for name, x in relays.items():
        print(line(name, x))
    print(cpu("helpdesk", f))
    for name, x in relays.items():
        print(cpu(name, x))
    for name, x in relays.items():
        ratio_tp = f["delivered_per_s"] / x["delivered_per_s"] if x["delivered_per_s"] else float("nan")
        ratio_p99 = f["p99_ms"] / x["p99_ms"] if x["p99_ms"] else float("nan")
        server, theirs = f["cpu_ms_per_delivered"]["server"], x["cpu_ms_per_delivered"]["server"]
        ratio_cpu = server / theirs if theirs else float("nan")
        print(
            f"  helpdesk/{name}: delivered {ratio_tp:.2f}x, p99 latency {ratio_p99:.1f}x, "
            f"server CPU per message {ratio_cpu:.1f}x"
        )
    print(flush=True)


if __name__ == "__main__":
    main()
