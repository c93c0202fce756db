"""
The sockets' database work, off the event loop, on a pool of threads.

Channels' database_sync_to_async runs every ORM call of a process in one
thread, one after another, so one process serves only as many messages as one
thread can store. Here each call goes to a pool of HELPDESK_DB_THREADS threads,
each with its own persistent connection. A consumer still awaits its own
calls one at a time, so the order of one socket's frames is kept; races
between sockets are decided by the database (row locks in chat.conversations), as
they are between processes.
"""
from concurrent.futures import ThreadPoolExecutor

from channels.db import DatabaseSyncToAsync
from django.conf import settings

_pool = None


def _executor():
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=settings.HELPDESK_DB_THREADS, thread_name_prefix="orm")
    return _pool


def db_sync_to_async(func):
    """Like channels.db.database_sync_to_async (old connections closed around the call), on the pool."""
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_executor())


async def run(func, *args, **kwargs):
    """``await run(f, x)``: call ``f(x)`` on the pool."""
    return await db_sync_to_async(func)(*args, **kwargs)
