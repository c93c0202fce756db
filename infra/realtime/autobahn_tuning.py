"""
Four per-frame costs of Daphne's stack (Autobahn, Twisted), taken away at import of the
consumers (docs/performance.md, "Fixed costs at 200 chats"). One module, so
that whatever else is set on Daphne or Autobahn (per-connection options for
memory) sits beside it.

1. Log arguments built for nothing. ``dataReceived`` and ``sendData`` call
   ``self.log.debug(..., func=hltype(...), peer=hlval(...), data_len=hlval(...))``
   on every frame: the arguments are coloured strings made with click before
   the logger sees that debug is off (about 4 % of a process's samples at
   200 chats). Here ``hltype`` and ``hlval`` in those two modules return their
   argument itself: a debug log that is written formats it then, in plain text.
2. The unmasker made per frame. Autobahn's ``create_xor_masker`` makes a CFFI
   object with a finaliser for every frame a client sends (2 %); a small
   client frame is unmasked here with two ints and one XOR, in C inside
   CPython, the same bytes (tests/infra/test_autobahn_tuning.py).
3. A frame written a loop iteration later. Twisted's TCP ``write`` only
   appends to a buffer and registers the socket for writing; the next
   iteration sends it and unregisters: two epoll_ctl calls and a loop pass
   per frame sent (about 5 % at 200 chats). Here, when nothing is waiting in
   the buffer, the frame is sent at once, as asyncio's transports do; what
   the kernel does not take, and every write while something waits, goes
   Twisted's way, in order.
4. A log context per socket event. Twisted's asyncio reactor calls each
   readable or writable socket through ``log.callWithLogger``: the
   selectable's ``logPrefix()``, a copy of the log context dict, a push and
   a pop, for every read (about 3 % of a process's samples at 200 chats,
   docs/performance.md, "One frame's cost"). That context only labels
   Twisted's legacy log lines written during the call with a "system"
   prefix. Here the call goes straight to the reactor's ``_readOrWrite``
   (which catches and logs a selectable's own exceptions itself); anything
   that still escapes is logged as Twisted's wrapper would, with the prefix.

Why patching and not options: neither is an option of Autobahn's. Its own
options that cost per frame (logFrames, logOctets, trackTimings) are off by
default, and Daphne leaves them so; utf8validation stays on (the protocol
requires refusing invalid text).

The patches rely on Autobahn's and Twisted's internals (module-level names,
the masker's interface, tcp.Connection's buffer attributes) as read in the
major versions of infra.realtime.versions; with another major version
installed, nothing is patched and a warning says so.
"""

import logging

from autobahn.twisted import websocket as twisted_websocket
from autobahn.websocket import protocol
from twisted.internet import asyncioreactor, tcp
from twisted.python import log as twisted_log

from infra.realtime.versions import untested_versions

logger = logging.getLogger(__name__)

# What the patches touch; Daphne's own classes are helpdesk.server's concern.
PATCHED_PACKAGES = ("autobahn", "twisted")

_twisted_write = tcp.Connection.write


def _as_is(value, *args, **kwargs):
    return value


class IntXorMasker:
    """Autobahn's masker interface (``pointer``, ``reset``, ``process`` in pieces of a frame) by int XOR."""

    __slots__ = ("_mask", "_ptr")

    def __init__(self, mask):
        self._mask = bytes(mask)
        self._ptr = 0

    def pointer(self):
        return self._ptr

    def reset(self):
        self._ptr = 0

    def process(self, data):
        length = len(data)
        if not length:
            return b""
        offset = self._ptr & 3
        mask = self._mask[offset:] + self._mask[:offset]
        key = (mask * (length // 4 + 1))[:length]
        self._ptr += length
        return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(length, "little")


def create_xor_masker(mask, length=None):
    return IntXorMasker(mask)


def write_now(self, data):
    """tcp.Connection.write, sending at once when nothing waits before ``data``."""
    if (
        self.TLS
        or not data
        or not self.connected
        or self.disconnecting
        or self._writeDisconnected
        or self._tempDataLen
        or self.offset < len(self.dataBuffer)
        or not isinstance(data, bytes)
    ):
        _twisted_write(self, data)
        return
    sent = self.writeSomeData(data)
    if isinstance(sent, int) and sent == len(data):
        return
    # Partly sent, or the connection failed: the rest (all of it after a
    # failure, which the next doWrite finds again and reports) goes Twisted's way.
    _twisted_write(self, data[sent:] if isinstance(sent, int) else data)


def call_with_logger(selectable, func, *args):
    """log.callWithLogger without its log context: ``func(*args)``; an escaping exception logged with the prefix."""
    try:
        return func(*args)
    except KeyboardInterrupt:
        raise
    except BaseException:
        try:
            prefix = selectable.logPrefix()
        except Exception:
            prefix = "(buggy logPrefix method)"
        twisted_log.err(system=prefix)


def apply():
    """
    Idempotent; called when infra.realtime.consumer is imported (in every
    Daphne process). True when the patches are in place, False (and a
    warning) when Autobahn or Twisted is of a major version they were not
    checked against.
    """
    untested = untested_versions(PATCHED_PACKAGES)
    if untested:
        logger.warning(
            "autobahn_tuning is untested with %s: Autobahn and Twisted left as they are", ", ".join(untested)
        )
        return False
    for module in (twisted_websocket, protocol):
        module.hltype = _as_is
        module.hlval = _as_is
    protocol.create_xor_masker = create_xor_masker
    tcp.Connection.write = write_now
    # Looked up by addReader/addWriter at each registration: sockets registered from now on.
    asyncioreactor.callWithLogger = call_with_logger
    return True
