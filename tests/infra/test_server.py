"""
helpdesk.server (Daphne with less kept per websocket, docs/performance.md) in
a real process, over real sockets: what an open connection keeps, and that
it still pings, answers, times out and closes as Daphne's own does.
"""

import asyncio
import base64
import json
import os
import socket
import struct
import time

import pytest
import websockets
from channels.db import database_sync_to_async

from infra.realtime import versions
from tests.support.servers import DaphneProcess, server_environment
from tests.support.wsclient import start_chat_over_http

pytestmark = pytest.mark.django_db(transaction=True)

INTROSPECT = "tests.support.introspect_asgi:application"


@pytest.fixture
def server(dns_server, transactional_db):
    process = DaphneProcess(server_environment(dns_server.address), name="daphne-lean", application=INTROSPECT).start()
    yield process
    process.stop()


@pytest.fixture
def pinging_server(dns_server, transactional_db):
    """Daphne pinging each socket after a second of silence and dropping it two seconds after an unanswered ping."""
    process = DaphneProcess(
        server_environment(dns_server.address),
        name="daphne-pings",
        arguments=("--ping-interval", "1", "--ping-timeout", "2"),
    ).start()
    yield process
    process.stop()


async def started_chat(server, make_channel, make_agent):
    channel = await database_sync_to_async(make_channel)(slug="shop", allowed_origins=server.url)
    await database_sync_to_async(make_agent)(channel)
    return (await asyncio.to_thread(start_chat_over_http, server.url, "shop"))["token"]


async def widget_socket(server, token):
    ws = await websockets.connect(server.ws_url + "/ws/chat/", origin=server.url, ping_interval=None)
    await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))
    while json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] != "welcome":
        pass
    return ws


async def pong_after_ping(ws):
    """The widget protocol's ping answered (the chat's log, sent after welcome, may come first)."""
    await ws.send(json.dumps({"type": "ping"}))
    while json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] != "pong":
        pass
    return True


async def report_of(server, settled=lambda report: True, timeout=5):
    async with websockets.connect(server.ws_url + "/introspect/", origin=server.url) as ws:
        deadline = time.monotonic() + timeout
        while True:
            await ws.send("report")
            report = json.loads(await ws.recv())
            if settled(report) or time.monotonic() > deadline:
                return report
            await asyncio.sleep(0.2)


async def test_an_open_socket_reads_autobahns_options_from_the_factory_and_keeps_no_upgrade_request(
    server, make_channel, make_agent
):
    token = await started_chat(server, make_channel, make_agent)
    ws = await widget_socket(server, token)
    # Daphne forgets an upgrade's HTTP request in its next round (once a second).
    report = await report_of(server, settled=lambda report: report["http_requests"] == 0)
    (widget,) = [c for c in report["connections"] if c["path"] == "/ws/chat/"]
    assert widget["class"].endswith(".LeanWebSocketProtocol")
    assert widget["options_in_instance"] == []
    assert widget["options_as_factory"]
    assert widget["max_message_size"] == 1024 * 1024, "Daphne's option, set on the factory, is what the socket reads"
    assert widget["producer"] is None
    assert widget["handshake_bytes_kept"] == []
    assert widget["queue"] == "ConnectionQueue"
    assert report["http_requests"] == 0, "the upgrade requests went with their HTTP channels"
    # The socket still works as before.
    assert await pong_after_ping(ws)
    await ws.close()
    assert ws.close_code == 1000


def raw_upgrade(server, path="/ws/chat/"):
    """A websocket opened by hand, to see the server's pings and not answer them."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {server.url}\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(4096)
    assert response.startswith(b"HTTP/1.1 101"), response
    return sock, response.split(b"\r\n\r\n", 1)[1]


def read_frame(sock, buffered):
    """(opcode, payload) of the server's next frame (servers do not mask)."""
    data = buffered
    while len(data) < 2:
        data += sock.recv(4096)
    opcode, length = data[0] & 0x0F, data[1] & 0x7F
    offset = 2
    if length == 126:
        while len(data) < 4:
            data += sock.recv(4096)
        (length,) = struct.unpack("!H", data[2:4])
        offset = 4
    while len(data) < offset + length:
        data += sock.recv(4096)
    return opcode, data[offset : offset + length], data[offset + length :]


def test_a_socket_without_its_upgrade_request_is_pinged_and_dropped_when_it_does_not_answer(pinging_server):
    sock, rest = raw_upgrade(pinging_server)
    started = time.monotonic()
    opcode, _payload, rest = read_frame(sock, rest)
    assert opcode == 0x9, "a ping"
    assert time.monotonic() - started < 5
    # No pong: Autobahn drops the connection after the ping timeout (2 s),
    # long before the widget's hello timeout (10 s) would close it.
    sock.settimeout(8)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass  # dropped by abort
    assert time.monotonic() - started < 8
    sock.close()


async def test_a_socket_that_answers_pings_stays_open_and_closes_cleanly_both_ways(
    pinging_server, make_channel, make_agent
):
    token = await started_chat(pinging_server, make_channel, make_agent)
    ws = await widget_socket(pinging_server, token)
    await asyncio.sleep(5)  # pings after 1 s of silence; dropped 2 s after one unanswered
    assert await pong_after_ping(ws)
    await ws.close()
    assert ws.close_code == 1000

    # Closed by the server: an unknown token.
    refused = await websockets.connect(pinging_server.ws_url + "/ws/chat/", origin=pinging_server.url)
    await refused.send(json.dumps({"type": "hello", "token": "no such token", "last_seq": 0}))
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            await asyncio.wait_for(refused.recv(), 5)
    assert refused.close_code == 4401
    await asyncio.wait_for(refused.wait_closed(), 5)


def test_the_installed_daphne_autobahn_and_twisted_are_those_the_server_was_checked_against():
    assert versions.untested_versions() == []


def test_other_major_versions_are_named(monkeypatch):
    monkeypatch.setitem(versions.TESTED_MAJOR_VERSIONS, "autobahn", 1)
    assert [entry.split()[0] for entry in versions.untested_versions()] == ["autobahn"]
    assert versions.untested_versions(("daphne", "twisted")) == []
