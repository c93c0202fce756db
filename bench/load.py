"""
Load benchmark of the production stack on loopback: Daphne processes,
PostgreSQL, Redis. Not a test: it prints figures.

    .venv/bin/python -m bench.load --chats 50,200,1000 --rate 0.5 --seconds 30
    .venv/bin/python -m bench.load --chats 200 --rate 0          # as fast as acks come back
    .venv/bin/python -m bench.load --idle 1000,5000               # idle widget sockets on one process

Run from the project's directory, as a module (-m): bench/ and tests/ are
packages there, and the servers and clients come from tests.support and
tests.faults.harness.

For each size it starts C chats (created through chat.services, as the start
endpoint would), a widget client per chat and agent clients that took them
over /ws/agent/, and lets both sides send at --rate messages a second per chat
and direction (0: as fast as they are acked, one unacked message per chat and
side). The clients are tests/faults/harness.py's: outbox, acks, dedupe by seq.
It prints messages stored and delivered per second, delivery latency (send to
receipt on the other side) p50/p95/p99, memory per open websocket, and the same
for a bare relay (bench/relay.py: websockets only, no database) with the ratio.

The stack: PostgreSQL at 127.0.0.1:5432 (user postgres), database
helpdesk_bench (dropped, created and migrated on each run); a Redis of its own
on a free port; Daphne processes with DJANGO_DEBUG=false; a test DNS server.
"""
import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

if not __package__:  # run as a file, tests.support would not be importable
    sys.exit(f"Run from the project's directory as a module: python -m bench.{Path(__file__).stem} ...")

DB_NAME = os.environ.get("HELPDESK_BENCH_DB", "helpdesk_bench")
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    env = dict(os.environ, DATABASE_URL=DB_URL, DJANGO_DEBUG="false", DJANGO_SECRET_KEY="bench", DJANGO_ALLOWED_HOSTS="127.0.0.1")
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=PROJECT_DIR, env=env, check=True)


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

    def stop(self):
        for server in self.servers:
            server.stop()
        self.redis.kill()
        self.dns.stop()


