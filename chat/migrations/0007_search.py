"""
Indexes for the agents' history search (chat.conversations.history), on
PostgreSQL only: the full-text expression over messages (German and English
stemming at once); the upper-cased e-mail addresses that ``iexact`` compares
(a whole address, the customer panel's previous chats and requests); the
newest-first order; and, where the server offers pg_trgm (a trusted
extension since PostgreSQL 13), trigrams of the upper-cased names and
addresses that ``icontains`` compares (parts of them). SQLite searches by
substring and needs none of them.
"""

from django.db import migrations

INDEXES = (
    (
        "chat_message_search_idx",
        "CREATE INDEX IF NOT EXISTS chat_message_search_idx ON chat_message USING GIN "
        "((to_tsvector('german'::regconfig, body) || to_tsvector('english'::regconfig, body)))",
    ),
    (
        "chat_chat_email_upper_idx",
        "CREATE INDEX IF NOT EXISTS chat_chat_email_upper_idx ON chat_chat (UPPER(customer_email::text))",
    ),
    (
        "request_email_upper_idx",
        "CREATE INDEX IF NOT EXISTS request_email_upper_idx ON requests_app_request (UPPER(customer_email::text))",
    ),
    (
        "chat_chat_newest_idx",
        "CREATE INDEX IF NOT EXISTS chat_chat_newest_idx ON chat_chat (created_at DESC, id DESC) INCLUDE (channel_id)",
    ),
)

TRIGRAM_INDEXES = (
    (
        "chat_chat_name_trgm_idx",
        "CREATE INDEX IF NOT EXISTS chat_chat_name_trgm_idx ON chat_chat "
        "USING GIN ((UPPER(customer_name::text)) gin_trgm_ops)",
    ),
    (
        "chat_chat_email_trgm_idx",
        "CREATE INDEX IF NOT EXISTS chat_chat_email_trgm_idx ON chat_chat "
        "USING GIN ((UPPER(customer_email::text)) gin_trgm_ops)",
    ),
)


def search_indexes(connection):
    """The index statements this server can run: the trigram ones only where pg_trgm can be had."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return INDEXES
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    return INDEXES + TRIGRAM_INDEXES


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _name, sql in search_indexes(schema_editor.connection):
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in INDEXES + TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0006_workspace"),
        ("requests_app", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
