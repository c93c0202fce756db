"""
Group commit's batch statement on PostgreSQL, on connections of the event
loop's own (psycopg's AsyncConnection), instead of Django's on a database thread.

Why: a batch on PostgreSQL is one statement (batch_sql.store_statement), so
storing it needs nothing of Django's but the statement's text and its
parameters, and the hop to a database thread around that one round trip
(the pool's ``submit``, a future for each side, waking the thread, the GIL
handed over and back, ``close_old_connections`` twice) cost about as much
Python CPU as the rest of a one-message batch (docs/performance.md, "The
batch on the event loop"). Here the statement goes out from the loop, as the
benchmark's anchor (bench/relay_pg.py) stores, and the loop waits for its
socket like for any other.

Why by hand, not psycopg_pool's AsyncConnectionPool (not a dependency) or
Django's async ORM (which is sync_to_async, a thread hop again): all it takes
is a connection per batch in flight (group_commit.CONCURRENT_BATCHES, as
many as the threads that stored batches before), made when first needed from
Django's own connection parameters (DATABASES, the same OPTIONS:
prepare_threshold, the adapters' time zone), kept, and given up when broken.

What it keeps of the thread path: the statement is the same, in autocommit,
so its result arrives only after its commit, and a batch that fails in any
way (a lost connection, a killed backend, a unique key, a restart) is handed
back whole, nothing of it acknowledged: group_commit then stores its
messages one by one on a database thread, as before (a resend of one that
was committed after all is found by its client_id and acked with its seq).
A connection that broke while idle (its backend terminated, PostgreSQL
restarted) is noticed before the next batch is sent on it, and replaced; one
that breaks while a batch is on it is replaced for the next batch. The
connections close with their event loop (Daphne's at exit; a test's at its end).
"""

import logging
import types

import psycopg
from django.db import connections
from psycopg import pq

from chat.conversations import batch_sql

logger = logging.getLogger(__name__)

# Not to hang a batch (and its slot) on a database that does not answer the
# connection at all; Django's own threads connect without a limit, as
# DATABASES says (an OPTIONS connect_timeout applies here too).
CONNECT_TIMEOUT_SECONDS = 10


def usable():
    """
    Whether batches go on the loop's own connections: on PostgreSQL, unless
    DATABASES' OPTIONS say assume_role, which Django sets on its own
    connections after connecting (SET ROLE) and these would not.
    """
    return batch_sql.in_one_statement() and not connections["default"].settings_dict["OPTIONS"].get("assume_role")


class Connections:
    """One event loop's connections for group commit's batches, one per batch in flight."""

    def __init__(self, loop):
        self.loop = loop
        self.idle = []
        self.made = 0  # connections opened, for the tests and the logs
        # Adapts the statement's parameters, nothing else (batch_sql.store_statement's ``using``).
        self.adapting = connections["default"]
        _close_with(loop, self)

    async def store(self, pending, **shared):
        """batch_sql.store_messages on a connection of this loop: {index in pending: (seq, Chat)}; raises if it failed."""
        sql, params = batch_sql.store_statement(pending, using=self.adapting, **shared)
        connection, cursor = await self._take()
        try:
            await cursor.execute(sql, params)
            rows = await cursor.fetchall()
        except BaseException:
            self._give_back(connection, cursor)
            raise
        self._give_back(connection, cursor)
        return batch_sql.stored_rows(rows, self.adapting.alias)

    async def _take(self):
        while self.idle:
            connection, cursor = self.idle.pop()
            if _alive(connection):
                return connection, cursor
            logger.info("Group commit's database connection was lost while idle; connecting again")
            await connection.close()
        return await self._connect()

    def _give_back(self, connection, cursor):
        # Kept only as it should be between batches: open, idle, no transaction
        # (a batch cancelled or failed half-way may leave it otherwise).
        if not connection.closed and connection.info.transaction_status == pq.TransactionStatus.IDLE:
            self.idle.append((connection, cursor))
        elif not connection.closed:
            connection.pgconn.finish()

    async def _connect(self):
        params = connections["default"].get_connection_params()
        params.pop("cursor_factory", None)  # Django's, for its synchronous connections
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
        connection = await psycopg.AsyncConnection.connect(**params, autocommit=True)
        batch_sql.int8_everywhere(connection.adapters)
        self.made += 1
        return connection, connection.cursor()

    def close(self):
        """Close every idle connection (a batch still running has its own, closed when it is given back)."""
        idle, self.idle = self.idle, []
        for connection, _cursor in idle:
            connection.pgconn.finish()


def _alive(connection):
    """
    Whether an idle connection still has its server: what a terminated
    backend or a restarted PostgreSQL left on its socket (an error, the end)
    is read without waiting, so the batch goes on a new connection instead of
    failing on this one.
    """
    if connection.closed:
        return False
    try:
        # Twice: the first read takes the backend's farewell (FATAL, which
        # libpq takes as a notice while idle), the second finds the socket's
        # end. On a healthy connection each finds nothing to read.
        connection.pgconn.consume_input()
        connection.pgconn.consume_input()
    except psycopg.OperationalError:
        return False
    return connection.pgconn.status == pq.ConnStatus.OK and not connection.pgconn.is_busy()


def _close_with(loop, connections_of_loop):
    """Close the loop's connections when it closes (as infra.realtime.layer does with its own)."""
    original_close = loop.close

    def close(loop_self, *args, **kwargs):
        connections_of_loop.close()
        loop.close = original_close
        return original_close(*args, **kwargs)

    loop.close = types.MethodType(close, loop)
