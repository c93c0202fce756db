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
