"""
The queue behind one websocket's ``receive`` under helpdesk.server (Daphne
with less per connection): what the server hands the application, and what
our channel layer puts a socket's events into (infra.realtime.inbox).

Written here rather than using Daphne's ``asyncio.Queue`` because that one is
four deques (items, waiting getters, waiting putters, ``join()``'s event),
3.3 KiB per connection, of which an idle socket uses none but the one getter
waiting. This one keeps two lists; it offers what a connection's queue is
asked for (``get``, ``put_nowait``, ``get_nowait``, ``qsize``, ``empty``) and
no bound, ``put`` waiting or ``join``, which nobody uses on it.
"""

import asyncio


class ConnectionQueue:
    __slots__ = ("_items", "_getters")

    def __init__(self):
        # Lists, not deques: an empty list is 56 bytes, a deque 760; these
        # hold a few items at a time, where pop(0) costs nothing to speak of.
        self._items = []
        self._getters = []

    def qsize(self):
        return len(self._items)

    def empty(self):
        return not self._items

    def put_nowait(self, item):
        self._items.append(item)
        self._wake_one()

    def get_nowait(self):
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.pop(0)

    async def get(self):
        # As asyncio.Queue.get: wait in turn; a getter cancelled after it was
        # woken passes the wake-up on, so that no item waits unseen.
        while not self._items:
            getter = asyncio.get_running_loop().create_future()
            self._getters.append(getter)
            try:
                await getter
            except BaseException:
                getter.cancel()
                try:
                    self._getters.remove(getter)
                except ValueError:
                    pass
                if self._items and not getter.cancelled():
                    self._wake_one()
                raise
        return self._items.pop(0)

    def _wake_one(self):
        getters = self._getters
        while getters:
            getter = getters.pop(0)
            if not getter.done():
                getter.set_result(None)
                return
