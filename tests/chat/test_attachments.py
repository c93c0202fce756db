"""
Files in the chat over the real endpoints (the whole ASGI application, its
middleware included) with both sides' sockets: stored, announced with their
seq, served with safe headers to those who belong to the chat and to nobody else.
"""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient

from chat.configuration.models import ChannelMembership
from chat.conversations import assignment, attachments, listening, services
from chat.conversations.models import Attachment, Chat, Message, MessageKind, Party
from infra.realtime.db import run_file_work
from tests.chat.files import PDF, customer_headers, empty_file_storage, jpeg_with_gps, png
from tests.support.sockets import agent_socket, customer_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def active_chat(make_channel, make_agent, make_chat):
    channel = make_channel(slug="shop")
    agent = make_agent(channel)
    chat, token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)
    return channel, agent, Chat.objects.select_related("channel").get(pk=chat.pk), token


@pytest.fixture(autouse=True)
def no_stored_files():
    """Each test starts with an empty attachments storage (a flushed database leaves its files behind)."""
    empty_file_storage()


def stored_files():
    storage = storages["attachments"]
    names = []

    def walk(path):
        directories, files = storage.listdir(path)
        names.extend(f"{path}/{name}".lstrip("/") for name in files)
        for directory in directories:
            walk(f"{path}/{directory}".lstrip("/"))

    if storage.exists(""):
        walk("")
    return names


async def customer_upload(client, token, content, name, client_id="c-1", slug="shop"):
    return await client.post(
        f"/chat/{slug}/api/files",
        {"file": SimpleUploadedFile(name, content), "client_id": client_id},
        headers=customer_headers(token),
    )


async def agent_client(agent):
    client = AsyncClient()
    await client.aforce_login(agent)
    return client


async def message_frame(socket, seq):
    frames = await receive_until(socket, "message", timeout=5)
    while frames[-1]["message"]["seq"] != seq:
        frames = await receive_until(socket, "message", timeout=5)
    return frames[-1]


async def test_an_image_and_a_pdf_go_both_ways_and_both_sockets_get_them_with_their_seq(active_chat):
    channel, agent, chat, token = active_chat
    customer = await customer_socket(token, last_seq=chat.last_seq)
    await receive_until(customer, "welcome")
    dashboard = await agent_socket(agent, chats={str(chat.pk): chat.last_seq})
    await receive_until(dashboard, "state")

    response = await customer_upload(AsyncClient(), token, jpeg_with_gps(), "holiday.jpeg")
    assert response.status_code == 201, response.content
    sent = response.json()["message"]
    assert (sent["kind"], sent["body"], sent["author"]) == (MessageKind.FILE, "", Party.CUSTOMER)
    params = sent["params"]
    assert params["name"] == "holiday.jpg" and params["content_type"] == "image/jpeg"
    assert (params["is_image"], params["width"], params["height"]) == (True, 64, 48)
    assert len(params["key"]) >= 40
    for socket in (customer, dashboard):
        frame = await message_frame(socket, sent["seq"])
        assert frame["message"]["params"] == params and frame["message"]["kind"] == "file"

    agent_http = await agent_client(agent)
    response = await agent_http.post(
        f"/agent/chats/{chat.pk}/files", {"file": SimpleUploadedFile("invoice.pdf", PDF), "client_id": "a-1"}
    )
    assert response.status_code == 201, response.content
    answer = response.json()["message"]
    assert answer["seq"] == sent["seq"] + 1 and answer["author"] == Party.AGENT
    assert answer["params"]["content_type"] == "application/pdf" and answer["params"]["is_image"] is False
    for socket in (customer, dashboard):
        frame = await message_frame(socket, answer["seq"])
        assert frame["message"]["params"]["name"] == "invoice.pdf"

    # Each side downloads what the other sent.
    pdf = await AsyncClient().get(f"/chat/shop/api/files/{answer['params']['key']}", headers=customer_headers(token))
    assert pdf.status_code == 200
    assert b"".join([chunk async for chunk in pdf.streaming_content]) == PDF
    photo = await agent_http.get(f"/agent/files/{params['key']}")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert b"".join([chunk async for chunk in photo.streaming_content]).startswith(b"\xff\xd8")
    await customer.disconnect()
    await dashboard.disconnect()


