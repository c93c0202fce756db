"""
The anchor of the load benchmark: bench/relay.py's bare relay, but every
message is stored in PostgreSQL before it is delivered or acked, with group
commit: what arrives while a transaction is being written goes into the
next one. Two writers, each owning the chats of its parity (chat id modulo
two), so that one chat's messages are stored, delivered and acked in order.
websockets + psycopg, no Django, no Redis, one process: what persisting
before delivering costs by itself, to hold the helpdesk's figures against
(bench/load.py prints both in one run; docs/performance.md).

    python -m bench.relay_pg PORT DATABASE_URL

It speaks the same frames as bench/relay.py. A resend of a message that is
being written is acked with the same seq once it is stored, never stored
twice; a resend of a stored one is acked at once.
"""

import asyncio
import json
import sys

import psycopg
import websockets

from bench.relay import ack_frame, handler_with, last_seq, safe_send, sockets_of

WRITERS = 2
MOST_PER_TRANSACTION = 1000
TABLE = "bench_relay_message"

SCHEMA = f"""
DROP TABLE IF EXISTS {TABLE};
CREATE TABLE {TABLE} (
    chat_id integer NOT NULL,
    seq integer NOT NULL,
    client_id text NOT NULL,
    author text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, seq),
    UNIQUE (chat_id, client_id)
)
"""
INSERT = f"INSERT INTO {TABLE} (chat_id, seq, client_id, author, body) VALUES (%s, %s, %s, %s, %s)"

stored = {}  # (chat id, client_id) -> seq, once committed
waiting = {}  # (chat id, client_id) -> [(socket, its send frame)] until committed, resends included
queues = []  # one per writer


async def _receive_send(ws, frame, chat_id):
    key = (chat_id, frame["client_id"])
    if key in stored:
        await ws.send(json.dumps(ack_frame(frame, chat_id, stored[key])))
        return
    if key in waiting:
        waiting[key].append((ws, frame))
        return
    seq = last_seq[chat_id] = last_seq.get(chat_id, 0) + 1
    waiting[key] = [(ws, frame)]
    message = {
        "seq": seq,
        "kind": "text",
        "author": "agent" if "chat_id" in frame else "customer",
        "body": frame["body"],
        "client_id": frame["client_id"],
    }
    queues[chat_id % WRITERS].put_nowait((chat_id, message))


async def writer(queue, dsn):
    """Take everything that is waiting (up to a limit), store it in one transaction, then deliver and ack it."""
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < MOST_PER_TRANSACTION:
                batch.append(queue.get_nowait())
            async with conn.transaction(), conn.cursor() as cursor:
                await cursor.executemany(
                    INSERT,
                    [(chat_id, m["seq"], m["client_id"], m["author"], m["body"]) for chat_id, m in batch],
                )
            for chat_id, message in batch:
                data = json.dumps({"type": "message", "chat_id": chat_id, "message": message})
                for other in list(sockets_of.get(chat_id, ())):
                    await safe_send(other, data)
                key = (chat_id, message["client_id"])
                stored[key] = message["seq"]
                for ws, frame in waiting.pop(key, ()):
                    await safe_send(ws, json.dumps(ack_frame(frame, chat_id, message["seq"])))


async def main(port, dsn):
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute(SCHEMA)
    queues.extend(asyncio.Queue() for _ in range(WRITERS))
    writers = [asyncio.ensure_future(writer(queue, dsn)) for queue in queues]
    async with websockets.serve(handler_with(_receive_send), "127.0.0.1", port, ping_interval=None, max_queue=None):
        await asyncio.gather(*writers)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
