"""
Measure the managers' statistics page (chat.dashboard.statistics) on PostgreSQL.

    .venv/bin/python -m bench.statistics [--chats 1000000] [--runs 5]

Seeds a database of its own (HELPDESK_BENCH_STATISTICS_DB, default
helpdesk_stbench, on 127.0.0.1:5432 as user postgres; dropped and made anew)
with ``--chats`` chats spread over the last year in three channels, each with
ten agents: most answered (a wait of up to five minutes, a first answer,
two to twenty minutes long, a rating for two in five), some that left the
queue, were abandoned or became requests; a request for every twentieth
chat; a presence period for each agent and working day. All of it with
INSERT ... SELECT generate_series, in the database. Then renders the page
(the view itself, with all its queries and its templates) for one channel
and the last 30 and 365 days, and prints the median and the slowest of
``--runs`` runs of each. Target: under 1 s.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

if not __package__:  # run as a file, the project's packages would not be importable
    sys.exit(f"Run from the project's directory as a module: python -m bench.{Path(__file__).stem} ...")

from bench.database import fresh_database, use_bench_settings  # noqa: E402

DB_NAME = os.environ.get("HELPDESK_BENCH_STATISTICS_DB", "helpdesk_stbench")
TARGET_MS = 1000.0
CHANNELS = 3
AGENTS_PER_CHANNEL = 10


# One chat per row of the series, its fate drawn from r (0..1): 85 % answered
# and ended (an ABANDONED end for 4 % of those), 8 % left the queue, 3 %
# became a request, 4 % still waiting or active is left out (a year back).
SEED_CHATS = """
INSERT INTO chat_chat (
    channel_id, status, token_hash, customer_name, customer_email, email_domain_verified, form_data,
    agent_id, created_at, queued_at, accepted_at, ended_at, ended_by, end_reason, last_seq, agent_read_seq,
    customer_seen_at, reopened_count, rating, rating_comment, page_url, page_title, user_agent,
    customer_time_zone, language, first_response_at, initial_position)
SELECT
    channels[(1 + g %% %(channels)s)::int], 'ended', md5(g::text) || md5((g + 1)::text), 'Customer', 'c@example.com', true,
    '[]', CASE WHEN answered THEN agents[(1 + (g %% %(channels)s) * %(per_channel)s + (g / 7) %% %(per_channel)s)::int] END,
    created, created,
    CASE WHEN answered THEN created + wait END,
    CASE WHEN answered THEN created + wait + length ELSE created + wait END,
    CASE WHEN answered THEN 'agent' ELSE 'system' END,
    CASE WHEN NOT answered AND r < 0.96 THEN 'left_queue' WHEN NOT answered THEN 'request'
         WHEN r < 0.04 THEN 'abandoned' ELSE 'ended' END,
    4, 4, created, 0,
    CASE WHEN answered AND (g %% 5) < 2 THEN 1 + (g * 7919) %% 5 END,
    '', '', '', '', 'Europe/Berlin', 'de',
    CASE WHEN answered THEN created + wait + first END, 1
FROM (
    SELECT g, r, r < 0.85 AS answered,
        now() - interval '365 days' + (g * interval '365 days' / %(chats)s) AS created,
        make_interval(secs => (g * 37) %% 300) AS wait,
        make_interval(secs => 5 + (g * 13) %% 55) AS first,
        make_interval(secs => 120 + (g * 101) %% 1080) AS length
    FROM (SELECT g, ((g * 2654435761) %% 1000) / 1000.0 AS r FROM generate_series(1::bigint, %(chats)s) AS g) AS s
) AS chats, (SELECT %(channel_ids)s::bigint[] AS channels, %(agent_ids)s::integer[] AS agents) AS ids
"""

SEED_REQUESTS = """
INSERT INTO requests_app_request (number, channel_id, status, source, customer_name, customer_email,
    email_domain_verified, question, form_data, transcript, language, created_at)
SELECT 'B-' || g, (%(channel_ids)s::bigint[])[1 + g %% %(channels)s], 'open', 'widget', 'x', 'x@example.com', true,
    'x', '[]', '', 'en', now() - interval '365 days' + (g * interval '365 days' / %(requests)s)
