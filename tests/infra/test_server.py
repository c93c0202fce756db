"""
helpdesk.server (Daphne with less kept per websocket and a short path for
plain text frames, docs/performance.md) in a real process, over real sockets:
what an open connection keeps, that it still pings, answers, times out and
closes as Daphne's own does, and that every frame, on the short path or
Autobahn's, arrives as it was sent and is refused where Autobahn refuses it.
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
    assert widget["reader_callback"] == "infra.realtime.autobahn_tuning.call_with_logger"
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
    """(opcode, payload, what was read after it) of the server's next frame (servers do not mask)."""
    data = buffered
    while len(data) < 2:
        data += recv_some(sock)
    opcode, length = data[0] & 0x0F, data[1] & 0x7F
    offset = 2
    if length == 126:
        while len(data) < 4:
            data += recv_some(sock)
        (length,) = struct.unpack("!H", data[2:4])
        offset = 4
    elif length == 127:
        while len(data) < 10:
            data += recv_some(sock)
        (length,) = struct.unpack("!Q", data[2:10])
        offset = 10
    while len(data) < offset + length:
        data += recv_some(sock)
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


# Frames: the short path and Autobahn's ------------------------------------------------


@pytest.fixture
def small_limits_server(dns_server, transactional_db):
    """Frames and messages of at most 1,000 octets: below 64 KiB, where the short path reads the length itself."""
    process = DaphneProcess(
        server_environment(dns_server.address),
        name="daphne-limits",
        application=INTROSPECT,
        arguments=("--websocket-max-message-size", "1000", "--websocket-max-frame-size", "1000"),
    ).start()
    yield process
    process.stop()


def client_frame(payload, opcode=0x1, fin=True, masked=True):
    """A frame as a browser sends it: masked with a random key (RFC 6455, 5.3)."""
    first = (0x80 if fin else 0) | opcode
    mask_bit = 0x80 if masked else 0
    length = len(payload)
    if length < 126:
        header = bytes((first, mask_bit | length))
    elif length < 65536:
        header = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not masked:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(octet ^ key[n % 4] for n, octet in enumerate(payload))


def frames_until_end(sock, rest, timeout=5):
    """
    The server's frames up to its close frame or the end of the connection:
    ([(opcode, payload)], how it ended: "close", or "dropped" (Autobahn fails
    a connection by dropping it, ``failByDrop``).
    """
    sock.settimeout(timeout)
    frames = []
    try:
        while not frames or frames[-1][0] != 0x8:
            opcode, payload, rest = read_frame(sock, rest)
            frames.append((opcode, payload))
    except (ConnectionResetError, EmptyRead):
        return frames, "dropped"
    return frames, "close"


class EmptyRead(Exception):
    pass


def recv_some(sock):
    data = sock.recv(65536)
    if not data:
        raise EmptyRead()
    return data


def close_code(payload):
    return struct.unpack("!H", payload[:2])[0]


def refused_after(server, good, bad):
    """Send ``good`` (echoed first), then ``bad`` and a frame after it: what came back, and how it ended."""
    sock, rest = raw_upgrade(server, path="/echo/")
    sock.sendall(good)
    sock.settimeout(5)
    opcode, echoed, rest = read_frame(sock, rest)
    sock.sendall(bad + client_frame(b"after"))
    frames, ended = frames_until_end(sock, rest)
    sock.close()
    return [(opcode, echoed), *frames], ended


async def test_text_and_bytes_of_every_length_come_back_unchanged(server):
    # Lengths in octets around where the header changes (7 bits, 16, 64), in
    # both directions; text with characters of two, three and four octets.
    texts = ["a" * n for n in (1, 125, 126, 65_535, 65_536, 300_000)]
    texts += [("Grüße, Straße – 你好 🙂 " * 20_000)[:n] for n in (3, 200, 40_000, 150_000)]
    binaries = [bytes(range(256)) * 4, b"\x00" * 70_000]
    async with websockets.connect(server.ws_url + "/echo/", origin=server.url, max_size=None, ping_interval=None) as ws:
        for text in texts:
            await ws.send(text)
        for data in binaries:
            await ws.send(data)
        echoed = [await asyncio.wait_for(ws.recv(), 10) for _ in range(len(texts) + len(binaries))]
    assert echoed == texts + binaries


