"""
Group commit for the messages the sockets receive.

Storing one message costs a hop to a database thread, a transaction with its
round trips and commit, and a publish to Redis. Under load most of that is
the same work again and again, so the messages that arrive on a process while
earlier ones are being stored wait and then go together: one hop, one
transaction (lock the chats, one INSERT, one UPDATE of their numbers; on
PostgreSQL all in one statement, batch_sql.store_messages), one commit, one
pipelined publish. With little traffic nothing waits: a message
finds a free slot and goes at once, alone (CONCURRENT_BATCHES). On
PostgreSQL the batch's statement goes out from the event loop itself, on a
connection of the loop's own (group_commit_pg, post_messages_on_loop), with
no hop to a thread; on SQLite the batch runs on a database thread
(post_messages).

The result for each message is what services.post_message would give: the
stored Message, or the ClientError that refuses it. The common case (a
message that rules.may_post lets into the chat as it is) is batched;
anything else (a resend of a stored client_id, an ended chat to reopen,
someone else's chat) and every message of a batch that failed as a
whole (a unique-key clash, a deadlock, a lost connection, text the database
driver refuses: anything at all) goes through post_message one by one, so one
bad message never costs the others theirs and nothing is acknowledged before
its commit. A message that fails there in an unexpected way is refused with
NotStored, for its own socket alone.
"""

import asyncio
import logging
import weakref
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from chat.conversations import batch_sql, events, group_commit_pg, log, rules, services
from chat.conversations.errors import NotStored
from chat.conversations.models import Chat, Message, MessageKind, Party
from chat.conversations.payloads import stored_message_payload
from infra.errors import ClientError
from infra.realtime.db import run_bare

logger = logging.getLogger(__name__)

# Two batches in flight per process: one is assembled while the other is in
# the database, and a lone message never waits for a full one.
CONCURRENT_BATCHES = 2
# Bounds one transaction's size (and the time its row locks are held).
MAX_BATCH = 200


@dataclass(frozen=True)
class PendingMessage:
    chat_id: int
    author: str
    body: object  # as received; cleaned by post_messages
    client_id: str = ""
    agent: object = None  # the agent's User for Party.AGENT


async def post(pending):
    """Store one socket message with the others of this moment; returns the Message or raises its ClientError."""
    result = await _batcher().add(pending)
    if isinstance(result, ClientError):
        raise result
    if isinstance(result, BaseException):
        # The error's kind and the database's code only: a database's own
        # message can quote the row ("Failing row contains ..."), the
        # customer's text with it (docs/privacy.md, "Logs"). The whole of it
        # goes to DEBUG, which production does not log.
        logger.error(
            "A message to chat %s could not be stored: %s (SQLSTATE %s)",
            pending.chat_id,
            type(result).__name__,
            getattr(getattr(result, "__cause__", None), "sqlstate", None) or getattr(result, "pgcode", None) or "-",
        )
        logger.debug("The message's failure in full", exc_info=result)
        raise NotStored() from result
    return result


# The database side (runs on a database thread) --------------------------------


def _cleaned_batch(batch):
    """(results, ready): each message's failure to clean in ``results``, the cleaned ones by index in ``ready``."""
    results = [None] * len(batch)
    ready = {}
    for index, pending in enumerate(batch):
        try:
            ready[index] = _cleaned(pending)
        except Exception as error:  # a ClientError, or anything else: this message's alone
            results[index] = error
    return results, ready


def post_messages(batch):
    """Store ``batch`` (PendingMessages); a list with a Message or an exception for each, in order."""
    results, ready = _cleaned_batch(batch)
    try:
        stored = _store_batch(ready)
    except Exception:
        # Everything was rolled back; each message goes the full way on its
        # own, and whatever made the batch fail fails for its own message only.
        logger.info("A batch of %d messages failed as a whole; storing them one by one", len(ready), exc_info=True)
        stored = {}
    for index, pending in ready.items():
        results[index] = stored[index] if index in stored else _post_one(pending)
        if isinstance(results[index], Message):
            # Here, where the chat may be read: the sender's ack carries it (chat.conversations.delivery).
            stored_message_payload(results[index])
    return results


