"""The benchmarks (bench/) are modules of the project: run with -m from its directory, they import tests.support as it is."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


def test_the_benchmarks_import_the_support_package_without_touching_sys_path():
    sources = {path.name: path.read_text(encoding="utf-8") for path in (PROJECT_DIR / "bench").glob("*.py")}
    assert [name for name, text in sources.items() if "sys.path" in text] == []

    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    imports = (
        "import bench.load, bench.flood, bench.widget_weight, bench.faq_eval, bench.statistics; "
        "from tests.support import dnsserver, redisserver, servers, wsclient; from tests.faults import harness"
    )
    result = subprocess.run([sys.executable, "-c", imports], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "bench.load", "--help"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0 and "server CPU" in result.stdout, result.stderr


@pytest.mark.production
def test_the_statistics_benchmark_seeds_and_times_the_page_at_a_tiny_size():
    """bench.statistics end to end on 3,000 chats, in its own database (HELPDESK_BENCH_STATISTICS_DB)."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "bench.statistics", "--chats", "3000", "--runs", "1"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Seeded 3,000 chats" in result.stdout, result.stderr
    assert "365 days" in result.stdout and "target of 1000 ms met" in result.stdout, result.stdout


@pytest.mark.production
def test_the_group_commit_anchor_stores_each_message_once_before_it_delivers_and_acks_it():
    """bench/relay_pg.py, the load benchmark's anchor: in order, stored before delivery, resends acked with their seq."""
    import asyncio
    import json

    import psycopg
    import websockets

    from tests.support.servers import free_port

    database = "helpdesk_relay_anchor_test"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    dsn = f"host=127.0.0.1 user=postgres dbname={database}"
    port = free_port()
    relay = subprocess.Popen([sys.executable, "-m", "bench.relay_pg", str(port), dsn], cwd=PROJECT_DIR)

    def stored_rows():
        with psycopg.connect(dsn) as conn:
            return conn.execute("SELECT seq, client_id, body FROM bench_relay_message ORDER BY seq").fetchall()

    async def journey():
        for _attempt in range(100):
            try:
                customer = await websockets.connect(f"ws://127.0.0.1:{port}")
                break
            except OSError:
                await asyncio.sleep(0.1)
        agent = await websockets.connect(f"ws://127.0.0.1:{port}")
        await customer.send(json.dumps({"type": "hello", "token": "7"}))
        assert json.loads(await customer.recv())["type"] == "welcome"
        await agent.send(json.dumps({"type": "hello"}))
        await agent.recv()
        await agent.send(json.dumps({"type": "take", "chat_id": 7}))
        await agent.recv()
        # The same message three times at once, then two more: stored once each, in order.
        for client_id in ("a", "a", "a", "b", "c"):
            await customer.send(json.dumps({"type": "send", "client_id": client_id, "body": f"text {client_id}"}))
        delivered = [json.loads(await agent.recv()) for _ in range(3)]
        assert [(f["message"]["seq"], f["message"]["body"]) for f in delivered] == [
            (1, "text a"),
            (2, "text b"),
            (3, "text c"),
        ]
        frames = [json.loads(await customer.recv()) for _ in range(3 + 5)]
        acks = [(f["client_id"], f["seq"]) for f in frames if f["type"] == "ack"]
        assert sorted(acks) == [("a", 1), ("a", 1), ("a", 1), ("b", 2), ("c", 3)]
        # Stored before it was delivered: the rows are there now.
        assert [row[:2] for row in await asyncio.to_thread(stored_rows)] == [(1, "a"), (2, "b"), (3, "c")]
        await customer.send(json.dumps({"type": "send", "client_id": "b", "body": "text b"}))
        assert json.loads(await customer.recv()) == {"type": "ack", "client_id": "b", "seq": 2}
        await customer.close()
        await agent.close()

    try:
        asyncio.run(asyncio.wait_for(journey(), 30))
        assert len(stored_rows()) == 3
    finally:
        relay.kill()
        relay.wait()
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_every_faq_evaluation_set_loads_and_the_held_out_ones_refuse_single_questions():
    from bench import faq_eval

    for name in ("tuning", *faq_eval.TOPIC_SETS):
        queries = faq_eval.load_queries(name)
        languages = {query["language"] for query in queries}
        assert languages == {"en", "de"}, name
        assert any(query["expected"] is None for query in queries), name
    for name in faq_eval.HELD_OUT:
        result = subprocess.run(
            [sys.executable, "-m", "bench.faq_eval", "--set", name, "--verbose"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 2 and "aggregate only" in result.stderr, name