def test_frames_together_in_one_segment_and_in_pieces_arrive_whole_and_in_order(server):
    sock, rest = raw_upgrade(server, path="/echo/")
    # Three text frames and a ping in one write: the ping is Autobahn's, the texts the short path's.
    sock.sendall(
        client_frame(b"one")
        + client_frame("zwei – ü".encode())
        + client_frame(b"ping!", opcode=0x9)
        + client_frame(b"x" * 300)
    )
    # A frame in three pieces, its header split too.
    frame = client_frame(b"in pieces " * 20)
    for piece in (frame[:1], frame[1:30], frame[30:]):
        sock.sendall(piece)
        time.sleep(0.05)
    # A message in two fragments (Autobahn's), then text on the short path again.
    sock.sendall(client_frame(b"frag", fin=False) + client_frame(b"ment", opcode=0x0) + client_frame(b"after"))
    sock.sendall(client_frame(b"close 4000"))
    frames, ended = frames_until_end(sock, rest)
    sock.close()
    assert ended == "close"
    texts = [payload.decode() for opcode, payload in frames if opcode == 0x1]
    assert texts == ["one", "zwei – ü", "x" * 300, "in pieces " * 20, "fragment", "after"]
    assert (0xA, b"ping!") in frames, "the ping answered"
    assert close_code(frames[-1][1]) == 4000


@pytest.mark.parametrize(
    "payload", [b"fine \xff", b"\xed\xa0\x80", b"cut \xe2\x82"], ids=["invalid", "surrogate", "truncated"]
)
def test_text_that_is_not_utf8_fails_the_connection_and_never_reaches_the_application(server, payload):
    frames, ended = refused_after(server, client_frame(b"before"), client_frame(payload))
    assert frames == [(0x1, b"before")]
    assert ended == "dropped"  # Autobahn's failByDrop (1007 towards the application)


@pytest.mark.parametrize("fragmented", [False, True], ids=["one frame", "fragments"])
def test_a_message_over_the_limit_fails_the_connection(small_limits_server, fragmented):
    if fragmented:
        over = client_frame(b"a" * 600, fin=False) + client_frame(b"b" * 600, opcode=0x0)
    else:
        over = client_frame(b"a" * 1001)
    frames, ended = refused_after(small_limits_server, client_frame(b"a" * 1000), over)
    assert frames == [(0x1, b"a" * 1000)]
    assert ended == "dropped"


def test_an_unmasked_client_frame_fails_the_connection(server):
    frames, ended = refused_after(server, client_frame(b"masked"), client_frame(b"unmasked", masked=False))
    assert frames == [(0x1, b"masked")]
    assert ended == "dropped"


async def test_plain_text_frames_take_the_short_path_and_a_binary_frame_autobahns(server):
    async with websockets.connect(server.ws_url + "/echo/", origin=server.url, ping_interval=None) as ws:

        async def echo_socket():
            report = await report_of(server)
            (found,) = [c for c in report["connections"] if c["path"] == "/echo/"]
            return found

        for text in ("short", "ü" * 100, "x" * 5_000):
            await ws.send(text)
            assert await asyncio.wait_for(ws.recv(), 5) == text
        assert (await echo_socket())["read_by_autobahn"] is False
        await ws.send(b"binary")
        assert await asyncio.wait_for(ws.recv(), 5) == b"binary"
        assert (await echo_socket())["read_by_autobahn"] is True


async def test_a_close_from_the_client_ends_the_application_and_is_answered(server):
    ws = await websockets.connect(server.ws_url + "/echo/", origin=server.url, ping_interval=None)
    await ws.send("last words")
    assert await asyncio.wait_for(ws.recv(), 5) == "last words"
    await ws.close(code=1000)
    assert ws.close_code == 1000
    with pytest.raises(websockets.ConnectionClosed):
        await ws.send("too late")