async def test_a_manager_who_joined_sends_files_as_texts_and_one_who_left_no_longer_may(active_chat, make_agent):
    channel, _anna, chat, _token = active_chat
    ben = await database_sync_to_async(make_agent)(channel, first_name="Ben", manager=True)
    await database_sync_to_async(ChannelMembership.objects.filter(user=ben).update)(may_listen_in=True)
    ben_http = await agent_client(ben)

    async def send(client_id):
        return await ben_http.post(
            f"/agent/chats/{chat.pk}/files", {"file": SimpleUploadedFile("terms.pdf", PDF), "client_id": client_id}
        )

    assert (await send("b-1")).status_code == 403, "not in the chat yet"
    await database_sync_to_async(listening.join)(ben, chat.pk)
    joined = await send("b-2")
    assert joined.status_code == 201, joined.content
    assert (joined.json()["message"]["author"], joined.json()["message"]["author_name"]) == (Party.AGENT, "Ben")
    await database_sync_to_async(listening.leave)(ben, chat.pk)
    assert (await send("b-3")).status_code == 403
    stored = await database_sync_to_async(list)(Attachment.objects.filter(chat=chat).values_list("agent_id", flat=True))
    assert stored == [ben.pk]


async def test_uploads_stuck_in_their_checks_hold_up_no_message(active_chat, monkeypatch, settings):
    # More uploads at once than the sockets' database threads, each stuck
    # while it is checked (as a large photo keeps a thread busy): the chat's
    # messages are stored and acked meanwhile, and the uploads then finish.
    # The uploads go through run_file_work as the views send them (one
    # upload over the real endpoint below checks that they do): Django's test
    # client cannot run ten requests at once through sync middleware.
    _channel, _agent, chat, token = active_chat
    release = threading.Event()
    checked_on = []
    real_check = attachments.check_file

    def stuck_check(*args, **kwargs):
        checked_on.append(threading.current_thread().name)
        release.wait(10)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(attachments, "check_file", stuck_check)
    uploads = [
        asyncio.ensure_future(
            run_file_work(
                attachments.post_file,
                chat,
                author=Party.CUSTOMER,
                content=PDF,
                name=f"{number}.pdf",
                client_id=f"f-{number}",
            )
        )
        for number in range(settings.HELPDESK_DB_THREADS + 2)
    ]
    try:
        customer = await customer_socket(token, last_seq=chat.last_seq)
        await receive_until(customer, "welcome")
        await customer.send_json_to({"type": "send", "client_id": "m-1", "body": "Are you there?"})
        ack = (await receive_until(customer, "ack", timeout=5))[-1]
        assert ack["client_id"] == "m-1"
        assert checked_on, "the uploads were being checked meanwhile"
    finally:
        release.set()
    stored = await asyncio.gather(*uploads)
    assert [created for _message, created in stored] == [True] * len(uploads)
    await customer.disconnect()

    # The endpoint itself checks on that pool.
    checked_on.clear()
    response = await customer_upload(AsyncClient(), token, PDF, "last.pdf", client_id="f-last")
    assert response.status_code == 201
    assert {name.rsplit("_", 1)[0] for name in checked_on} == {"files"}


async def test_the_re_encoded_photo_has_no_exif_or_gps_left(active_chat):
    _channel, _agent, chat, token = active_chat
    original = jpeg_with_gps()
    assert b"PhoneMaker" in original
    response = await customer_upload(AsyncClient(), token, original, "photo.jpg")
    key = response.json()["message"]["params"]["key"]
    download = await AsyncClient().get(f"/chat/shop/api/files/{key}", headers=customer_headers(token))
    content = b"".join([chunk async for chunk in download.streaming_content])

    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(content)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "icc_profile" not in image.info
    assert b"PhoneMaker" not in content and b"Exif" not in content


async def test_a_png_keeps_no_text_chunk(active_chat):
    _channel, _agent, _chat, token = active_chat
    response = await customer_upload(AsyncClient(), token, png(text="secret comment"), "shot.png")
    assert response.status_code == 201
    key = response.json()["message"]["params"]["key"]
    attachment = await database_sync_to_async(Attachment.objects.get)(key=key)
    content = await database_sync_to_async(lambda: attachment.file.open("rb").read())()
    assert content.startswith(b"\x89PNG") and b"secret comment" not in content


