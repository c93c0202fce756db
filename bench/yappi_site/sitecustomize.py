"""
yappi (CPU clock, every thread) inside the Daphne processes of bench/load.py,
for the measured window only: it starts on SIGUSR1 and stops on SIGUSR2, which
bench/load.py sends with HELPDESK_BENCH_SIGNAL_WINDOW=1; the statistics go to
$YAPPI_OUT.<pid>.pstat (pstats format) and .threads.txt. Needs `pip install
yappi`; costs the servers several times their CPU, so only for call counts and
shares, never for the figures:

    HELPDESK_BENCH_SIGNAL_WINDOW=1 YAPPI_OUT=/tmp/yappi PYTHONPATH=bench/yappi_site \
        .venv/bin/python -m bench.load --chats 200 --rate 0.5 --seconds 30 --no-relay
"""

import os
import sys

if "helpdesk.asgi:application" in sys.argv and os.environ.get("YAPPI_OUT"):
    import signal

    import yappi

    def _start(signum, frame):
        yappi.clear_stats()
        yappi.set_clock_type("cpu")
        yappi.start(builtins=True, profile_threads=True)

    def _stop(signum, frame):
        yappi.stop()
        path = f"{os.environ['YAPPI_OUT']}.{os.getpid()}"
        yappi.get_func_stats().save(path + ".pstat", type="pstat")
        with open(path + ".threads.txt", "w") as out:
            yappi.get_thread_stats().print_all(out=out)

    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
