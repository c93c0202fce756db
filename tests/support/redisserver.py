"""
A redis-server of the test's own on 127.0.0.1 and a free port, which the test
can kill and start again (Redis keeps nothing on disk: a restart forgets all).
"""

import re
import socket
import subprocess
import time


class RedisProcess:
    """A redis-server on 127.0.0.1 and a port of its own, that can be killed and restarted."""

    def __init__(self, port):
        self.port = port
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout=10):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    # Not PING: the port was free when chosen, not kept, and
                    # another test run's redis-server on it would answer that
                    # too while this one exits, unable to bind.
                    if _server_pid(sock) == self.process.pid:
                        return self
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on {self.port}")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    stop = kill


def _server_pid(sock):
    """The process ID of the redis-server answering on ``sock`` (INFO server), or None."""
    sock.sendall(b"INFO server\r\n")
    with sock.makefile("rb") as reply:
        header = reply.readline()
        if not header.startswith(b"$"):
            return None
        body = reply.read(int(header[1:]))
    match = re.search(rb"^process_id:(\d+)", body, re.MULTILINE)
    return int(match[1]) if match else None
