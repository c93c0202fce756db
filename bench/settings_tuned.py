"""
The production settings plus two changes, to measure what limits throughput
(bench/load.py --settings bench.settings_tuned):

* persistent database connections (CONN_MAX_AGE, with health checks): with
  CONN_MAX_AGE=0 every database_sync_to_async call opens and closes a
  PostgreSQL connection;
* database work of the consumers in a pool of HELPDESK_DB_THREADS threads
  (default 8) instead of channels' default, thread_sensitive=True, which runs
  all ORM calls of a process one after another in a single thread.

Every consumer still awaits its own calls one at a time, so the order of one
socket's frames is kept; races between sockets are decided by the database
(row locks in chat.services), as between processes.
"""
import os
from concurrent.futures import ThreadPoolExecutor

import channels.db

from helpdesk.settings import *  # noqa: F401,F403
from helpdesk.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("HELPDESK_CONN_MAX_AGE", "300"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

_threads = int(os.environ.get("HELPDESK_DB_THREADS", "8"))
if _threads > 0:
    _pool = ThreadPoolExecutor(max_workers=_threads, thread_name_prefix="orm")

    def _pooled(func=None, thread_sensitive=False):
        def wrap(f):
            return channels.db.DatabaseSyncToAsync(f, thread_sensitive=False, executor=_pool)

        return wrap(func) if func is not None else wrap

    # Settings load before the consumers are imported (helpdesk.asgi), so
    # their `from channels.db import database_sync_to_async` gets this one.
    channels.db.database_sync_to_async = _pooled