async def post_messages_on_loop(batch, pg):
    """
    post_messages on PostgreSQL with the batch's statement on the event
    loop's connections ``pg`` (group_commit_pg.Connections): the same
    results. Only what the statement leaves (resends, a chat to reopen,
    someone else's chat), or the whole batch if it failed, goes to a database
    thread, one by one through post_message as there.
    """
    results, ready = _cleaned_batch(batch)
    stored = {}
    if ready:
        try:
            stored = await _store_on_loop(ready, pg)
        except Exception:
            # Nothing was committed, or the reply was lost after the commit:
            # one by one, post_message finds each stored one by its client_id.
            logger.info("A batch of %d messages failed as a whole; storing them one by one", len(ready), exc_info=True)
            stored = {}
    left = [index for index in ready if index not in stored]
    if left:
        for index, result in zip(left, await run_bare(_post_each, [ready[index] for index in left]), strict=True):
            results[index] = result
    for index, message in stored.items():
        results[index] = message  # its payload was built for its announcement (the chat came with the statement)
    return results


async def _store_on_loop(ready, pg):
    indexes = list(ready)
    pending = [ready[index] for index in indexes]
    now = timezone.now()
    rows = await pg.store(pending, kind=MessageKind.TEXT, event="", params={}, created_at=now)
    stored = _messages(pending, indexes, rows, now)
    # Committed: announced before any socket hears of it (the sender's ack
    # waits for this, chat.conversations.delivery). If this fails, the batch
    # goes one by one, which finds each stored and announces it again.
    await events.notify_messages(sorted(stored.values(), key=lambda m: (m.chat_id, m.seq)))
    return stored


def _post_each(pendings):
    """On a database thread: post_message for each (cleaned) PendingMessage, with the payload its ack carries."""
    results = []
    for pending in pendings:
        result = _post_one(pending)
        if isinstance(result, Message):
            stored_message_payload(result)
        results.append(result)
    return results


def _cleaned(pending):
    return PendingMessage(
        chat_id=pending.chat_id,
        author=pending.author,
        body=log.clean_body(pending.body),
        client_id=(pending.client_id or "")[: log.MAX_CLIENT_ID_LENGTH],
        agent=pending.agent,
    )


def _store_batch(ready):
    """
    One transaction for the messages that need nothing special; returns
    {index: Message} for those it stored. The chat rows are locked in order
    of id, so two processes' batches over the same chats cannot deadlock.
    """
    if not ready:
        return {}
    if batch_sql.in_one_statement():
        return _store_in_one_statement(ready)
    return _store_in_steps(ready)


def _store_in_one_statement(ready):
    """PostgreSQL: the batch's lock, resend look-up, INSERT and numbers in one statement (batch_sql.store_messages)."""
    indexes = list(ready)
    pending = [ready[index] for index in indexes]
    now = timezone.now()
    shared = {"kind": MessageKind.TEXT, "event": "", "params": {}, "created_at": now}
    if connection.in_atomic_block:
        # Inside someone's transaction (tests): a savepoint, so that a failed
        # batch leaves it usable for the one-by-one path.
        with transaction.atomic():
            rows = batch_sql.store_messages(pending, **shared)
            stored = _messages(pending, indexes, rows, now)
            transaction.on_commit(lambda: _announce(stored))
        return stored
    # Autocommit: the statement is its own transaction, committed when it returns.
    stored = _messages(pending, indexes, batch_sql.store_messages(pending, **shared), now)
    # If this fails, the batch's messages go through post_message one by one,
    # which finds each stored and announces it again.
    _announce(stored)
    return stored


def _messages(pending, indexes, rows, now):
    """{index in the batch: Message} from store_messages' {position in pending: (seq, chat)}."""
    stored = {}
    seqs = {}
    for position, (seq, chat) in sorted(rows.items(), key=lambda item: item[1][0]):
        request = pending[position]
        seqs[chat.pk] = max(seq, seqs.get(chat.pk, 0))
        stored[indexes[position]] = Message(
            chat=chat,
            seq=seq,
            client_id=request.client_id,
            author=request.author,
            agent=request.agent,
            body=request.body,
            created_at=now,
        )
    for message in stored.values():  # the chat as it is now, as the step-wise path leaves it
        message.chat.last_seq = seqs[message.chat_id]
    return stored


def _announce(stored):
    events.notify_messages_blocking(sorted(stored.values(), key=lambda m: (m.chat_id, m.seq)))


