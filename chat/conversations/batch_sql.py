"""
The statements of chat.conversations.group_commit, written by hand.

The ORM's versions (select_for_update, bulk_create, bulk_update) cost several
times as much Python per batch, on the processes that also serve the sockets.
On PostgreSQL the lists travel as arrays, so each statement's text is the same
for every batch size and psycopg converts it once (it caches a statement's
conversion only up to 50 parameters; a batch's VALUES list has hundreds). Other
databases (SQLite in development) get the same statements with IN and VALUES lists.

On PostgreSQL a batch does not use the step-wise statements (lock_chats to
save_numbers) but one statement for all of it (store_statement): on the
event loop's own connection (group_commit_pg), or on Django's connection of
a database thread (store_messages). The steps stay for SQLite, and
mark_answered for log.append's single messages.
"""

import functools

from django.db import connection

from chat.conversations.models import Chat, ChatStatus, Message, Party

# What a message needs of its chat, in the model's order (Model.from_db expects that).
CHAT_FIELDS = tuple(
    f.attname
    for f in Chat._meta.concrete_fields
    if f.attname in {"id", "status", "agent_id", "last_seq", "customer_name"}
)

# Every column of Message but its id, which a batch does not need (a test
# keeps this list in step with the model). The last four are the same for
# every message of a batch (text messages, stored at one moment).
INSERT_COLUMNS = ("chat_id", "seq", "client_id", "author", "agent_id", "body", "kind", "event", "params", "created_at")
PER_MESSAGE_COLUMNS = INSERT_COLUMNS[:6]


def _postgres():
    return connection.vendor == "postgresql"


def in_one_statement():
    """Whether store_messages does a batch's whole work (PostgreSQL), or the steps below do it (SQLite)."""
    return _postgres()


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


def lock_chats(chat_ids):
    """Lock the chats' rows in order of id and read what a message needs; {id: Chat}."""
    table = Chat._meta.db_table
    columns = ", ".join(CHAT_FIELDS)
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"SELECT {columns} FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [list(chat_ids)])
        else:  # SQLite: the transaction (BEGIN IMMEDIATE) holds the database's write lock
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE id IN ({_placeholders(chat_ids)}) ORDER BY id", list(chat_ids)
            )
        rows = cursor.fetchall()
    return {row[CHAT_FIELDS.index("id")]: Chat.from_db(connection.alias, CHAT_FIELDS, row) for row in rows}


def stored_client_ids(pairs):
    """Which of these (chat id, client_id) pairs are stored already."""
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        if _postgres():
            # Joined pair by pair, each an index look-up in the partial unique
            # index on (chat, client_id) ("client_id <> ''" lets PostgreSQL
            # use it): filtering a chat's messages by a list of client ids
            # instead read every message of the chat, a cost that grew with
            # the chat's length.
            chat_ids, client_ids = zip(*pairs, strict=True)
            cursor.execute(
                f"SELECT m.chat_id, m.client_id FROM {table} AS m"
                f" JOIN unnest(%s::{Chat._meta.pk.db_type(connection)}[], %s::text[]) AS p(chat_id, client_id)"
                " ON m.chat_id = p.chat_id AND m.client_id = p.client_id WHERE m.client_id <> ''",
                [list(chat_ids), list(client_ids)],
            )
        else:
            chat_ids = sorted({chat_id for chat_id, _client_id in pairs})
            client_ids = sorted({client_id for _chat_id, client_id in pairs})
            cursor.execute(
                f"SELECT chat_id, client_id FROM {table} WHERE chat_id IN ({_placeholders(chat_ids)})"
                f" AND client_id IN ({_placeholders(client_ids)}) AND client_id <> ''",
                list(chat_ids) + list(client_ids),
            )
        return set(cursor.fetchall())


def _shared_values(using=connection, **values):
    """The Message columns every message of a batch shares, as ``using`` (a DatabaseWrapper) takes them."""
    meta = Message._meta
    return [meta.get_field(name).get_db_prep_save(value, using) for name, value in values.items()]


