"""
A chat's log: the text of a message as stored, and appending to the log with
the chat's next sequence number. The one place a single message is written;
many at once are chat.conversations.group_commit's, through the same checks
(clean_body).
"""

from django.db import connection

from chat.conversations import batch_sql, events
from chat.conversations.errors import EmptyMessage, MessageTooLong
from chat.conversations.models import Chat, Message, MessageKind, Party
from infra import safejson
from infra.errors import InvalidText

# Long enough for a detailed question, short enough that one message cannot
# flood the other side's screen or the database.
MAX_MESSAGE_LENGTH = 4000
MAX_CLIENT_ID_LENGTH = 64

# What counts as an agent's answer for the first-response time: something
# written or sent to the customer, not an event of the log.
ANSWER_KINDS = (MessageKind.TEXT, MessageKind.FAQ, MessageKind.FILE)


def clean_body(body):
    """The text of a message as stored: trimmed, not empty, not too long, storable (else a ClientError)."""
    if not isinstance(body, str):
        raise EmptyMessage()
    body = body.strip()
    if not body:
        raise EmptyMessage()
    if len(body) > MAX_MESSAGE_LENGTH:
        raise MessageTooLong()
    if safejson.has_forbidden_text(body):
        raise InvalidText()
    return body


def append(
    chat, *, author, body="", client_id="", agent=None, kind=MessageKind.TEXT, event="", params=None, automatic=False
):
    """
    Give the message the chat's next sequence number, store it, and announce it
    after the commit. Must run inside a transaction: the increment locks the
    chat row until the commit, so numbers are handed out one at a time.
    ``automatic`` marks a text the system posts in the agent's name (the
    channel's welcome): it is no answer, so it leaves first_response_at alone.
    """
    seq = _next_seq(chat.pk)
    chat.last_seq = seq
    message = store(
        chat, seq, author=author, body=body, client_id=client_id, agent=agent, kind=kind, event=event, params=params
    )
    if author == Party.AGENT and kind in ANSWER_KINDS and not automatic:
        batch_sql.mark_answered([chat.pk], at=message.created_at)
    return message


def append_event(chat, event, **params):
    """Append an event (joined, ended, reopened...) to the chat's log, as the system."""
    return append(chat, author=Party.SYSTEM, kind=MessageKind.EVENT, event=event, params=params)


def store(chat, seq, *, author, body="", client_id="", agent=None, kind=MessageKind.TEXT, event="", params=None):
    """Insert message ``seq`` (already taken from the locked chat row) and announce it after the commit."""
    message = Message.objects.create(
        chat=chat,
        seq=seq,
        client_id=client_id,
        author=author,
        agent=agent,
        kind=kind,
        body=body,
        event=event,
        params=params or {},
    )
    message.chat = chat
    events.notify_message(message)
    return message


def _next_seq(chat_id):
    """One statement on PostgreSQL and SQLite (3.35+): increment and read the chat's last number."""
    table = Chat._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq", [chat_id])
        return cursor.fetchone()[0]
