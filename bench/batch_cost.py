"""
What one group-commit batch costs, in one process, without sockets:
``python -m bench.batch_cost [--batches 2000] [--sizes 1,2,10]``.

At low load a batch holds one or two messages, so its fixed cost is what a
message costs. This calls chat.conversations.group_commit.post_messages on
a database thread of its own, as the servers do, for batches of new
messages to distinct active chats (the announcement left out: it is Redis's
part, not the database's), and prints per batch: the wall time, this
process's CPU (Python, psycopg) and the CPU of its PostgreSQL backend
(/proc/<pid>/stat). On a database of its own (``helpdesk_batch_cost``),
migrated from scratch; the production settings.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from bench.database import fresh_database, use_bench_settings
from bench.processes import cpu_seconds

if not __package__:
    sys.exit(f"Run from the project's directory as a module: python -m bench.{Path(__file__).stem} ...")

DB_NAME = "helpdesk_batch_cost"


def seed(chats):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from chat.configuration.models import Channel, ChannelMembership
    from chat.conversations import assignment, services
    from chat.conversations.models import AgentPresence, PresenceStatus

    channel = Channel.objects.create(
        name="batch", slug="batch", allowed_origins="http://127.0.0.1:9999", max_chats_per_agent=chats
    )
    agent = get_user_model().objects.create(username="batch-agent", first_name="Agent")
    ChannelMembership.objects.create(channel=channel, user=agent)
    AgentPresence.objects.create(user=agent, status=PresenceStatus.PRESENT, seen_at=timezone.now())
    ids = []
    for n in range(chats):
        chat, _token = services.start_chat(
            channel, name=f"C{n}", email=f"c{n}@example.com", email_verified=True, form_data=[], question="Q"
        )
        assignment.accept_chat(chat, agent=agent)
        ids.append(chat.pk)
    return ids


def measure(chat_ids, size, batches):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from chat.conversations import group_commit
    from chat.conversations.models import Party

    def work():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        counter = 0

        def one_round():
            nonlocal counter
            batch = []
            for n in range(size):
                counter += 1
                chat_id = chat_ids[(counter * 7 + n) % len(chat_ids)]
                batch.append(
                    group_commit.PendingMessage(
                        chat_id, Party.CUSTOMER, "Hallo, wo ist mein Paket?", f"b{size}-{counter}"
                    )
                )
            for result in group_commit.post_messages(batch):
                assert not isinstance(result, BaseException), result

        for _ in range(50):  # warm: connection, caches, prepared statements
            one_round()
        pg_before, own_before, wall_before = cpu_seconds(backend), time.thread_time(), time.perf_counter()
        for _ in range(batches):
            one_round()
        return (
            (time.perf_counter() - wall_before) / batches,
            (time.thread_time() - own_before) / batches,
            (cpu_seconds(backend) - pg_before) / batches,
        )

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=2000)
    parser.add_argument("--sizes", default="1,2,10")
    parser.add_argument("--chats", type=int, default=200)
    args = parser.parse_args()
    use_bench_settings(DB_NAME)
    fresh_database(DB_NAME)
    import django

    django.setup()
    import infra.realtime.broadcast

    infra.realtime.broadcast.send_many_blocking = lambda events: None  # Redis's part, not measured here
    chat_ids = seed(args.chats)
    print(f"{os.cpu_count()} CPUs; {args.batches} batches per size over {args.chats} chats")
    for size in (int(s) for s in args.sizes.split(",")):
        wall, own, pg = measure(chat_ids, size, args.batches)
        print(
            f"batch of {size:3d}: wall {wall * 1e3:6.3f} ms  this process CPU {own * 1e3:6.3f} ms"
            f"  PostgreSQL backend CPU {pg * 1e3:6.3f} ms  (per message: {(own + pg) / size * 1e3:6.3f} ms)"
        )


if __name__ == "__main__":
    main()