async def test_downloads_say_nosniff_private_no_store_and_inline_only_for_images(active_chat):
    _channel, agent, _chat, token = active_chat
    image = (await customer_upload(AsyncClient(), token, png(), "a.png", client_id="i")).json()["message"]
    pdf = (await customer_upload(AsyncClient(), token, PDF, "Rechnung März.pdf", client_id="p")).json()["message"]
    agent_http = await agent_client(agent)
    for response in (
        await AsyncClient().get(f"/chat/shop/api/files/{image['params']['key']}", headers=customer_headers(token)),
        await agent_http.get(f"/agent/files/{image['params']['key']}"),
    ):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"].startswith("inline")
        assert response["Content-Type"] == "image/png"
    for response in (
        await AsyncClient().get(f"/chat/shop/api/files/{pdf['params']['key']}", headers=customer_headers(token)),
        await agent_http.get(f"/agent/files/{pdf['params']['key']}"),
    ):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"].startswith("attachment")
        assert "filename*=utf-8''Rechnung%20M%C3%A4rz.pdf" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"
        assert "sandbox" in response["Content-Security-Policy"]


async def test_the_same_client_id_twice_gives_one_message_and_one_file(active_chat):
    _channel, _agent, chat, token = active_chat
    first = await customer_upload(AsyncClient(), token, PDF, "a.pdf", client_id="same")
    again = await customer_upload(AsyncClient(), token, PDF, "a.pdf", client_id="same")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert await database_sync_to_async(Message.objects.filter(chat=chat, kind=MessageKind.FILE).count)() == 1
    assert await database_sync_to_async(Attachment.objects.filter(chat=chat).count)() == 1
    assert len(await database_sync_to_async(stored_files)()) == 1


async def test_an_ended_chat_takes_no_file_and_stores_nothing(active_chat):
    _channel, _agent, chat, token = active_chat
    await database_sync_to_async(services.end_chat)(chat, by=Party.CUSTOMER)
    response = await customer_upload(AsyncClient(), token, PDF, "late.pdf")
    assert response.status_code == 409 and response.json()["error"]["code"] == "chat_ended"
    assert await database_sync_to_async(Attachment.objects.count)() == 0
    assert await database_sync_to_async(stored_files)() == []


async def test_the_state_and_the_dashboard_carry_the_channels_file_limits(active_chat):
    channel, agent, chat, token = active_chat
    channel.attachment_kinds = "images,pdf"
    channel.attachment_max_mb = 3
    await database_sync_to_async(channel.save)()
    state = (await AsyncClient().get("/chat/shop/api/state", headers=customer_headers(token))).json()["state"]
    assert state["files"] == {
        "enabled": True,
        "max_bytes": 3 * 1024 * 1024,
        "accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf,.png,.jpg,.gif,.webp,.pdf,.jpeg",
    }
    dashboard = await agent_socket(agent)
    [summary] = (await receive_until(dashboard, "state"))[-1]["chats"]
    assert summary["files"] == state["files"]
    await dashboard.disconnect()


async def test_deleting_the_chat_removes_its_stored_files(active_chat):
    _channel, _agent, chat, token = active_chat
    await customer_upload(AsyncClient(), token, PDF, "a.pdf", client_id="1")
    await customer_upload(AsyncClient(), token, png(), "b.png", client_id="2")
    assert len(await database_sync_to_async(stored_files)()) == 2
    await database_sync_to_async(Chat.objects.filter(pk=chat.pk).delete)()
    assert await database_sync_to_async(Attachment.objects.count)() == 0
    assert await database_sync_to_async(stored_files)() == []


async def test_a_file_just_within_the_limit_is_taken_whole(active_chat):
    channel, _agent, _chat, token = active_chat
    channel.attachment_max_mb = 3
    await database_sync_to_async(channel.save)()
    content = PDF + b"%" * (3 * 1024 * 1024 - len(PDF))  # above Django's 2.5 MB in-memory upload size
    response = await customer_upload(AsyncClient(), token, content, "scan.pdf")
    assert response.status_code == 201, response.content
    assert response.json()["message"]["params"]["size"] == 3 * 1024 * 1024
    key = response.json()["message"]["params"]["key"]
    download = await AsyncClient().get(f"/chat/shop/api/files/{key}", headers=customer_headers(token))
    assert b"".join([chunk async for chunk in download.streaming_content]) == content