def insert_messages(messages, *, kind, event, params, created_at):
    """One INSERT for the messages; the columns after PER_MESSAGE_COLUMNS take the given values."""
    shared = _shared_values(kind=kind, event=event, params=params, created_at=created_at)
    rows = [(m.chat_id, m.seq, m.client_id, m.author, m.agent_id, m.body) for m in messages]
    with connection.cursor() as cursor:
        if _postgres():
            arrays = ", ".join(f"%s::{_db_type(name)}[]" for name in PER_MESSAGE_COLUMNS)
            cursor.execute(
                f"INSERT INTO {Message._meta.db_table} ({', '.join(INSERT_COLUMNS)})"
                f" SELECT m.*, %s, %s, %s, %s FROM unnest({arrays}) AS m",
                shared + [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            row = f"({_placeholders(INSERT_COLUMNS)})"
            cursor.execute(
                f"INSERT INTO {Message._meta.db_table} ({', '.join(INSERT_COLUMNS)}) VALUES {', '.join([row] * len(rows))}",
                [value for values in rows for value in (*values, *shared)],
            )


def save_numbers(chats):
    """One UPDATE for the chats' new last_seq."""
    table = Chat._meta.db_table
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                f"UPDATE {table} SET last_seq = n.last_seq"
                f" FROM unnest(%s::{Chat._meta.pk.db_type(connection)}[], %s::integer[]) AS n(id, last_seq)"
                f" WHERE {table}.id = n.id",
                [[chat.pk for chat in chats], [chat.last_seq for chat in chats]],
            )
        else:
            cases = " ".join(["WHEN %s THEN %s"] * len(chats))
            params = [value for chat in chats for value in (chat.pk, chat.last_seq)] + [chat.pk for chat in chats]
            cursor.execute(
                f"UPDATE {table} SET last_seq = CASE id {cases} END WHERE id IN ({_placeholders(chats)})", params
            )


def mark_answered(chat_ids, *, at):
    """
    The chats' first answer (Chat.first_response_at) is at ``at``, unless
    they had one before: one UPDATE that keeps an earlier time, for a batch's
    agent messages and for the single message path (log.append) alike.
    """
    table = Chat._meta.db_table
    at = Chat._meta.get_field("first_response_at").get_db_prep_save(at, connection)
    chat_ids = sorted(set(chat_ids))
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                f"UPDATE {table} SET first_response_at = COALESCE(first_response_at, %s)"
                " WHERE id = ANY(%s) AND first_response_at IS NULL",
                [at, chat_ids],
            )
        else:
            cursor.execute(
                f"UPDATE {table} SET first_response_at = COALESCE(first_response_at, %s)"
                f" WHERE id IN ({_placeholders(chat_ids)}) AND first_response_at IS NULL",
                [at, *chat_ids],
            )


@functools.cache
def _db_type(column):
    """The PostgreSQL type of a Message column (a foreign key has its target's); the same for every batch."""
    field = next(f for f in Message._meta.concrete_fields if f.column == column)
    return field.db_type(connection)


