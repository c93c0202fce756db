"""The per-frame shortcuts of infra.realtime.autobahn_tuning change no byte a socket receives."""

import os

import pytest
from autobahn.nvx._xormasker import create_xor_masker as autobahn_masker
from autobahn.websocket import protocol

from infra.realtime import autobahn_tuning, consumer  # noqa: F401  (consumer applies the tuning)


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
