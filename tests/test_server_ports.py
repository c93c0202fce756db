"""
The test servers' ports are their own (tests.support.servers): a server whose
port another program took must fail to start, never leave the test talking to
that program. CI's widget got ``403 origin_not_allowed`` from another test
run's Daphne that had taken the port ours was about to bind.
"""

import socket
import urllib.request

import pytest

from tests.support.redisserver import RedisProcess
from tests.support.servers import DaphneProcess, free_port, server_environment


def test_no_other_program_can_take_the_port_a_daphne_process_was_given(dns_server, transactional_db):
    process = DaphneProcess(server_environment(dns_server.address), name="daphne-ports")
    try:
        # What another test run's server does with the same port: bind it as Twisted does.
        with socket.socket() as neighbour:
            neighbour.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with pytest.raises(OSError):
                neighbour.bind(("127.0.0.1", process.port))
                neighbour.listen()
        process.start()
        with urllib.request.urlopen(f"{process.url}/static/widget/loader.js", timeout=10) as response:
            assert response.status == 200
    finally:
        process.stop()
    # Once Daphne is gone, so is its socket: connections are refused, as after a crash.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", process.port), timeout=5).close()


def test_a_daphne_process_on_a_port_another_program_listens_on_fails_to_start(dns_server, transactional_db):
    with socket.socket() as neighbour:
        neighbour.bind(("127.0.0.1", 0))
        neighbour.listen()
        with pytest.raises(OSError):
            DaphneProcess(
                server_environment(dns_server.address), port=neighbour.getsockname()[1], name="daphne-taken"
            ).start()


@pytest.mark.production
def test_a_redis_process_on_a_port_another_redis_server_answers_on_fails_to_start():
    neighbour = RedisProcess(free_port()).start()
    ours = RedisProcess(neighbour.port)
    try:
        with pytest.raises(RuntimeError, match="exited"):
            ours.start()
    finally:
        ours.kill()
        neighbour.kill()
