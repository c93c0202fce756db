"""
Files the chat refuses, and files nobody else gets: each refusal has its code
and a translated message, and leaves nothing stored.
"""

import json

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient, RequestFactory

from chat.configuration.models import ChannelMembership
from chat.conversations import assignment
from chat.conversations.models import Attachment, Chat, Message, MessageKind
from chat.widget import files as widget_files
from tests.chat.files import HTML, PDF, SVG, TEXT_THAT_IS_HTML, customer_headers, docx, empty_file_storage, png
from tests.chat.test_attachments import agent_client, customer_upload, stored_files

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_stored_files():
    empty_file_storage()


@pytest.fixture
def active_chat(make_channel, make_agent, make_chat):
    channel = make_channel(slug="shop", language="de")
    agent = make_agent(channel)
    chat, token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)
    return channel, agent, Chat.objects.select_related("channel").get(pk=chat.pk), token


async def assert_nothing_stored(chat):
    assert await database_sync_to_async(Attachment.objects.count)() == 0
    assert not await database_sync_to_async(Message.objects.filter(chat=chat, kind=MessageKind.FILE).exists)()
    assert await database_sync_to_async(stored_files)() == []


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (HTML, "cat.png"),
        (HTML, "page.html"),
        (SVG, "logo.svg"),
        (SVG, "logo.png"),
        (TEXT_THAT_IS_HTML, "notes.txt"),
        (b"\x89PNG\r\n\x1a\n" + HTML, "broken.png"),
        (b"MZ\x90\x00" + b"\x00" * 200, "setup.pdf"),
    ],
    ids=["html-as-png", "html", "svg-with-script", "svg-as-png", "text-that-is-html", "png-header-html", "exe"],
)
async def test_a_file_that_is_not_what_it_claims_is_refused(active_chat, content, name):
    _channel, _agent, chat, token = active_chat
    response = await customer_upload(AsyncClient(), token, content, name)
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "file_type_not_allowed"
    # In the channel's language, naming what may be sent.
    assert "Diese Art von Datei" in error["message"] and "PDF" in error["message"]
    await assert_nothing_stored(chat)


async def test_a_file_over_the_channels_limit_is_refused_with_413(active_chat):
    channel, _agent, chat, token = active_chat
    channel.attachment_max_mb = 1
    await database_sync_to_async(channel.save)()
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    response = await customer_upload(AsyncClient(), token, big, "big.pdf")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert "1 MB" in response.json()["error"]["message"]
    await assert_nothing_stored(chat)


