"""The per-frame shortcuts of infra.realtime.autobahn_tuning change no byte a socket receives."""

import logging
import os
import socket

import pytest
from autobahn import util as autobahn_util
from autobahn.nvx._xormasker import create_xor_masker as autobahn_masker
from autobahn.twisted import websocket as twisted_websocket
from autobahn.websocket import protocol
from autobahn.websocket import xormasker as autobahn_xormasker
from twisted.internet import asyncioreactor, error, tcp
from twisted.internet.protocol import Protocol
from twisted.python import log as twisted_log

from infra.realtime import autobahn_tuning, consumer, versions  # noqa: F401  (consumer applies the tuning)


@pytest.mark.parametrize("length", [0, 1, 3, 4, 5, 127, 128, 1000, 40_000])
def test_unmasks_as_autobahn_does_in_pieces_of_any_size(length):
    mask = os.urandom(4)
    data = os.urandom(length)
    expected = autobahn_masker(mask, length).process(data) if length else b""
    ours = autobahn_tuning.create_xor_masker(mask, length)
    # A frame may arrive in pieces; each continues where the last ended.
    cuts = sorted({0, length, *(length * n // 7 for n in range(1, 7))})
    pieces = [ours.process(data[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]
    assert b"".join(pieces) == expected
    assert ours.pointer() == length
    ours.reset()
    assert ours.pointer() == 0


def test_is_in_place_once_the_consumers_are_imported():
    assert protocol.create_xor_masker is autobahn_tuning.create_xor_masker
    assert protocol.hltype(protocol.WebSocketProtocol) is protocol.WebSocketProtocol
    assert asyncioreactor.callWithLogger is autobahn_tuning.call_with_logger


class Selectable:
    def logPrefix(self):
        return "WebSocketProtocol,7,127.0.0.1"


def test_a_socket_event_is_called_straight_and_what_escapes_it_is_logged_with_the_prefix():
    assert autobahn_tuning.call_with_logger(Selectable(), lambda a, b: a + b, 2, 3) == 5

    logged = []
    twisted_log.addObserver(logged.append)
    try:

        def broken():
            raise RuntimeError("a bug in doRead")

        assert autobahn_tuning.call_with_logger(Selectable(), broken) is None
    finally:
        twisted_log.removeObserver(logged.append)
    [event] = [event for event in logged if event.get("isError")]
    assert event["system"] == "WebSocketProtocol,7,127.0.0.1"
    assert "a bug in doRead" in str(event["failure"].value)
    with pytest.raises(KeyboardInterrupt):
        autobahn_tuning.call_with_logger(Selectable(), _interrupt)


def _interrupt():
    raise KeyboardInterrupt


class RecordingReactor:
    """What Twisted's Connection asks of a reactor here: to watch the socket for writing, or not."""

    def __init__(self):
        self.writers = set()

    def addWriter(self, descriptor):
        self.writers.add(descriptor)

    def removeWriter(self, descriptor):
        self.writers.discard(descriptor)

    def addReader(self, descriptor):
        pass

    def removeReader(self, descriptor):
        pass


def _connection():
    ours, peer = socket.socketpair()
    connection = tcp.Connection(ours, Protocol(), reactor=RecordingReactor())
    connection.connected = True
    peer.setblocking(False)
    return connection, peer


def _read_all(peer):
    chunks = []
    while True:
        try:
            chunk = peer.recv(1 << 20)
        except BlockingIOError:
            return b"".join(chunks)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_a_write_with_nothing_waiting_goes_out_at_once_without_watching_the_socket():
    connection, peer = _connection()
    connection.write(b"one frame")
    assert connection.reactor.writers == set()
    assert _read_all(peer) == b"one frame"


def test_what_the_kernel_does_not_take_waits_and_later_writes_keep_their_order():
    connection, peer = _connection()
    connection.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    frames = [bytes([n % 251]) * 50_000 for n in range(20)]
    for frame in frames:
        connection.write(frame)
    assert connection.reactor.writers == {connection}  # the rest waits for the socket
    received = []
    while connection.reactor.writers:
        received.append(_read_all(peer))
        connection.doWrite()
    received.append(_read_all(peer))
    assert b"".join(received) == b"".join(frames)
    connection.write(b"after")  # nothing waits any more: at once again
    assert connection.reactor.writers == set() and _read_all(peer) == b"after"


def test_a_write_to_a_closed_peer_is_left_to_twisted_which_reports_the_connection_lost():
    connection, peer = _connection()
    peer.close()
    connection.write(b"x" * 10)
    assert connection.reactor.writers == {connection}  # kept for Twisted's doWrite
    assert isinstance(connection.doWrite(), error.ConnectionLost)


def test_the_installed_autobahn_and_twisted_are_those_the_tuning_was_checked_against():
    assert versions.untested_versions(autobahn_tuning.PATCHED_PACKAGES) == []
    assert autobahn_tuning.apply() is True


@pytest.mark.parametrize("package", autobahn_tuning.PATCHED_PACKAGES)
def test_with_another_major_version_nothing_is_patched_and_a_warning_says_so(package, monkeypatch, caplog):
    # As before the tuning: Autobahn's and Twisted's own functions in place.
    originals = {
        (protocol, "create_xor_masker"): autobahn_xormasker.create_xor_masker,
        (protocol, "hltype"): autobahn_util.hltype,
        (protocol, "hlval"): autobahn_util.hlval,
        (twisted_websocket, "hltype"): autobahn_util.hltype,
        (twisted_websocket, "hlval"): autobahn_util.hlval,
        (tcp.Connection, "write"): autobahn_tuning._twisted_write,
        (asyncioreactor, "callWithLogger"): twisted_log.callWithLogger,
    }
    for (owner, name), original in originals.items():
        monkeypatch.setattr(owner, name, original)
    monkeypatch.setitem(versions.TESTED_MAJOR_VERSIONS, package, 1)
    with caplog.at_level(logging.WARNING, logger=autobahn_tuning.__name__):
        assert autobahn_tuning.apply() is False
    assert all(getattr(owner, name) is original for (owner, name), original in originals.items())
    assert f"untested with {package} " in caplog.text
