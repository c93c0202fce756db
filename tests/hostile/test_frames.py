"""
Generated hostile frames at both sockets (Hypothesis). Whatever a client
sends: no exception inside the server (never a 4500 close, which is what an
unexpected failure ends in), no close code outside the documented ones, the
socket answers a ping afterwards or was closed with a documented code, and no
other chat changed.
"""

import json

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat.conversations import assignment, presence, services
from chat.conversations.models import Chat, Message, PresenceStatus
from chat.dashboard import consumer as agent_consumer
from chat.widget import consumer as customer_consumer
from tests.support.sockets import agent_socket, customer_socket
from tests.support.wsclient import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Closes a hostile client may earn (docs/protocol.md); 4500 is not among them:
# it means the server failed in a way it did not foresee.
EXPECTED_CLOSES = {
    customer_consumer.CLOSE_UNKNOWN_TOKEN,
    customer_consumer.CLOSE_NO_HELLO,
    customer_consumer.CLOSE_TOO_MANY_SOCKETS,
    agent_consumer.CLOSE_NOT_LOGGED_IN,
    agent_consumer.CLOSE_NOT_AN_AGENT,
}

TOKEN = "$TOKEN"  # replaced by the example's own chat token
OTHER_CHAT = "$OTHER"  # replaced by the id of a chat the sender must not touch

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from([TOKEN, OTHER_CHAT, "\ud800", "\x00", "a\udfffb", "", " " * 10, "😀" * 30]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from([TOKEN, OTHER_CHAT]), inner, max_size=4)
    ),
    max_leaves=12,
)

FIELDS = ("token", "last_seq", "client_id", "body", "chat_id", "chats", "status", "active", "seq")


def frame_objects(types):
    return st.fixed_dictionaries(
        {"type": st.sampled_from(types) | st.text(max_size=12)},
        optional={name: json_values for name in FIELDS},
    )


RAW_FRAMES = st.sampled_from(
    [
        "[" * 5000 + "]" * 5000,
        '{"a":' * 3000 + "1" + "}" * 3000,
        '{"type": "send", "client_id": "h", "body": "\\ud800"}',
        '{"type": "send", "client_id": "\\u0000", "body": "hi"}',
        '{"type": "hello", "token": "x", "last_seq": 1e400}',
        '{"type": "hello", "token": "$TOKEN", "last_seq": ' + "9" * 400 + "}",
        '{"type": "take", "chat_id": NaN}',
        '{"type": "send", "body": "' + "x" * 40_000 + '", "client_id": "big"}',
        '{"type": "hello", "chats": {"' + '": 0, "'.join(str(n) for n in range(1, 400)) + '": 0}}',
        '{"type": "read", "chat_id": $OTHER, "seq": 99}',
        '{"type": "end", "chat_id": $OTHER}',
        '{"type": "send", "chat_id": $OTHER, "client_id": "x", "body": "mine now"}',
        '{"type": "typing", "chat_id": $OTHER, "active": true}',
        "{",
        "",
        "null",
        '"hello"',
    ]
)


def frames_for(types):
    text = frame_objects(types).map(lambda frame: json.dumps(frame)) | RAW_FRAMES | st.text(max_size=60)
    return st.lists(text | st.binary(max_size=60), min_size=1, max_size=6)


def _received(frame, token, other_chat_id):
    """The ASGI message for one frame (empty frames too, which the test communicator's helpers refuse)."""
    if isinstance(frame, bytes):
        return {"type": "websocket.receive", "bytes": frame}
    text = frame.replace(json.dumps(TOKEN), json.dumps(token)).replace(TOKEN, token)
    text = text.replace(json.dumps(OTHER_CHAT), str(other_chat_id)).replace(OTHER_CHAT, str(other_chat_id))
    return {"type": "websocket.receive", "text": text}


def _snapshot(chat_id):
    chat = Chat.objects.get(pk=chat_id)
    messages = list(Message.objects.filter(chat_id=chat_id).order_by("seq").values_list("seq", "body", "client_id"))
    return (chat.status, chat.agent_id, chat.last_seq, chat.agent_read_seq, chat.customer_name, chat.ended_at, messages)


async def _answers_ping_or_closes_as_documented(socket):
    """After the frames: a pong, or a documented close; the frames before either are ignored."""
    await socket.send_to(text_data='{"type": "ping"}')
    while True:
        output = await socket.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            assert output.get("code") in EXPECTED_CLOSES, output
            return
        if output["type"] == "websocket.send" and json.loads(output["text"])["type"] == "pong":
            return


@pytest.fixture
def world(make_channel, make_agent, make_chat):
    """A channel with a chat in progress with another agent, and a second channel the fuzzing agent is not in."""
    shop, elsewhere = make_channel(slug="shop"), make_channel(slug="elsewhere")
    colleague = make_agent(shop, first_name="Colleague")
    active, _ = make_chat(shop, name="Talking")
    assignment.accept_chat(active, agent=colleague)
    services.post_message(active, author="agent", body="How can I help?", agent=colleague)
    foreign, _ = make_chat(elsewhere, name="Foreign")
    fuzzer = make_agent(shop, first_name="Fuzzer")
    presence.set_presence(fuzzer, status=PresenceStatus.PRESENT)
    return {"shop": shop, "protected": [active.pk, foreign.pk], "fuzzer": fuzzer, "cookie": session_cookie(fuzzer)}


@given(frames=frames_for(customer_consumer.CustomerConsumer.frame_types))
@EXAMPLES
async def test_hostile_frames_at_the_customer_socket_fail_alone(world, make_chat, frames):
    own_chat, token = await database_sync_to_async(make_chat)(world["shop"])
    before = [await database_sync_to_async(_snapshot)(pk) for pk in world["protected"]]
    socket = await customer_socket()
    for frame in frames:
        await socket.send_input(_received(frame, token, world["protected"][0]))
    await _answers_ping_or_closes_as_documented(socket)
    await socket.disconnect()
    assert [await database_sync_to_async(_snapshot)(pk) for pk in world["protected"]] == before


@given(frames=frames_for(agent_consumer.AgentConsumer.frame_types))
@EXAMPLES
async def test_hostile_frames_at_the_agent_socket_fail_alone(world, frames):
    before = [await database_sync_to_async(_snapshot)(pk) for pk in world["protected"]]
    socket = await agent_socket(world["fuzzer"], cookie=world["cookie"], hello=False)
    for frame in frames:
        await socket.send_input(_received(frame, "not-a-token", world["protected"][0]))
    await _answers_ping_or_closes_as_documented(socket)
    await socket.disconnect()
    assert [await database_sync_to_async(_snapshot)(pk) for pk in world["protected"]] == before
