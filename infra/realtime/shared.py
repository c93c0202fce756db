"""
One database read for all the sockets of a process that want the same thing
at the same moment. A queue move reaches every dashboard; each re-reading the
queue would multiply the cost of a move by the number of dashboards.
"""

import asyncio

from infra.realtime.db import run


class SharedReads:
    """
    ``await reads.get(key, read, *args, not_before=t)`` runs ``read(*args)`` on
    a database thread, or joins a call for the same key that is in flight and
    began at or after loop time ``t``: one that began earlier may have read
    the state before the change the caller heard of, and is not shared.
    """

    def __init__(self):
        self.in_flight = {}  # key -> (loop time it began, future)

    async def get(self, key, read, *args, not_before):
        loop = asyncio.get_running_loop()
        began, future = self.in_flight.get(key, (None, None))
        if future is None or future.get_loop() is not loop or began < not_before:
            began, future = loop.time(), asyncio.ensure_future(run(read, *args))
            self.in_flight[key] = (began, future)
            future.add_done_callback(lambda done: self._forget(key, done))
        # One caller's cancellation (its socket closing) must not cancel the others' read.
        return await asyncio.shield(future)

    def _forget(self, key, done):
        if self.in_flight.get(key, (None, None))[1] is done:
            del self.in_flight[key]
