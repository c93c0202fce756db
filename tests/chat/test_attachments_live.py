"""
Files between real processes: a Daphne server, uploads over real HTTP
(multipart, as a browser sends them), both sides' real websockets receiving
the FILE message with its seq, and the downloads' bytes and headers.
"""

import asyncio
import json
import urllib.error
import urllib.request
import uuid

import pytest
from channels.db import database_sync_to_async

from chat.conversations import assignment
from chat.conversations.models import Chat
from tests.chat.files import PDF, empty_file_storage, jpeg_with_gps
from tests.support.servers import DaphneProcess, server_environment
from tests.support.wsclient import ProtocolClient, session_cookie, start_chat_over_http

pytestmark = pytest.mark.django_db(transaction=True)

CSRF_TOKEN = "f" * 32


@pytest.fixture
def server(dns_server, transactional_db):
    empty_file_storage()
    process = DaphneProcess(server_environment(dns_server.address), name="daphne-files").start()
    yield process
    process.stop()


def multipart(fields, file_name, content):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def http(url, *, data=None, headers=None, method=None):
    """(status, headers, body) of a real HTTP request."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def upload(url, content, file_name, client_id, headers):
    body, content_type = multipart({"client_id": client_id}, file_name, content)
    return http(url, data=body, headers={"Content-Type": content_type, **headers}, method="POST")


async def message_with_seq(client, seq):
    frames = await client.receive_until(lambda f: f["type"] == "message" and f["message"]["seq"] == seq, timeout=10)
    return frames[-1]["message"]


async def test_files_both_ways_between_real_processes_reach_both_sockets_with_their_seq(
    server, make_channel, make_agent
):
    channel = await database_sync_to_async(make_channel)(slug="shop", allowed_origins=server.url)
    agent = await database_sync_to_async(make_agent)(channel)
    started = await asyncio.to_thread(start_chat_over_http, server.url, "shop", question="Here is a photo.")
    token, chat_id = started["token"], started["state"]["chat_id"]
    chat = await database_sync_to_async(Chat.objects.get)(pk=chat_id)
    await database_sync_to_async(assignment.accept_chat)(chat, agent=agent)

    customer = await ProtocolClient(server.url, "/ws/chat/").connect()
    await customer.send("hello", token=token, last_seq=0)
    await customer.receive_until(lambda f: f["type"] == "welcome")
    cookie = await database_sync_to_async(session_cookie)(agent)
    dashboard = await ProtocolClient(server.url, "/ws/agent/", cookie=cookie).connect()
    await dashboard.send("hello", chats={})
    await dashboard.receive_until(lambda f: f["type"] == "state")

    status, _headers, body = await asyncio.to_thread(
        upload,
        f"{server.url}/chat/shop/api/files",
        jpeg_with_gps(),
        "photo.jpg",
        "c-photo",
        {"X-Chat-Token": token, "Origin": server.url},
    )
    assert status == 201, body
    photo = json.loads(body)["message"]
    for client in (customer, dashboard):
        received = await message_with_seq(client, photo["seq"])
        assert received["kind"] == "file" and received["params"] == photo["params"]

    agent_headers = {"Cookie": f"{cookie}; csrftoken={CSRF_TOKEN}", "X-CSRFToken": CSRF_TOKEN, "Origin": server.url}
    status, _headers, body = await asyncio.to_thread(
        upload, f"{server.url}/agent/chats/{chat_id}/files", PDF, "invoice.pdf", "a-pdf", agent_headers
    )
    assert status == 201, body
    pdf = json.loads(body)["message"]
    assert pdf["seq"] == photo["seq"] + 1
    for client in (customer, dashboard):
        assert (await message_with_seq(client, pdf["seq"]))["params"]["name"] == "invoice.pdf"

    status, headers, content = await asyncio.to_thread(
        http, f"{server.url}/chat/shop/api/files/{pdf['params']['key']}", headers={"X-Chat-Token": token}
    )
    assert (status, content) == (200, PDF)
    assert headers["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "private, no-store"
    status, headers, content = await asyncio.to_thread(
        http, f"{server.url}/agent/files/{photo['params']['key']}", headers={"Cookie": cookie}
    )
    assert status == 200 and content[:2] == b"\xff\xd8" and headers["Content-Disposition"].startswith("inline")
    assert b"PhoneMaker" not in content
    # Without the token, the customer's address knows no file.
    status, _headers, _body = await asyncio.to_thread(http, f"{server.url}/chat/shop/api/files/{pdf['params']['key']}")
    assert status == 404
    await customer.close()
    await dashboard.close()