def _store_in_steps(ready):
    """Other databases (SQLite): lock, look for resends, INSERT, numbers: a statement each, in one transaction."""
    stored = {}
    with transaction.atomic():
        chats = batch_sql.lock_chats(sorted({r.chat_id for r in ready.values()}))
        # A resend must not reach the INSERT: its unique key would undo the
        # whole batch. With the chats locked, no one else can store one meanwhile.
        taken = _stored_client_ids(chats, ready.values())
        # Sorted by chat, stable: a chat's messages keep their order of arrival.
        for index, pending in sorted(ready.items(), key=lambda item: item[1].chat_id):
            chat = chats.get(pending.chat_id)
            if chat is None or not rules.may_post(chat, author=pending.author, agent=pending.agent):
                continue
            if pending.client_id:
                if (pending.chat_id, pending.client_id) in taken:
                    continue  # stored before (or twice in this batch): post_message answers
                taken.add((pending.chat_id, pending.client_id))
            chat.last_seq += 1
            stored[index] = Message(
                chat=chat,
                seq=chat.last_seq,
                client_id=pending.client_id,
                author=pending.author,
                agent=pending.agent,
                body=pending.body,
            )
        if stored:
            # Should a unique key clash after all, the whole batch is undone
            # and post_messages stores its messages one by one.
            now = timezone.now()
            for message in stored.values():
                message.created_at = now
            batch_sql.insert_messages(stored.values(), kind=MessageKind.TEXT, event="", params={}, created_at=now)
            batch_sql.save_numbers([chats[pk] for pk in sorted({m.chat_id for m in stored.values()})])
            answered = [m.chat_id for m in stored.values() if m.author == Party.AGENT]
            if answered:  # a batch's agent texts are typed by them: each is an answer
                batch_sql.mark_answered(answered, at=now)
            # If this fails after the commit, the batch's messages go through
            # post_message one by one, which finds each stored and announces it
            # again (or fails for that one socket, whose client resends).
            transaction.on_commit(lambda: _announce(stored))
    return stored


def _stored_client_ids(chats, pending):
    """Which of the pending messages' (chat id, client_id) pairs are stored already."""
    pairs = sorted({(r.chat_id, r.client_id) for r in pending if r.client_id and r.chat_id in chats})
    if not pairs:
        return set()
    return batch_sql.stored_client_ids(pairs)


def _post_one(pending):
    try:
        message, _created = services.post_message(
            Chat(pk=pending.chat_id),
            author=pending.author,
            body=pending.body,
            client_id=pending.client_id,
            agent=pending.agent,
        )
        return message
    except Exception as error:  # handed to the one socket it belongs to
        return error


# The event loop side ------------------------------------------------------------


class _Batcher:
    """One per event loop: collects the messages that wait and starts batches."""

    def __init__(self, loop):
        self.loop = loop
        self.waiting = []  # (pending, future)
        self.running = 0
        self.tasks = set()  # the event loop keeps only weak references to tasks
        # PostgreSQL: the batches' statement on connections of this loop's own.
        self.pg = group_commit_pg.Connections(loop) if group_commit_pg.usable() else None

    def add(self, pending):
        future = self.loop.create_future()
        self.waiting.append((pending, future))
        if self.running < CONCURRENT_BATCHES:
            self._start()
        return future

    def _start(self):
        batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
        self.running += 1
        task = self.loop.create_task(self._store(batch))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _store(self, batch):
        try:
            results = await store_batch([pending for pending, _future in batch], self.pg)
        except BaseException as error:  # the whole call failed (no database thread, the loop closing)
            results = [error] * len(batch)
            if not isinstance(error, Exception):
                raise
        finally:
            self.running -= 1
            if self.waiting and self.running < CONCURRENT_BATCHES:
                self._start()
            for (_request, future), result in zip(batch, results, strict=True):
                if not future.done():  # the socket may have gone meanwhile
                    future.set_result(result)


async def store_batch(batch, pg):
    """One batch's results: its statement on the loop's connections ``pg`` (PostgreSQL), else post_messages on a thread."""
    if pg is None:
        return await run_bare(post_messages, batch)
    return await post_messages_on_loop(batch, pg)


_batchers = weakref.WeakKeyDictionary()
# The last loop's batcher, found without the weak dictionary's look-up (a
# weakref made per call): a process has one loop, tests one at a time.
_last = None


def _batcher():
    global _last
    loop = asyncio.get_running_loop()
    last = _last
    if last is not None and last.loop is loop:
        return last
    batcher = _batchers.get(loop)
    if batcher is None:
        batcher = _batchers[loop] = _Batcher(loop)
    _last = batcher
    return batcher