# PostgreSQL: the whole batch in one statement -----------------------------------
#
# At low load a batch is one or two messages, so its fixed cost is what a
# message costs: the steps above are six round trips (BEGIN, lock, resends,
# INSERT, numbers, COMMIT), each statement parsed and planned anew, and each
# composed in Python by psycopg's client-side binding. Here one statement does
# it all in autocommit (a statement is its own transaction): one round trip,
# its parameters bound on the server, and prepared once per connection
# (OPTIONS prepare_threshold, helpdesk.settings), so PostgreSQL plans it once.
#
# Why it is as safe as the steps:
# - `locked` takes the chats' row locks in order of id (LockRows above the
#   Sort), as lock_chats does, and FOR UPDATE returns each row as last
#   committed (PostgreSQL re-reads a row it had to wait for), so the numbers
#   follow whatever another process stored before the lock.
# - Resends: `fresh` keeps a client_id only if no message of the chat has it
#   and it is the first of the batch. The look-up is a LATERAL join, one probe
#   of the partial unique index (chat, client_id) per message: written as
#   NOT EXISTS beside the OR, PostgreSQL chose a "hashed SubPlan" that reads
#   every message with a client_id once per batch. The look-up reads the statement's
#   snapshot, taken before the lock: a resend that another process committed
#   in between is not seen there, but the unique index (chat, client_id)
#   refuses it, the statement fails as a whole, nothing is stored, and
#   group_commit stores the batch one by one (which finds the resend stored).
# - may_post's rule, written in SQL (`allowed`); what it leaves out goes
#   through services.post_message as before (a test holds the two in step:
#   tests/chat/test_group_commit.py).
# - One UPDATE per chat row (a statement may not update a row twice): its
#   number and, for an agent's message, its first answer (mark_answered).


@functools.cache
def _store_statement():
    chat, message = Chat._meta.db_table, Message._meta.db_table
    chat_pk = Chat._meta.pk.db_type(connection)
    returned = ", ".join(f"c.{name}" for name in CHAT_FIELDS)
    return f"""
WITH batch AS (
    SELECT * FROM unnest(%s::integer[], %s::{chat_pk}[], %s::{_db_type("client_id")}[], %s::{_db_type("author")}[],
                         %s::{_db_type("agent_id")}[], %s::{_db_type("body")}[])
        AS b(ord, chat_id, client_id, author, agent_or_0, body)
),
locked AS (
    SELECT {", ".join(CHAT_FIELDS)} FROM {chat} WHERE id IN (SELECT chat_id FROM batch) ORDER BY id FOR UPDATE
),
allowed AS (  -- rules.may_post, for a chat's customer and its own agent
    SELECT b.*, NULLIF(b.agent_or_0, 0) AS agent_id, c.last_seq,
           row_number() OVER (PARTITION BY b.chat_id, b.client_id ORDER BY b.ord) AS nth
    FROM batch AS b JOIN locked AS c ON c.id = b.chat_id
    WHERE (b.author = '{Party.CUSTOMER.value}' AND c.status IN ('{ChatStatus.QUEUED.value}', '{ChatStatus.ACTIVE.value}'))
       OR (b.author = '{Party.AGENT.value}' AND c.status = '{ChatStatus.ACTIVE.value}' AND c.agent_id = b.agent_or_0)
),
fresh AS (  -- LATERAL: an index look-up per message, never a read of the whole table (see below)
    SELECT a.* FROM allowed AS a
    LEFT JOIN LATERAL (
        SELECT true AS hit FROM {message} AS m
        WHERE m.chat_id = a.chat_id AND m.client_id = a.client_id AND m.client_id <> '' AND a.client_id <> ''
        LIMIT 1
    ) AS known ON true
    WHERE a.client_id = '' OR (a.nth = 1 AND known.hit IS NULL)
),
numbered AS (
    SELECT f.*, f.last_seq + row_number() OVER (PARTITION BY f.chat_id ORDER BY f.ord) AS seq FROM fresh AS f
),
inserted AS (
    INSERT INTO {message} ({", ".join(INSERT_COLUMNS)})
    SELECT chat_id, seq, client_id, author, agent_id, body,
           %s::{_db_type("kind")}, %s::{_db_type("event")}, %s::{_db_type("params")}, %s::{_db_type("created_at")}
    FROM numbered
),
numbers AS (
    UPDATE {chat} SET last_seq = n.last_seq,
        first_response_at = CASE WHEN n.answered THEN COALESCE({chat}.first_response_at, %s) ELSE {chat}.first_response_at END
    FROM (SELECT chat_id, max(seq) AS last_seq, bool_or(author = '{Party.AGENT.value}') AS answered
          FROM numbered GROUP BY chat_id) AS n
    WHERE {chat}.id = n.chat_id
)
SELECT n.ord, n.seq, {returned} FROM numbered AS n JOIN locked AS c ON c.id = n.chat_id
"""


