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

import asyncio
from concurrent.futures import ThreadPoolExecutor

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import close_old_connections

# Pool name -> the setting of its size.
POOL_SIZES = {"orm": "HELPDESK_DB_THREADS", "files": "HELPDESK_FILE_THREADS"}
_pools = {}


def _executor(pool="orm"):
    if pool not in _pools:
        workers = getattr(settings, POOL_SIZES[pool])
        _pools[pool] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=pool)
    return _pools[pool]


def db_sync_to_async(func, pool="orm"):
    """Like channels.db.database_sync_to_async (old connections closed around the call), on the pool."""
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_executor(pool))


async def run(func, *args, **kwargs):
    """``await run(f, x)``: call ``f(x)`` on the pool."""
    return await db_sync_to_async(func)(*args, **kwargs)


async def run_file_work(func, *args, **kwargs):
    """
    ``run`` for an upload (reading, checking and storing one file) on a pool
    of its own, HELPDESK_FILE_THREADS threads: decoding a photo takes a
    thread for a good part of a second and up to MAX_IMAGE_PIXELS' worth of
    memory (chat.conversations.file_checks). On the sockets' pool, a few
    uploads at once would hold up every message of the process; here they
    wait for each other, and the memory they may take is bounded by the
    pool's size.
    """
    return await db_sync_to_async(func, pool="files")(*args, **kwargs)


async def run_bare(func, *args):
    """
    ``run`` for the hottest path (chat.conversations.group_commit, a hop per
    batch of messages): the same pool and the same closing of old connections
    around the call, without asgiref's SyncToAsync, whose wrapper object,
    context copy and thread bookkeeping cost as much CPU as the hop itself.
    The call gets no context variables of the caller (no language, no
    request): only for functions that need none.
    """
    return await asyncio.get_running_loop().run_in_executor(_executor(), _with_fresh_connections, func, args)


def _with_fresh_connections(func, args):
    close_old_connections()
    try:
        return func(*args)
    finally:
        close_old_connections()
