"""Canned replies: variants by language, placeholders, who may use and keep which, the use counted; the domain and the socket."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from chat.conversations import assignment, canned_replies
from chat.conversations.errors import NotYourChat
from chat.models import CannedReply, ChannelMembership
from helpdesk.asgi import application
from tests.support.sockets import SITE_HEADERS, agent_socket, receive_until
from tests.support.wsclient import session_cookie


def shared(channel, shortcut, body, *, language="", title=""):
    return CannedReply.objects.create(
        channel=channel, shortcut=shortcut, title=title or shortcut.title(), body=body, language=language
    )


def personal(agent, shortcut, body, *, language="", title=""):
    return CannedReply.objects.create(
        owner=agent, shortcut=shortcut, title=title or shortcut.title(), body=body, language=language
    )


def taken(make_chat, channel, agent, **fields):
    """A chat of ``channel`` that ``agent`` has taken."""
    chat, _token = make_chat(channel, **fields)
    assignment.accept_chat(chat, agent=agent)
    chat.refresh_from_db()
    return chat


def texts(agent, chat):
    _chat, entries = canned_replies.access_replies_for_chat(agent, chat.pk)
    return {entry.reply.shortcut: entry.text for entry in entries}


# The domain --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_customers_language_picks_the_variant_else_the_one_for_every_language(make_channel, make_agent, make_chat):
    channel = make_channel(language="de")
    agent = make_agent(channel)
    shared(channel, "greeting", "Hello!", language="en")
    shared(channel, "greeting", "Guten Tag!", language="de")
    shared(channel, "greeting", "Hi (any)")
    shared(channel, "bye", "Bye (any)")
    shared(channel, "hours", "Open 9-5", language="en")
    chat = taken(make_chat, channel, agent)

    assert texts(agent, chat) == {"greeting": "Guten Tag!", "bye": "Bye (any)"}, "the channel's language, German"
    chat.language = "en"
    chat.save(update_fields=["language"])
    assert texts(agent, chat) == {"greeting": "Hello!", "bye": "Bye (any)", "hours": "Open 9-5"}
    chat.language = "de-AT"
    chat.save(update_fields=["language"])
    assert texts(agent, chat)["greeting"] == "Guten Tag!", "a region reads as its language"


@pytest.mark.django_db
def test_placeholders_are_filled_and_other_braces_stay(make_channel, make_agent, make_chat):
    channel = make_channel(name="Shop")
    agent = make_agent(channel, first_name="Anna")
    shared(
        channel,
        "hi",
        "Hello {customer_first_name} ({customer_name}), {agent_name} of {channel} here. {unknown} {0} {agent_name!r} {{x}}",
    )
    chat = taken(make_chat, channel, agent, name="Erika {agent_name} Mustermann")

    assert texts(agent, chat)["hi"] == (
        "Hello Erika (Erika {agent_name} Mustermann), Anna of Shop here. {unknown} {0} {agent_name!r} {{x}}"
    ), "a placeholder in the customer's name is not filled in again"


@pytest.mark.django_db
def test_an_agent_sees_their_channels_shared_replies_and_their_own_only(make_channel, make_agent, make_chat):
    channel, other_channel = make_channel(), make_channel()
    agent, colleague = make_agent(channel), make_agent(channel, other_channel)
    shared(channel, "ours", "Our channel")
    shared(other_channel, "theirs", "Another channel")
    personal(agent, "mine", "My own")
    personal(colleague, "colleagues", "The colleague's own")
    chat = taken(make_chat, channel, agent)
    colleagues_chat = taken(make_chat, channel, colleague)
    foreign_chat = taken(make_chat, other_channel, colleague)
    queued_chat, _token = make_chat(channel)

    assert set(texts(agent, chat)) == {"ours", "mine"}
    assert set(texts(colleague, colleagues_chat)) == {"ours", "colleagues"}
    assert set(texts(colleague, foreign_chat)) == {"theirs", "colleagues"}
    for not_theirs in (colleagues_chat, foreign_chat, queued_chat):
        with pytest.raises(NotYourChat):
            canned_replies.access_replies_for_chat(agent, not_theirs.pk)
        with pytest.raises(NotYourChat):
            canned_replies.count_use(agent, chat_id=not_theirs.pk, reply_id=CannedReply.objects.first().pk)


@pytest.mark.django_db
def test_a_chats_replies_are_read_in_two_queries(make_channel, make_agent, make_chat, django_assert_num_queries):
    channel = make_channel()
    agent = make_agent(channel)
    for number in range(5):
        shared(channel, f"shared-{number}", "Hello {customer_name}")
        personal(agent, f"own-{number}", "Hi {agent_name}")
    chat = taken(make_chat, channel, agent)
    with django_assert_num_queries(2):
        assert len(texts(agent, chat)) == 10


@pytest.mark.django_db
def test_the_agents_own_reply_wins_over_the_channels_with_the_same_shortcut(make_channel, make_agent, make_chat):
    channel = make_channel(language="en")
    agent = make_agent(channel)
    shared(channel, "thanks", "Thanks from the team")
    personal(agent, "thanks", "Thanks from me")
    shared(channel, "bye", "Bye from the team", language="en")
    personal(agent, "bye", "Bye from me (any language)")
    chat = taken(make_chat, channel, agent)

    assert texts(agent, chat) == {"thanks": "Thanks from me", "bye": "Bye from the team"}, "the language comes first"


@pytest.mark.django_db
def test_a_use_is_counted_only_where_the_reply_may_be_used(make_channel, make_agent, make_chat):
    channel, other_channel = make_channel(), make_channel()
    agent = make_agent(channel)
    reply = shared(channel, "greeting", "Hello")
    foreign = shared(other_channel, "greeting", "Hello there")
    chat = taken(make_chat, channel, agent)

    canned_replies.count_use(agent, chat_id=chat.pk, reply_id=reply.pk)
    canned_replies.count_use(agent, chat_id=chat.pk, reply_id=reply.pk)
    with pytest.raises(canned_replies.ReplyNotFound):
        canned_replies.count_use(agent, chat_id=chat.pk, reply_id=foreign.pk)

    reply.refresh_from_db()
    foreign.refresh_from_db()
    assert (reply.usage_count, foreign.usage_count) == (2, 0)


@pytest.mark.django_db
def test_only_a_manager_of_the_channel_keeps_its_shared_replies(make_channel, make_agent):
    channel, other_channel = make_channel(), make_channel()
    agent = make_agent(channel)
    manager = make_agent(channel, manager=True)
    ChannelMembership.objects.create(channel=other_channel, user=manager, is_manager=False)
    fields = {"shortcut": "greeting", "title": "", "body": "Hello", "language": ""}

    with pytest.raises(canned_replies.NotAManager):
        canned_replies.check_save_reply(agent, channel_id=channel.pk, **fields)
    with pytest.raises(canned_replies.NotAManager):
        canned_replies.check_save_reply(manager, channel_id=other_channel.pk, **fields)
    reply = canned_replies.check_save_reply(manager, channel_id=channel.pk, **fields)
    assert (reply.channel, reply.owner, reply.title) == (channel, None, "greeting")

    with pytest.raises(canned_replies.ReplyNotFound):
        canned_replies.check_save_reply(agent, reply_id=reply.pk, **{**fields, "body": "Changed"})
    with pytest.raises(canned_replies.ReplyNotFound):
        canned_replies.check_delete_reply(agent, reply_id=reply.pk)
    reply.refresh_from_db()
    assert reply.body == "Hello"

    # Demoted: the manager's power over the channel's replies ends with it.
    ChannelMembership.objects.filter(channel=channel, user=manager).update(is_manager=False)
    with pytest.raises(canned_replies.ReplyNotFound):
        canned_replies.check_delete_reply(manager, reply_id=reply.pk)
    assert CannedReply.objects.filter(pk=reply.pk).exists()


@pytest.mark.django_db
def test_a_personal_reply_is_kept_only_by_its_owner(make_channel, make_agent):
    channel = make_channel()
    owner, manager = make_agent(channel), make_agent(channel, manager=True)
    reply = personal(owner, "mine", "Mine")

    with pytest.raises(canned_replies.ReplyNotFound):
        canned_replies.check_save_reply(manager, reply_id=reply.pk, shortcut="mine", title="", body="x", language="")
    changed = canned_replies.check_save_reply(
        owner, reply_id=reply.pk, shortcut="/Mine", title="  My   reply ", body="Changed", language="de"
    )
    assert (changed.shortcut, changed.title, changed.body, changed.language) == ("mine", "My reply", "Changed", "de")
    assert [r.pk for r in canned_replies.manageable_replies(manager)] == []
    canned_replies.check_delete_reply(owner, reply_id=reply.pk)
    assert not CannedReply.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"shortcut": ""}, canned_replies.InvalidShortcut),
        ({"shortcut": "two words"}, canned_replies.InvalidShortcut),
        ({"shortcut": "grüße"}, canned_replies.InvalidShortcut),
        ({"shortcut": "x" * 41}, canned_replies.InvalidShortcut),
        ({"title": "t" * 101}, canned_replies.TitleTooLong),
        ({"body": " \n "}, canned_replies.EmptyReply),
        ({"body": "b" * 4001}, canned_replies.ReplyTooLong),
        ({"language": "fr"}, canned_replies.UnknownLanguage),
    ],
)
def test_invalid_fields_are_refused_with_the_field_named(make_channel, make_agent, fields, error):
    agent = make_agent(make_channel())
    valid = {"shortcut": "greeting", "title": "Greeting", "body": "Hello", "language": ""}
    with pytest.raises(error) as raised:
        canned_replies.check_save_reply(agent, **{**valid, **fields})
    assert raised.value.field == next(iter(fields))
    assert not CannedReply.objects.exists()


@pytest.mark.django_db
def test_a_shortcut_is_unique_per_owner_and_language(make_channel, make_agent):
    channel = make_channel()
    agent, colleague = make_agent(channel), make_agent(channel)
    canned_replies.check_save_reply(agent, shortcut="hi", title="", body="Hi", language="")
    canned_replies.check_save_reply(agent, shortcut="hi", title="", body="Hallo", language="de")
    canned_replies.check_save_reply(colleague, shortcut="hi", title="", body="Hi", language="")
    with pytest.raises(canned_replies.DuplicateShortcut):
        canned_replies.check_save_reply(agent, shortcut="HI", title="", body="Again", language="")
    assert CannedReply.objects.count() == 3


# The socket --------------------------------------------------------------------

pytestmark_sockets = pytest.mark.django_db(transaction=True)


@pytestmark_sockets
async def test_the_socket_lists_filled_in_replies_and_refuses_a_foreign_chat(make_channel, make_agent, make_chat):
    channel, other_channel = (
        await database_sync_to_async(make_channel)(name="Shop"),
        await database_sync_to_async(make_channel)(),
    )
    agent = await database_sync_to_async(make_agent)(channel, first_name="Anna")
    reply = await database_sync_to_async(shared)(channel, "greeting", "Hello {customer_first_name}, {agent_name} here.")
    await database_sync_to_async(shared)(other_channel, "secret", "Not for you")
    chat = await database_sync_to_async(taken)(make_chat, channel, agent, name="Erika Mustermann")
    foreign, _token = await database_sync_to_async(make_chat)(other_channel)

    socket = await agent_socket(agent)
    await receive_until(socket, "state")
    await socket.send_json_to({"type": "canned_replies", "chat_id": chat.pk})
    answer = (await receive_until(socket, "canned_replies"))[-1]
    assert answer == {
        "type": "canned_replies",
        "chat_id": chat.pk,
        "replies": [
            {
                "id": reply.pk,
                "shortcut": "greeting",
                "title": "Greeting",
                "text": "Hello Erika, Anna here.",
                "personal": False,
                "language": "",
            }
        ],
    }

    await socket.send_json_to({"type": "canned_replies", "chat_id": foreign.pk})
    error = (await receive_until(socket, "error"))[-1]
    assert (error["code"], error["chat_id"]) == ("not_your_chat", foreign.pk)
    for bad in ({"chat_id": "1"}, {"chat_id": True}, {}, {"chat_id": -1}):
        await socket.send_json_to({"type": "canned_replies", **bad})
        assert (await receive_until(socket, "error"))[-1]["code"] == "invalid_frame"

    await socket.send_json_to({"type": "canned_used", "chat_id": chat.pk, "reply_id": reply.pk})
    await socket.send_json_to({"type": "canned_used", "chat_id": chat.pk, "reply_id": reply.pk + 1})
    assert (await receive_until(socket, "error"))[-1]["code"] == "canned_not_found"
    await database_sync_to_async(reply.refresh_from_db)()
    assert reply.usage_count == 1
    await socket.disconnect()


@pytestmark_sockets
async def test_a_non_manager_cannot_create_a_shared_reply_over_the_socket(make_channel, make_agent):
    channel = await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(channel)
    socket = await agent_socket(agent)
    await receive_until(socket, "state")

    await socket.send_json_to(
        {"type": "canned_save", "channel_id": channel.pk, "shortcut": "hi", "title": "Hi", "body": "Hi", "language": ""}
    )
    refused = (await receive_until(socket, "canned_invalid"))[-1]
    assert refused["code"] == "canned_not_manager" and refused["field"] == "channel" and refused["message"]

    await socket.send_json_to({"type": "canned_save", "shortcut": "hi", "title": "", "body": "Hi", "language": ""})
    saved = (await receive_until(socket, "canned_manage"))[-1]
    assert [(r["shortcut"], r["personal"], r["channel_id"]) for r in saved["replies"]] == [("hi", True, None)]
    assert saved["channels"] == [] and saved["saved_id"] == saved["replies"][0]["id"]
    assert await database_sync_to_async(CannedReply.objects.filter(channel__isnull=False).count)() == 0

    for bad in (
        {"shortcut": 5, "body": "x"},
        {"shortcut": "x", "body": ["x"]},
        {"shortcut": "x", "body": "x", "id": "1"},
        {"shortcut": "x", "body": "x", "channel_id": 1.5},
        {"shortcut": "x", "body": "x", "language": None},
    ):
        await socket.send_json_to({"type": "canned_save", **bad})
        assert (await receive_until(socket, "error"))[-1]["code"] == "invalid_frame"
    await socket.disconnect()


@pytestmark_sockets
async def test_a_manager_keeps_the_channels_replies_and_errors_come_in_the_agents_language(make_channel, make_agent):
    channel = await database_sync_to_async(make_channel)(name="Laden")
    manager = await database_sync_to_async(make_agent)(channel, manager=True)
    cookie = await database_sync_to_async(session_cookie)(manager)
    socket = WebsocketCommunicator(
        application,
        "/ws/agent/",
        headers=[*SITE_HEADERS, (b"cookie", cookie.encode()), (b"accept-language", b"de")],
    )
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "hello", "chats": {}})
    await receive_until(socket, "state")

    save = {"type": "canned_save", "channel_id": channel.pk, "shortcut": "gruss", "title": "Gruß", "language": "de"}
    await socket.send_json_to({**save, "body": "Guten Tag, {customer_first_name}!"})
    saved = (await receive_until(socket, "canned_manage"))[-1]
    assert saved["channels"] == [{"id": channel.pk, "name": "Laden"}]
    assert [(r["shortcut"], r["channel_name"], r["personal"]) for r in saved["replies"]] == [("gruss", "Laden", False)]

    await socket.send_json_to({**save, "body": "Noch einmal"})
    duplicate = (await receive_until(socket, "canned_invalid"))[-1]
    assert duplicate["code"] == "canned_duplicate" and duplicate["field"] == "shortcut"
    assert duplicate["message"] == "Es gibt schon einen Textbaustein mit diesem Kürzel und dieser Sprache."
    await socket.send_json_to({**save, "shortcut": "leer", "body": "  "})
    empty = (await receive_until(socket, "canned_invalid"))[-1]
    assert empty["code"] == "canned_empty" and empty["message"] == "Der Text des Textbausteins ist leer."

    await socket.send_json_to({"type": "canned_delete", "id": saved["replies"][0]["id"]})
    deleted = (await receive_until(socket, "canned_manage"))[-1]
    assert deleted["replies"] == [] and deleted["deleted_id"] == saved["replies"][0]["id"]
    await socket.send_json_to({"type": "canned_delete", "id": saved["replies"][0]["id"]})
    assert (await receive_until(socket, "canned_invalid"))[-1]["code"] == "canned_not_found"
    await socket.disconnect()


@pytestmark_sockets
async def test_an_agent_removed_from_the_channel_no_longer_gets_its_replies(make_channel, make_agent, make_chat):
    channel, other_channel = await database_sync_to_async(make_channel)(), await database_sync_to_async(make_channel)()
    agent = await database_sync_to_async(make_agent)(channel, other_channel)
    await database_sync_to_async(shared)(channel, "greeting", "Hello")
    chat = await database_sync_to_async(taken)(make_chat, channel, agent)
    socket = await agent_socket(agent)
    await receive_until(socket, "state")

    await database_sync_to_async(ChannelMembership.objects.filter(channel=channel, user=agent).delete)()
    await socket.send_json_to({"type": "canned_replies", "chat_id": chat.pk})
    frames = await receive_until(socket, "error")
    assert frames[-1]["code"] == "not_your_chat"
    assert not [f for f in frames if f["type"] == "canned_replies"]
    await socket.disconnect()


# The admin ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_lists_searches_and_filters_replies(admin_client, make_channel, make_agent):
    channel = make_channel(name="Shop")
    agent = make_agent(channel, username="anna")
    shared(channel, "greeting", "Hello there", title="Greeting")
    personal(agent, "mine", "My own words", title="Mine")

    listed = admin_client.get("/admin/chat/cannedreply/", {"q": "words"})
    assert listed.status_code == 200
    assert b"/mine" in listed.content and b"/greeting" not in listed.content
    shared_only = admin_client.get("/admin/chat/cannedreply/", {"kind": "shared"})
    assert b"/greeting" in shared_only.content and b"/mine" not in shared_only.content
    by_language = admin_client.get("/admin/chat/cannedreply/", {"language__exact": "de"})
    assert by_language.status_code == 200 and b"/greeting" not in by_language.content
    on_channel = admin_client.get(f"/admin/chat/channel/{channel.pk}/change/")
    assert on_channel.status_code == 200 and b"Hello there" in on_channel.content


@pytest.mark.django_db
def test_the_admin_wants_a_channel_or_an_agent_and_counts_no_uses_itself(admin_client, make_channel, make_agent):
    channel = make_channel()
    agent = make_agent(channel)
    fields = {"shortcut": "hi", "title": "Hi", "body": "Hello", "language": "", "usage_count": "99"}

    both = admin_client.post("/admin/chat/cannedreply/add/", {**fields, "channel": channel.pk, "owner": agent.pk})
    assert both.status_code == 200 and "not both and not neither" in both.content.decode()
    neither = admin_client.post("/admin/chat/cannedreply/add/", fields, HTTP_ACCEPT_LANGUAGE="de")
    assert "nicht beides und nicht keines" in neither.content.decode()
    assert not CannedReply.objects.exists()

    created = admin_client.post("/admin/chat/cannedreply/add/", {**fields, "channel": channel.pk})
    assert created.status_code == 302
    assert CannedReply.objects.get().usage_count == 0, "the count is read-only"