def seed(chats, chats_per_agent, slug):
    """A channel, enough present agents, and ``chats`` waiting chats; returns (chat ids and tokens, cookies)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from chat import services
    from chat.models import AgentPresence, Channel, ChannelMembership, PresenceStatus
    from tests.support.wsclient import session_cookie

    channel = Channel.objects.create(
        name=slug, slug=slug, allowed_origins="http://127.0.0.1:9999",
        max_chats_per_agent=chats_per_agent, customer_timeout_seconds=3600,
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
            channel, name=f"Customer {n}", email=f"customer{n}@example.com", email_verified=True,
            form_data=[], question=f"Question {n}",
        )
        started.append((chat.pk, token))
    return started, [session_cookie(a) for a in agents]


def message_count():
    from chat.models import Message

    return Message.objects.count()


async def drive(servers, started, cookies, *, rate, seconds, chats_per_agent, pids, database=True):
    """Connect everyone, measure memory, then run traffic for ``seconds``; returns a dict of figures."""
    from asgiref.sync import sync_to_async

    from tests.faults.harness import ChatRun, CustomerClient, percentile

    messages = max(1, int(rate * seconds)) if rate else 10**9
    run = ChatRun(servers, chats=len(started), messages=messages, rate=rate, chats_per_agent=chats_per_agent,
                  window=1, backoff_base=0.5)
    for number, (chat_id, token) in enumerate(started):
        run.chat_ids.append(chat_id)
        run.customers.append(CustomerClient(run, f"c{number}", token, chat_id))
    run.make_agents(cookies)
    rss_before = sum(rss_kib(pid) for pid in pids)
    await run.connect_all(timeout=300, agents_first=True)
    await asyncio.sleep(1)
    rss_after = sum(rss_kib(pid) for pid in pids)
    sockets = len(run.clients)

    stored_before = await sync_to_async(message_count)() if database else 0
    cpu_before = [cpu_seconds(pid) for pid in pids]
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    received_before = run.received
    began = time.monotonic()
    traffic = asyncio.ensure_future(run.traffic())
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - began
    received = run.received - received_before
    latencies = list(run.latencies)
    stored = (await sync_to_async(message_count)() - stored_before) if database else None
    cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before)]
    own = resource.getrusage(resource.RUSAGE_SELF)
    backlog = sum(len(c.outbox) for c in run.clients)
    traffic.cancel()
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
        ws = await websockets.connect(server.ws_url + "/ws/chat/", origin=server.url, ping_interval=None, open_timeout=60)
        await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))
        while json.loads(await ws.recv())["type"] != "welcome":
            pass
        return ws

    for count in counts:
        semaphore = asyncio.Semaphore(50)

        async def limited(token):
            async with semaphore:
                return await open_one(token)

        todo = started[len(sockets):count]
        sockets += await asyncio.gather(*(limited(token) for _chat_id, token in todo))
        await asyncio.sleep(12)  # a housekeeping round with all of them
        alive = sum(1 for ws in sockets if ws.close_code is None)
        rss = rss_kib(pid)
        results.append({"open": alive, "rss_mib": rss / 1024, "kib_per_socket": (rss - base) / max(alive, 1)})
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return base / 1024, results


def relay_figures(started, cookies, *, rate, seconds, chats_per_agent):
    from tests.support.servers import free_port

    port = free_port()
    relay = subprocess.Popen([sys.executable, str(PROJECT_DIR / "bench/relay.py"), str(port)])
    try:
        time.sleep(1)

        class Relay:
            url = f"http://127.0.0.1:{port}"
            ws_url = f"ws://127.0.0.1:{port}"

        fake = [(chat_id, str(chat_id)) for chat_id, _token in started]
        return asyncio.run(drive([Relay], fake, cookies, rate=rate, seconds=seconds, chats_per_agent=chats_per_agent,
                                 pids=[relay.pid], database=False))
    finally:
        relay.kill()
        relay.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", default="50,200", help="comma-separated sizes (concurrent chats)")
    parser.add_argument("--rate", type=float, default=0.5, help="messages a second per chat and direction; 0: as fast as acked")
    parser.add_argument("--seconds", type=float, default=30, help="traffic time per size")
    parser.add_argument("--processes", type=int, default=2, help="Daphne processes")
    parser.add_argument("--chats-per-agent", type=int, default=3, help="chats one agent socket holds (frame limit: 10/s per socket)")
    parser.add_argument("--idle", default="", help="comma-separated counts of idle widget sockets on one process, e.g. 1000,5000")
    parser.add_argument("--no-relay", action="store_true", help="skip the bare relay comparison")
    parser.add_argument("--settings", default=None, help="DJANGO_SETTINGS_MODULE for the Daphne processes (e.g. bench.settings_static)")
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
        stack = Stack(args.processes, args.settings, HELPDESK_CHAT_MESSAGE_RATE="1000000", HELPDESK_CHAT_MESSAGE_BURST="1000000")
        print(machine())
        print(f"Daphne processes: {args.processes}; settings: {args.settings or 'helpdesk.settings'}; "
              f"rate {args.rate or 'as fast as acked'} /s per chat and direction; {args.seconds:.0f} s per size\n")
        rows = []
        for size in sizes:
            started, cookies = seed(size, args.chats_per_agent, f"bench-{size}-{int(time.time())}")
            connection.close()
            figures = asyncio.run(drive(stack.servers, started, cookies, rate=args.rate, seconds=args.seconds,
                                        chats_per_agent=args.chats_per_agent, pids=stack.pids()))
            relay = None if args.no_relay else relay_figures(started, cookies, rate=args.rate, seconds=args.seconds,
                                                             chats_per_agent=args.chats_per_agent)
            rows.append((size, figures, relay))
            report(size, figures, relay)
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


def machine():
    model = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    return f"Machine: {os.cpu_count()} CPUs ({model}), {mem} RAM, Python {sys.version.split()[0]}"


def report(size, f, relay):
    def line(name, x):
        stored = f"{x['stored_per_s']:.0f}" if x.get("stored_per_s") is not None else "-"
        per_socket = f"{x['kib_per_socket']:.0f} KiB" if x.get("kib_per_socket") is not None else "-"
        return (f"  {name:<9} sockets {x['sockets']:>5}  stored/s {stored:>6}  delivered/s {x['delivered_per_s']:>7.0f}  "
                f"p50 {x['p50_ms']:>7.1f} ms  p95 {x['p95_ms']:>7.1f} ms  p99 {x['p99_ms']:>7.1f} ms  "
                f"mem/socket {per_socket:>8}  server CPU {x['server_cpu']}  client CPU {x['client_cpu']}  "
                f"unacked at end {x['backlog']}  errors {x['errors'] or '-'}")

    print(f"{size} chats:")
    print(line("helpdesk", f))
    if relay:
        print(line("relay", relay))
        ratio_tp = f["delivered_per_s"] / relay["delivered_per_s"] if relay["delivered_per_s"] else float("nan")
        ratio_p99 = f["p99_ms"] / relay["p99_ms"] if relay["p99_ms"] else float("nan")
        print(f"  helpdesk/relay: delivered {ratio_tp:.2f}x, p99 latency {ratio_p99:.1f}x")
    print(flush=True)


if __name__ == "__main__":
    main()