def store_statement(pending, *, kind, event, params, created_at, using=connection):
    """
    The statement that stores those of ``pending`` (PendingMessages, cleaned)
    that need nothing special, and its parameters: (sql, params), for
    store_messages here and for group_commit_pg's connection on the event loop.
    ``using`` only adapts the parameters (no query): group_commit_pg passes
    one DatabaseWrapper for all its batches, since on the event loop each
    batch's task would otherwise make a new one behind Django's proxy.
    """
    shared = [
        *_shared_values(using, kind=kind, event=event, params=params, created_at=created_at),
        Chat._meta.get_field("first_response_at").get_db_prep_save(created_at, using),
    ]
    columns = [
        list(range(len(pending))),
        [p.chat_id for p in pending],
        [p.client_id for p in pending],
        [p.author for p in pending],
        [p.agent.pk if p.agent is not None else 0 for p in pending],  # 0: none (see _server_bound_cursor)
        [p.body for p in pending],
    ]
    return _store_statement(), columns + shared


def stored_rows(rows, alias=None):
    """The statement's rows as {index in pending: (seq, Chat)}; the Chat has the fields of CHAT_FIELDS as locked, before this batch."""
    chats = {}
    stored = {}
    # Read once, not per row: Django's connection proxy looks the connection
    # up in an asgiref Local on every attribute (~2 % of a process flat out).
    alias = alias or connection.alias
    id_at = CHAT_FIELDS.index("id")
    for index, seq, *chat_row in rows:
        chat = chats.get(chat_row[id_at])
        if chat is None:
            chat = Chat.from_db(alias, CHAT_FIELDS, chat_row)
            chats[chat.pk] = chat
        stored[index] = (seq, chat)
    return stored


def store_messages(pending, *, kind, event, params, created_at):
    """
    Store those of ``pending`` (PendingMessages, cleaned) that need nothing
    special, in one statement (PostgreSQL only) on Django's connection of this
    thread; {index in pending: (seq, Chat)} (stored_rows).
    """
    sql, values = store_statement(pending, kind=kind, event=event, params=params, created_at=created_at)
    cursor = _server_bound_cursor()  # kept open for the next batch
    cursor.execute(sql, values)
    return stored_rows(cursor.fetchall())


def _server_bound_cursor():
    """
    A cursor of Django's (its error wrapping and query log) whose parameters
    are bound on the server. The connection's other cursors stay client-bound
    (Django's default): only this statement is known to work either way.

    psycopg prepares a statement per text and parameter types, and by default
    types a Python int by its size (int2 for 5, int4 for 70,000) and a list
    of None as text: every integer goes as int8 here, and no list holds only
    None (no agent is 0), so the types, and the one prepared statement, are
    the same for every batch.

    The psycopg cursor is made once per connection and kept (not closed
    after each batch): making one with its own int dumper cost three times
    as much as a plain cursor, ~0.1 ms a batch.
    """
    connection.ensure_connection()
    raw = connection.connection
    kept = getattr(connection, "_batch_cursor", None)
    if kept is None or kept[0] is not raw or kept[1].closed:
        # Here, not at the top: on SQLite neither is needed.
        from django.db.backends.postgresql.base import ServerBindingCursor

        cursor = ServerBindingCursor(raw)
        int8_everywhere(cursor.adapters)
        kept = connection._batch_cursor = (raw, cursor)
    with connection.wrap_database_errors:
        return connection._prepare_cursor(kept[1])


def int8_everywhere(adapters):
    """Every Python int as int8 (see _server_bound_cursor), on a cursor's or a connection's adapters."""
    from psycopg.types.numeric import Int8Dumper  # here, not at the top: SQLite needs no psycopg

    adapters.register_dumper(int, Int8Dumper)