FROM generate_series(1, %(requests)s) AS g
"""

# Each agent present on every weekday, from about eight for about eight hours.
SEED_PRESENCE = """
INSERT INTO chat_presenceperiod (agent_id, started_at, ended_at)
SELECT a, d + make_interval(hours => 7 + a %% 3, mins => (a * 17) %% 60),
       d + make_interval(hours => 15 + a %% 3, mins => (a * 29) %% 60)
FROM unnest(%(agent_ids)s::integer[]) AS a,
     generate_series(date_trunc('day', now() - interval '365 days'), now() - interval '1 day', interval '1 day') AS d
WHERE extract(isodow FROM d) < 6
"""


def seed(connection, chats):
    from django.contrib.auth import get_user_model

    from chat.configuration.models import Channel, ChannelMembership

    users = get_user_model()
    channels = [Channel.objects.create(name=f"Channel {n}", slug=f"bench-{n}") for n in range(CHANNELS)]
    agents = []
    for channel in channels:
        for n in range(AGENTS_PER_CHANNEL):
            agent = users.objects.create_user(username=f"{channel.slug}-agent-{n}", first_name=f"Agent {n}")
            ChannelMembership.objects.create(channel=channel, user=agent, is_manager=n == 0)
            agents.append(agent)
    params = {
        "channels": CHANNELS,
        "per_channel": AGENTS_PER_CHANNEL,
        "chats": chats,
        "requests": max(chats // 20, 1),
        "channel_ids": [channel.pk for channel in channels],
        "agent_ids": [agent.pk for agent in agents],
    }
    with connection.cursor() as cursor:
        cursor.execute(SEED_CHATS, params)
        cursor.execute(SEED_REQUESTS, params)
        cursor.execute(SEED_PRESENCE, params)
        cursor.execute("VACUUM ANALYZE")
    return channels[0], agents[0]


def render_page(manager, query):
    from django.test import RequestFactory

    from chat.dashboard.statistics import statistics_page

    request = RequestFactory().get("/agent/statistics/", query, HTTP_HOST="127.0.0.1")
    request.user = manager
    response = statistics_page(request)
    assert response.status_code == 200, response.status_code
    return response


def measure(manager, query, runs):
    timings = []
    for _ in range(runs + 1):  # the first run warms the caches and is not counted
        began = time.perf_counter()
        render_page(manager, query)
        timings.append((time.perf_counter() - began) * 1000)
    return timings[1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="Measure the database a previous run seeded, without seeding it again."
    )
    args = parser.parse_args()

    use_bench_settings(DB_NAME)
    if not args.reuse:
        fresh_database(DB_NAME)
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from chat.configuration.models import Channel
    from chat.conversations.models import Chat, PresencePeriod

    began = time.perf_counter()
    if args.reuse:
        channel = Channel.objects.get(slug="bench-0")
        manager = get_user_model().objects.get(username="bench-0-agent-0")
        print(f"Reused {Chat.objects.count():,} chats, {PresencePeriod.objects.count():,} presence periods")
    else:
        channel, manager = seed(connection, args.chats)
        print(
            f"Seeded {Chat.objects.count():,} chats, {PresencePeriod.objects.count():,} presence periods"
            f" in {time.perf_counter() - began:.0f} s"
        )
    today = timezone.localdate(timezone=timezone.get_fixed_timezone(0))
    periods = [
        ("last 30 days", {"channel": channel.pk, "period": "30d"}),
        (
            "365 days",
            {
                "channel": channel.pk,
                "period": "custom",
                "date_from": (today - timedelta(days=364)).isoformat(),
                "date_to": today.isoformat(),
            },
        ),
    ]
    print(f"{'period':<14} {'chats':>8} {'median ms':>10} {'max ms':>8}")
    worst = 0.0
    for label, query in periods:
        timings = measure(manager, query, args.runs)
        days = 30 if query["period"] == "30d" else 365
        shown = Chat.objects.filter(channel=channel, created_at__gte=timezone.now() - timedelta(days=days)).count()
        median = statistics.median(timings)
        worst = max(worst, median)
        print(f"{label:<14} {shown:>8,} {median:>10.1f} {max(timings):>8.1f}")
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(f"Slowest median {worst:.0f} ms: target of {TARGET_MS:.0f} ms {verdict}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
