"""
A bare relay for comparison: a minimal `websockets` server that speaks just
enough of docs/protocol.md for the benchmark's clients (hello, take, send ->
ack + message to every socket of the chat), numbering messages in memory.
No database, no Redis, no Django, one process.

    python -m bench.relay PORT
"""

import asyncio
import json
import sys

import websockets

sockets_of = {}  # chat id -> set of sockets
last_seq = {}  # chat id -> last seq
stored = {}  # (chat id, client_id) -> seq, so that resends are acked, not doubled


async def safe_send(ws, data):
    try:
        await ws.send(data)
    except websockets.exceptions.ConnectionClosed:
        pass


def handler_with(on_send):
    """
    A socket handler speaking the benchmark's frames (hello, take, ping) that
    leaves ``send`` frames to ``on_send(ws, frame, chat_id)``: this relay
    numbers them in memory, bench/relay_pg.py stores them first.
    """

    async def handler(ws):
        joined = set()
        customer_chat = None
        try:
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "hello" and "token" in frame:
                    customer_chat = int(frame["token"])
                    joined.add(customer_chat)
                    sockets_of.setdefault(customer_chat, set()).add(ws)
                    await ws.send(json.dumps({"type": "welcome", "state": {"chat_id": customer_chat}}))
                elif kind == "hello":
                    await ws.send(json.dumps({"type": "state", "chats": [], "queue": []}))
                elif kind == "take":
                    chat_id = frame["chat_id"]
                    joined.add(chat_id)
                    sockets_of.setdefault(chat_id, set()).add(ws)
                    await ws.send(json.dumps({"type": "chat", "assigned": True, "chat": {"id": chat_id}}))
                elif kind == "send":
                    await on_send(ws, frame, frame.get("chat_id", customer_chat))
                elif kind == "ping":
                    await ws.send('{"type": "pong"}')
        except websockets.exceptions.ConnectionClosed:
            pass
        finally:
            for chat_id in joined:
                sockets_of.get(chat_id, set()).discard(ws)

    return handler


def ack_frame(frame, chat_id, seq):
    ack = {"type": "ack", "client_id": frame["client_id"], "seq": seq}
    if "chat_id" in frame:
        ack["chat_id"] = chat_id
    return ack


async def _number_and_deliver(ws, frame, chat_id):
    key = (chat_id, frame["client_id"])
    if key not in stored:
        seq = last_seq[chat_id] = last_seq.get(chat_id, 0) + 1
        stored[key] = seq
        message = {
            "seq": seq,
            "kind": "text",
            "author": "agent" if "chat_id" in frame else "customer",
            "body": frame["body"],
            "client_id": frame["client_id"],
        }
        data = json.dumps({"type": "message", "chat_id": chat_id, "message": message})
        for other in list(sockets_of.get(chat_id, ())):
            await safe_send(other, data)
    await ws.send(json.dumps(ack_frame(frame, chat_id, stored[key])))


async def main(port):
    async with websockets.serve(
        handler_with(_number_and_deliver), "127.0.0.1", port, ping_interval=None, max_queue=None
    ):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
