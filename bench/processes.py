"""
Measuring the benchmark's server processes from outside: memory (RSS), CPU
time of a process and its descendants from /proc, PostgreSQL's backends, a
window that in-process profilers can follow, py-spy's samples.
"""

import os
import subprocess
import sys
from pathlib import Path


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _stat_fields(pid):
    """/proc/<pid>/stat after the command name (field 3 on), or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid):
    """User + system CPU time the process has used so far (0 once it is gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_descendants(pids):
    """``pids`` and every process below them: a server's workers are part of the server."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(entry)
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, ()))
    return found


def database_backends(db_name, exclude=()):
    """PIDs of the PostgreSQL backends (and autovacuum workers) on the bench database: the servers' share of PostgreSQL."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [db_name]).fetchall()
    return {pid for (pid,) in rows} - set(exclude)


class CpuMeter:
    """
    CPU time (user + system, from /proc/<pid>/stat) that groups of processes
    spend in a window. ``groups``: name -> a callable returning the group's
    PIDs, asked at the start and at the end of the window; a process that
    appears in between counts with all its time, one that ends in between
    with none of its last stretch.
    """

    def __init__(self, groups):
        self.groups = groups
        self.before = {}

    def start(self):
        self.before = {name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()}

    def stop(self):
        """Seconds of CPU per group since ``start``."""
        spent = {}
        for name, pids in self.groups.items():
            before = self.before[name]
            spent[name] = sum(max(0.0, cpu_seconds(pid) - before.get(pid, 0.0)) for pid in set(pids()) | set(before))
        return spent


def signal_window(pids, signum):
    """
    With HELPDESK_BENCH_SIGNAL_WINDOW=1: SIGUSR1 to the servers as the window
    opens, SIGUSR2 as it closes, for a profiler inside them that starts and
    stops on those (without one, the signals would end the processes).
    """
    if os.environ.get("HELPDESK_BENCH_SIGNAL_WINDOW") == "1":
        for pid in pids:
            os.kill(pid, signum)


def start_py_spy(directory, pids, seconds):
    """
    py-spy record of each process for ``seconds``: collapsed stacks (one line
    per stack and thread, with its count) into ``directory``/daphne-N.txt.
    Only the thread holding the GIL is sampled (--gil), so the samples follow
    the Python CPU time; HELPDESK_BENCH_PY_SPY_ALL=1 samples every thread that
    is not idle (GIL waits and blocking calls included).
    """
    Path(directory).mkdir(parents=True, exist_ok=True)
    py_spy = Path(sys.executable).with_name("py-spy")
    command = [str(py_spy) if py_spy.exists() else "py-spy", "record", "--rate", "200", "--format", "raw", "--threads"]
    if os.environ.get("HELPDESK_BENCH_PY_SPY_ALL") != "1":
        command.append("--gil")
    return [
        subprocess.Popen(
            [
                *command,
                "--pid",
                str(pid),
                "--duration",
                str(int(seconds)),
                "--output",
                str(Path(directory) / f"daphne-{n}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n, pid in enumerate(pids)
    ]


def machine():
    model = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    return f"Machine: {os.cpu_count()} CPUs ({model}), {mem} RAM, Python {sys.version.split()[0]}"