async def test_a_body_declared_too_large_is_refused_before_it_is_read(active_chat):
    _channel, _agent, chat, token = active_chat
    # The request says 200 MB; the view answers from that number alone, without parsing the body.
    request = RequestFactory().post(
        "/chat/shop/api/files",
        data=b"not a multipart body at all",
        content_type="multipart/form-data; boundary=xyz",
        headers=customer_headers(token),
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    response = await widget_files.upload(request, slug="shop")
    assert response.status_code == 413
    assert json.loads(response.content)["error"]["code"] == "file_too_large"
    await assert_nothing_stored(chat)


async def test_an_empty_file_is_refused(active_chat):
    _channel, _agent, chat, token = active_chat
    response = await customer_upload(AsyncClient(), token, b"", "empty.pdf")
    assert response.status_code == 400 and response.json()["error"]["code"] == "file_empty"
    await assert_nothing_stored(chat)


async def test_a_kind_the_channel_does_not_allow_is_refused(active_chat):
    channel, _agent, chat, token = active_chat
    channel.attachment_kinds = "images"
    await database_sync_to_async(channel.save)()
    for content, name in ((PDF, "a.pdf"), (docx(), "a.docx"), (b"plain words\n", "a.txt")):
        response = await customer_upload(AsyncClient(), token, content, name)
        assert response.status_code == 415 and response.json()["error"]["code"] == "file_type_not_allowed"
    assert (await customer_upload(AsyncClient(), token, png(), "ok.png")).status_code == 201


async def test_files_switched_off_are_refused(active_chat):
    channel, _agent, chat, token = active_chat
    channel.attachments_enabled = False
    await database_sync_to_async(channel.save)()
    response = await customer_upload(AsyncClient(), token, PDF, "a.pdf")
    assert response.status_code == 403 and response.json()["error"]["code"] == "files_disabled"
    await assert_nothing_stored(chat)


async def test_an_upload_without_a_token_or_from_another_site_is_refused(active_chat):
    _channel, _agent, chat, token = active_chat
    no_token = await AsyncClient().post(
        "/chat/shop/api/files", {"file": SimpleUploadedFile("a.pdf", PDF)}, headers={"Origin": "http://testserver"}
    )
    assert no_token.status_code == 404 and no_token.json()["error"]["code"] == "unknown_token"
    foreign = await AsyncClient().post(
        "/chat/shop/api/files",
        {"file": SimpleUploadedFile("a.pdf", PDF)},
        headers={"X-Chat-Token": token, "Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "cross_site"
    await assert_nothing_stored(chat)


async def test_another_chats_file_is_not_found_with_this_chats_token(active_chat, make_chat):
    channel, _agent, _chat, token = active_chat
    _other, other_token = await database_sync_to_async(make_chat)(channel, name="Other")
    key = (await customer_upload(AsyncClient(), other_token, PDF, "theirs.pdf")).json()["message"]["params"]["key"]
    mine = await AsyncClient().get(f"/chat/shop/api/files/{key}", headers=customer_headers(token))
    assert mine.status_code == 404
    nobody = await AsyncClient().get(f"/chat/shop/api/files/{key}")
    assert nobody.status_code == 404 and nobody.json()["error"]["code"] == "unknown_token"
    theirs = await AsyncClient().get(f"/chat/shop/api/files/{key}", headers=customer_headers(other_token))
    assert theirs.status_code == 200


async def test_agents_of_another_channel_removed_or_deactivated_get_no_file(active_chat, make_channel, make_agent):
    channel, agent, chat, token = active_chat
    key = (await customer_upload(AsyncClient(), token, PDF, "mine.pdf")).json()["message"]["params"]["key"]
    outsider = await database_sync_to_async(make_agent)(await database_sync_to_async(make_channel)())
    assert (await (await agent_client(outsider)).get(f"/agent/files/{key}")).status_code == 404
    assert (await AsyncClient().get(f"/agent/files/{key}")).status_code == 404

    colleague = await database_sync_to_async(make_agent)(channel)
    colleague_http = await agent_client(colleague)
    assert (await colleague_http.get(f"/agent/files/{key}")).status_code == 200
    await database_sync_to_async(ChannelMembership.objects.filter(user=colleague).delete)()
    assert (await colleague_http.get(f"/agent/files/{key}")).status_code == 404

    agent_http = await agent_client(agent)
    assert (await agent_http.get(f"/agent/files/{key}")).status_code == 200
    agent.is_active = False
    await database_sync_to_async(agent.save)()
    assert (await agent_http.get(f"/agent/files/{key}")).status_code == 404


async def test_only_the_chats_own_agent_uploads_into_it(active_chat, make_channel, make_agent):
    channel, agent, chat, _token = active_chat
    colleague = await database_sync_to_async(make_agent)(channel)
    outsider = await database_sync_to_async(make_agent)(await database_sync_to_async(make_channel)())
    for user in (colleague, outsider):
        response = await (await agent_client(user)).post(
            f"/agent/chats/{chat.pk}/files", {"file": SimpleUploadedFile("a.pdf", PDF)}
        )
        assert response.status_code == 403 and response.json()["error"]["code"] == "not_your_chat"
    anonymous = await AsyncClient().post(f"/agent/chats/{chat.pk}/files", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert anonymous.status_code == 403
    agent_http = await agent_client(agent)
    agent.is_active = False
    await database_sync_to_async(agent.save)()
    deactivated = await agent_http.post(f"/agent/chats/{chat.pk}/files", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert deactivated.status_code == 403
    await assert_nothing_stored(chat)


async def test_the_agents_upload_needs_the_csrf_token(active_chat):
    _channel, agent, chat, _token = active_chat
    client = AsyncClient(enforce_csrf_checks=True)
    await client.aforce_login(agent)
    response = await client.post(f"/agent/chats/{chat.pk}/files", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 403
    await assert_nothing_stored(chat)


async def test_uploads_to_one_chat_are_throttled(active_chat, settings):
    settings.HELPDESK_FILE_UPLOAD_LIMIT = 2
    _channel, _agent, _chat, token = active_chat
    codes = [
        (await customer_upload(AsyncClient(), token, PDF, "a.pdf", client_id=f"c{n}")).status_code for n in range(3)
    ]
    assert codes == [201, 201, 429]


def test_a_transaction_that_fails_after_the_file_was_written_takes_the_file_with_it(active_chat, monkeypatch):
    from chat.conversations import attachments, log
    from chat.conversations.models import Party

    _channel, _agent, chat, _token = active_chat

    def broken_append(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(log, "append", broken_append)
    with pytest.raises(RuntimeError):
        attachments.post_file(chat, author=Party.CUSTOMER, content=PDF, name="a.pdf", client_id="x")
    assert Attachment.objects.count() == 0
    assert stored_files() == []


def test_the_same_upload_twice_at_once_stores_one_message_and_one_file(active_chat, monkeypatch):
    import threading

    from django.db import connection

    from chat.conversations import attachments
    from chat.conversations.models import Party

    _channel, _agent, chat, _token = active_chat
    # Both requests pass the first look for an earlier message before either stores its own.
    both_checked = threading.Barrier(2, timeout=10)
    real_check = attachments.check_file

    def check_then_wait(*args, **kwargs):
        checked = real_check(*args, **kwargs)
        both_checked.wait()
        return checked

    monkeypatch.setattr(attachments, "check_file", check_then_wait)
    results = []

    def send():
        try:
            results.append(
                attachments.post_file(chat, author=Party.CUSTOMER, content=PDF, name="a.pdf", client_id="same")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(created for _message, created in results) == [False, True]
    assert len({message.pk for message, _created in results}) == 1
    assert Attachment.objects.count() == 1
    assert stored_files() == [Attachment.objects.get().file.name]
