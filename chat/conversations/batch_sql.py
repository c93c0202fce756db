"""
The statements of chat.conversations.group_commit, written by hand.

The ORM's versions (select_for_update, bulk_create, bulk_update) cost several
times as much Python per batch, on the processes that also serve the sockets.
On PostgreSQL the lists travel as arrays, so each statement's text is the same
for every batch size and psycopg converts it once (it caches a statement's
conversion only up to 50 parameters; a batch's VALUES list has hundreds). Other
databases (SQLite in development) get the same statements with IN and VALUES lists.
"""

import functools

from django.db import connection

from chat.conversations.models import Chat, Message

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


def insert_messages(messages, *, kind, event, params, created_at):
    """One INSERT for the messages; the columns after PER_MESSAGE_COLUMNS take the given values."""
    meta = Message._meta
    shared = [
        meta.get_field("kind").get_db_prep_save(kind, connection),
        meta.get_field("event").get_db_prep_save(event, connection),
        meta.get_field("params").get_db_prep_save(params, connection),
        meta.get_field("created_at").get_db_prep_save(created_at, connection),
    ]
    rows = [(m.chat_id, m.seq, m.client_id, m.author, m.agent_id, m.body) for m in messages]
    with connection.cursor() as cursor:
        if _postgres():
            arrays = ", ".join(f"%s::{_db_type(name)}[]" for name in PER_MESSAGE_COLUMNS)
            cursor.execute(
                f"INSERT INTO {meta.db_table} ({', '.join(INSERT_COLUMNS)})"
                f" SELECT m.*, %s, %s, %s, %s FROM unnest({arrays}) AS m",
                shared + [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            row = f"({_placeholders(INSERT_COLUMNS)})"
            cursor.execute(
                f"INSERT INTO {meta.db_table} ({', '.join(INSERT_COLUMNS)}) VALUES {', '.join([row] * len(rows))}",
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
