"""
The channel-layer behaviour that channels-redis checks for its own layers,
checked here against infra.realtime.layer.RedisPubSubLayer, and the four
things this layer does that channels_redis.pubsub.RedisPubSubChannelLayer
does not (docs/architecture.md, "The channel layer: why the project's own").

Written after reading channels-redis 4.3.0's tests/test_pubsub.py (P) and
tests/test_core.py (C); no code is taken from them. What mirrors what:

- P test_send_receive, C test_send_receive, C test_process_local_send_receive
  -> test_a_message_sent_to_a_new_channel_is_received_there
- P/C test_multi_send_receive -> test_messages_to_one_channel_arrive_in_the_order_sent
- P test_send_receive_sync, P test_multi_send_receive_sync, C test_double_receive
  -> test_a_send_from_another_event_loop_reaches_the_channel
- P/C test_groups_basic -> tests/chat/test_layer.py (a group message reaches
  every member in every process; group_discard stops delivery), not repeated
- P/C test_groups_same_prefix -> test_channels_made_with_one_prefix_are_separate_members
- P test_discard_before_add -> test_leaving_a_group_never_joined_is_harmless
- (group membership is a set in both libraries) -> test_joining_a_group_twice_delivers_once
- P test_receive_on_non_owned_general_channel -> test_a_general_channel_is_received_from_another_process
- C test_reject_bad_channel (and the group name checks both libraries make)
  -> test_invalid_names_are_refused_with_type_error
- C test_reject_bad_client_prefix -> test_receiving_on_another_process_s_channel_is_refused
- P/C test_random_reset__channel_name, C test_random_reset__client_prefix
  -> test_channel_names_are_never_reused
- P test_receive_hang -> test_receive_waits_while_nothing_is_sent
- P test_layer_close, P test_multi_event_loop_garbage_collection
  -> test_a_layer_used_through_async_to_sync_closes_what_it_opened
- C test_repeated_group_send_with_async_to_sync -> test_group_send_through_async_to_sync_again_and_again
- P test_proxied_methods_coroutine_check -> test_the_layer_methods_are_coroutines
- P test_serialize / test_deserialize -> test_a_message_arrives_as_msgpack_carries_it
  and test_every_receiver_gets_its_own_copy (both libraries serialise every
  message, Channels' in-memory layer deep-copies it)
- C/P custom prefix (C test_custom_group_key_format) -> test_layers_with_different_prefixes_do_not_hear_each_other
- the flush extension (P flush(), C flush(), used by every fixture there)
  -> test_flush_makes_the_layer_like_new, test_flush_leaves_other_processes_alone
- P test_auto_reconnect -> test_a_cut_subscriber_connection_is_announced_and_memberships_come_back,
  test_a_join_during_a_redis_outage_returns_once_redis_confirms_it

Where this layer deliberately differs, the own behaviour is tested instead:

- Capacity. C raises ChannelFull from send() to a full channel and drops
  group messages to it silently (test_send_capacity, test_group_send_capacity,
  test_group_send_capacity_multiple_channels, test_groups_channel_full);
  C's receive buffer drops its oldest message (test_receive_buffer_respects_capacity);
  P has no bound. Here a publisher cannot know another process's queue, so
  nothing raises: the full queue is emptied and its socket gets a
  "layer.gap", after which it resumes from the database ->
  test_a_send_to_a_full_channel_does_not_raise_the_channel_is_told,
  test_only_the_full_channel_is_told_the_others_get_everything
  (one socket: tests/chat/test_layer.py, a socket too slow to keep up).
  C test_send_specific_capacity (channel_capacity) has no counterpart: one
  capacity for every socket.
- Expiry. C drops a message not received within `expiry` seconds
  (test_message_expiry__*); P and this layer keep nothing in Redis and do not
  expire what is queued in the process: the queue's bound, not a clock,
  limits memory, and an old doorbell is harmless -> test_queued_messages_do_not_expire
- General channels. C stores a message for a general channel until someone
  receives it; pub/sub keeps nothing -> test_a_message_to_a_general_channel_nobody_listens_on_is_not_kept
- Flush. C's flush deletes every key of the prefix in Redis, for all
  processes; here (as in P) it resets this process's layer only.
- Not applicable: several Redis hosts and sentinels (C/P test_groups_multiple_hosts*,
  test_sentinel*, test_pubsub_sentinel*), encryption and other serialisers
  (test_serializers): this layer has one Redis URL and msgpack.
- A cancelled receive() ends the channel and its memberships (as in P, where
  Channels cancels it when a consumer ends; C xfails test_receive_cancel):
  tests/chat/test_layer.py, a consumer that ends leaves its groups.

The four things P does not do, beyond tests/chat/test_layer.py (which covers:
a message published anywhere arrives once group_add has returned; a Redis
restart gaps every socket; one slow socket is told; many threads publishing
at once):

1. A join that waits for Redis's confirmation:
   test_a_join_right_after_an_abandoned_one_waits_for_its_own_confirmation,
   test_a_join_redis_cannot_confirm_fails_and_leaves_no_membership,
   test_leaving_during_a_pending_join_does_not_take_the_group_from_others,
   test_a_join_during_a_redis_outage_returns_once_redis_confirms_it
2. A gap for every socket after a lost connection:
   test_a_cut_subscriber_connection_is_announced_and_memberships_come_back,
   test_a_silent_connection_is_declared_dead_and_announced
3. Bounded queues per socket: the two capacity tests above.
4. Pipelined publishing from threads:
   test_send_many_keeps_the_order_across_groups,
   test_send_many_is_one_round_trip_to_redis,
   test_a_bad_group_name_in_send_many_publishes_nothing,
   test_send_many_from_a_database_thread_after_the_commit

The conformance tests use the shared Redis of REDIS_URL. Pub/sub channels
are global to a Redis server (the database number does not separate them),
so each test takes a prefix of its own under REDIS_LAYER_PREFIX. The tests
that cut or stop Redis run a redis-server of their own (tests/redisserver.py).
"""
import asyncio
import gc
import inspect
import logging
import os
import random
import signal
import threading
import time
import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection, transaction
from redis import asyncio as aioredis

from infra.realtime import broadcast, redis_subscriber
from infra.realtime.layer import GAP_EVENT_TYPE, RedisPubSubLayer
from tests.support.redisserver import RedisProcess
from tests.support.servers import free_port

pytestmark = pytest.mark.production

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = os.environ.get("REDIS_LAYER_PREFIX", "helpdesk")


@pytest.fixture
def prefix():
    return f"{PREFIX}-conformance-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def make_layer(prefix):
    """Layer objects on the shared Redis; each stands for one Daphne process."""

    def make(**config):
        config.setdefault("prefix", prefix)
        return RedisPubSubLayer(url=REDIS_URL, **config)

    return make


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, which it may cut, stop and restart."""
    server = RedisProcess(free_port()).start()
    yield server
    if server.process and server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGCONT)
    server.kill()


def own_layer(server, **config):
    return RedisPubSubLayer(url=server.url, prefix="own", **config)


async def receive(layer, channel, timeout=3):
    return await asyncio.wait_for(layer.receive(channel), timeout)


async def nothing_arrives(layer, channel, seconds=0.3):
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), seconds)


async def subscribers(url, key):
    """How many connections Redis has subscribed to ``key`` (what Redis itself sees)."""
    client = aioredis.Redis.from_url(url)
    try:
        return dict(await client.pubsub_numsub(key))[key.encode()]
    finally:
        await client.aclose()


async def until(condition, timeout=5):
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


# Sending and receiving -----------------------------------------------------------


async def test_a_message_sent_to_a_new_channel_is_received_there(make_layer):
    layer, other = make_layer(), make_layer()
    channel = await layer.new_channel()

    await layer.send(channel, {"type": "test.message", "text": "Ahoy-hoy!"})  # the same process
    await other.send(channel, {"type": "test.message", "text": "from afar"})  # another one

    assert await receive(layer, channel) == {"type": "test.message", "text": "Ahoy-hoy!"}
    assert await receive(layer, channel) == {"type": "test.message", "text": "from afar"}


async def test_messages_to_one_channel_arrive_in_the_order_sent(make_layer):
    layer, other = make_layer(), make_layer()
    near, far = await layer.new_channel(), await other.new_channel()
    for number in range(10):
        await layer.send(near, {"type": "x", "n": number})
        await layer.send(far, {"type": "x", "n": number})

    assert [(await receive(layer, near))["n"] for _ in range(10)] == list(range(10))
    assert [(await receive(other, far))["n"] for _ in range(10)] == list(range(10))


def test_a_send_from_another_event_loop_reaches_the_channel(make_layer):
    """Each event loop is a process of its own: the message goes through Redis."""
    layer = make_layer()
    loop = asyncio.new_event_loop()
    try:
        channel = loop.run_until_complete(layer.new_channel())
        for number in range(3):
            async_to_sync(layer.send)(channel, {"type": "x", "n": number})
        received = [loop.run_until_complete(receive(layer, channel))["n"] for _ in range(3)]
    finally:
        loop.close()
    assert received == [0, 1, 2]
    assert layer._loop_layers == {}


async def test_receive_waits_while_nothing_is_sent(make_layer):
    layer = make_layer()
    channel = await layer.new_channel()
    await nothing_arrives(layer, channel, seconds=0.5)


async def test_a_general_channel_is_received_from_another_process(make_layer, prefix):
    listener, sender = make_layer(), make_layer()
    waiting = asyncio.ensure_future(listener.receive("test-channel"))

    async def subscribed():
        return await subscribers(REDIS_URL, f"{prefix}:channel:test-channel") == 1

    await until(subscribed)
    await sender.send("test-channel", {"type": "general"})
    assert await asyncio.wait_for(waiting, 3) == {"type": "general"}


async def test_a_message_to_a_general_channel_nobody_listens_on_is_not_kept(make_layer):
    """channels_redis.core would keep it for `expiry` seconds; pub/sub keeps nothing."""
    listener, sender = make_layer(), make_layer()
    await sender.send("early-channel", {"type": "too.early"})
    waiting = asyncio.ensure_future(listener.receive("early-channel"))
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(waiting), 0.5)
    waiting.cancel()


async def test_invalid_names_are_refused_with_type_error(make_layer):
    layer = make_layer()
    channel = await layer.new_channel()
    for call in (
        lambda: layer.send("=+135!", {"type": "x"}),
        lambda: layer.receive("=+135!"),
        lambda: layer.group_add("no spaces", channel),
        lambda: layer.group_add("group", "=+135!"),
        lambda: layer.group_discard("no spaces", channel),
        lambda: layer.group_send("no spaces", {"type": "x"}),
        lambda: layer.group_send("x" * 200, {"type": "x"}),
    ):
        with pytest.raises(TypeError):
            await call()
    with pytest.raises(TypeError):
        layer.group_send_many_blocking([("no spaces", {"type": "x"})])


async def test_receiving_on_another_process_s_channel_is_refused(make_layer):
    """Its messages go to the other process; here they would never come."""
    layer, other = make_layer(), make_layer()
    theirs = await other.new_channel()
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(layer.receive(theirs), 1)


async def test_channel_names_are_never_reused(make_layer):
    one, two = make_layer(), make_layer()
    random.seed(1)
    first = await one.new_channel()
    random.seed(1)
    second = await one.new_channel()
    random.seed(1)
    elsewhere = await two.new_channel()
    assert len({first, second, elsewhere}) == 3
    # The process part (before "!") tells the processes apart.
    assert first.split("!")[0] == second.split("!")[0] != elsewhere.split("!")[0]


async def test_every_receiver_gets_its_own_copy(make_layer):
    """What the sender or another receiver does to a message afterwards changes nobody's."""
    layer = make_layer()
    alone, first, second = await layer.new_channel(), await layer.new_channel(), await layer.new_channel()
    message = {"type": "x", "items": [1, 2]}
    await layer.send(alone, message)
    message["items"].append(3)
    assert await receive(layer, alone) == {"type": "x", "items": [1, 2]}

    await layer.group_add("copies", first)
    await layer.group_add("copies", second)
    await layer.group_send("copies", {"type": "x", "items": [1]})
    (await receive(layer, first))["items"].append("changed")
    assert await receive(layer, second) == {"type": "x", "items": [1]}


async def test_a_message_arrives_as_msgpack_carries_it(make_layer):
    layer, other = make_layer(), make_layer()
    channel = await layer.new_channel()
    await layer.group_add("kinds", channel)
    message = {"type": "x", "a": True, "b": None, "c": {"d": []}, "text": "Grüße ✓", "raw": b"\x00\xff", "n": -3, "f": 0.5}
    await other.group_send("kinds", message)
    assert await receive(layer, channel) == message
    # Locally too: what would not survive Redis does not pass in the process either.
    with pytest.raises(TypeError):
        await layer.send(channel, {"type": "x", "when": object()})


async def test_layers_with_different_prefixes_do_not_hear_each_other(make_layer):
    """Two sites on one Redis (README, REDIS_LAYER_PREFIX)."""
    site_a, site_b = make_layer(), make_layer(prefix=f"{PREFIX}-other-{uuid.uuid4().hex[:10]}")
    on_a, on_b = await site_a.new_channel(), await site_b.new_channel()
    await site_a.group_add("chat.1", on_a)
    await site_b.group_add("chat.1", on_b)
    await site_a.group_send("chat.1", {"type": "for.a"})
    assert await receive(site_a, on_a) == {"type": "for.a"}
    await nothing_arrives(site_b, on_b)


async def test_the_layer_methods_are_coroutines(make_layer):
    layer = make_layer()
    for name in ("new_channel", "send", "receive", "group_add", "group_discard", "group_send", "flush"):
        assert inspect.iscoroutinefunction(getattr(layer, name)), name
    assert set(layer.extensions) >= {"groups", "flush"}


# Groups ---------------------------------------------------------------------------


async def test_channels_made_with_one_prefix_are_separate_members(make_layer):
    layer = make_layer()
    channels = [await layer.new_channel(prefix="test-gr-chan") for _ in range(3)]
    for channel in channels:
        await layer.group_add("test-group", channel)
    await layer.group_send("test-group", {"type": "message.1"})
    for channel in channels:
        assert await receive(layer, channel) == {"type": "message.1"}
        await nothing_arrives(layer, channel, seconds=0.1)


async def test_leaving_a_group_never_joined_is_harmless(make_layer):
    layer = make_layer()
    channel, member = await layer.new_channel(), await layer.new_channel()
    await layer.group_discard("never-joined", channel)
    await layer.group_add("joined", member)
    await layer.group_discard("joined", channel)  # another's group
    await layer.group_discard("joined", member)
    await layer.group_discard("joined", member)  # twice
    await layer.group_add("joined", channel)
    await layer.group_send("joined", {"type": "still.works"})
    assert await receive(layer, channel) == {"type": "still.works"}
    await nothing_arrives(layer, member)


async def test_joining_a_group_twice_delivers_once(make_layer, prefix):
    layer, sender = make_layer(), make_layer()
    channel = await layer.new_channel()
    await layer.group_add("twice", channel)
    await layer.group_add("twice", channel)
    await sender.group_send("twice", {"type": "once"})
    assert await receive(layer, channel) == {"type": "once"}
    await nothing_arrives(layer, channel)
    # One leave is enough, and the process then stops listening to the group.
    await layer.group_discard("twice", channel)

    async def unsubscribed():
        return await subscribers(REDIS_URL, f"{prefix}:group:twice") == 0

    await until(unsubscribed)


def test_group_send_through_async_to_sync_again_and_again(make_layer):
    layer = make_layer()
    for number in range(5):
        async_to_sync(layer.group_send)(f"group-{number}", {"type": "x"})
    assert layer._loop_layers == {}


# Flush and closing ------------------------------------------------------------------


async def test_flush_makes_the_layer_like_new(make_layer, prefix):
    layer, sender = make_layer(), make_layer()
    before = await layer.new_channel()
    await layer.group_add("flushed", before)
    await layer.flush()

    async def forgotten():
        return await subscribers(REDIS_URL, f"{prefix}:group:flushed") == 0

    await until(forgotten)  # the process no longer listens to its old groups
    after = await layer.new_channel()
    await layer.group_add("flushed", after)
    await sender.group_send("flushed", {"type": "after.flush"})
    assert await receive(layer, after) == {"type": "after.flush"}


async def test_flush_leaves_other_processes_alone(make_layer):
    """channels_redis.core's flush deletes the prefix's keys for every process; here it is this process's reset."""
    flushing, other = make_layer(), make_layer()
    theirs = await other.new_channel()
    await other.group_add("shared", theirs)
    await flushing.flush()
    await flushing.group_send("shared", {"type": "still.there"})
    assert await receive(other, theirs) == {"type": "still.there"}


def test_a_layer_used_through_async_to_sync_closes_what_it_opened(make_layer, prefix, caplog):
    layer = make_layer()

    async def use():
        channel = await layer.new_channel()
        await layer.group_add("closing", channel)
        await layer.send(channel, {"type": "x"})
        assert await receive(layer, channel) == {"type": "x"}
        return layer.process_key(layer._loop_layer().process_id)

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        process_key = async_to_sync(use)()
        gc.collect()
    assert layer._loop_layers == {}
    assert not [record for record in caplog.records if "pending" in record.getMessage()]

    async def closed():
        return await subscribers(REDIS_URL, process_key) == 0 and await subscribers(REDIS_URL, f"{prefix}:group:closing") == 0

    async_to_sync(until)(closed)


# Capacity and expiry: deliberate differences -----------------------------------------------


async def test_a_send_to_a_full_channel_does_not_raise_the_channel_is_told(make_layer):
    layer, other = make_layer(capacity=3), make_layer()
    channel = await layer.new_channel()
    for number in range(3):
        await layer.send(channel, {"type": "x", "n": number})
    await layer.send(channel, {"type": "x", "n": 3})  # no ChannelFull
    await other.send(channel, {"type": "x", "n": 4})  # nor from another process

    assert (await receive(layer, channel))["type"] == GAP_EVENT_TYPE
    assert await receive(layer, channel) == {"type": "x", "n": 4}
    await nothing_arrives(layer, channel)


async def test_only_the_full_channel_is_told_the_others_get_everything(make_layer):
    layer, sender = make_layer(capacity=3), make_layer()
    reading, stuck = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("test-group", reading)
    await layer.group_add("test-group", stuck)
    await layer.send(stuck, {"type": "message.0"})  # one ahead of the other

    received = []
    for number in range(1, 4):
        await sender.group_send("test-group", {"type": f"message.{number}"})
        received.append((await receive(layer, reading))["type"])  # reads as they come

    assert received == ["message.1", "message.2", "message.3"]
    assert (await receive(layer, stuck))["type"] == GAP_EVENT_TYPE
    await nothing_arrives(layer, stuck)


async def test_queued_messages_do_not_expire(make_layer):
    layer = make_layer(expiry=1)  # accepted (BaseChannelLayer) and not used
    channel = await layer.new_channel()
    await layer.group_add("slow-reader", channel)
    await layer.group_send("slow-reader", {"type": "first"})
    await asyncio.sleep(1.5)
    await layer.group_send("slow-reader", {"type": "second"})
    assert await receive(layer, channel) == {"type": "first"}
    assert await receive(layer, channel) == {"type": "second"}


# 1. A join that waits for Redis's confirmation --------------------------------------------


async def test_a_join_right_after_an_abandoned_one_waits_for_its_own_confirmation(own_redis):
    """
    One join is cancelled before Redis answered (its consumer ended), another
    socket joins the same group at once: SUBSCRIBE, UNSUBSCRIBE, SUBSCRIBE go
    out, and the second join may return only on the second confirmation.
    """
    listener, sender = own_layer(own_redis), own_layer(own_redis)
    for number in range(20):
        abandoned, joining = await listener.new_channel(), await listener.new_channel()
        group = f"chat.{number}"
        pending = asyncio.ensure_future(listener.group_add(group, abandoned))
        await asyncio.sleep(0)  # its SUBSCRIBE is sent
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        await listener.group_add(group, joining)
        await sender.group_send(group, {"type": "x", "n": number})
        assert await receive(listener, joining) == {"type": "x", "n": number}
        await nothing_arrives(listener, abandoned, seconds=0.01)


async def test_a_join_redis_cannot_confirm_fails_and_leaves_no_membership(own_redis, monkeypatch):
    monkeypatch.setattr(redis_subscriber, "SUBSCRIBE_TIMEOUT_SECONDS", 0.5)
    layer, sender = own_layer(own_redis), own_layer(own_redis)
    channel = await layer.new_channel()
    own_redis.kill()

    with pytest.raises(ConnectionError):
        await layer.group_add("chat.1", channel)  # the consumer fails; its client retries
    assert "chat.1" not in layer._loop_layer().groups

    own_redis.start()
    assert (await receive(layer, channel, timeout=10))["type"] == GAP_EVENT_TYPE
    await layer.group_add("chat.2", channel)  # back: joins work again
    await sender.group_send("chat.1", {"type": "not.a.member"})
    await sender.group_send("chat.2", {"type": "member"})
    assert await receive(layer, channel) == {"type": "member"}
    await nothing_arrives(layer, channel)


async def test_leaving_during_a_pending_join_does_not_take_the_group_from_others(own_redis, monkeypatch):
    """The leave undoes the pending join; when that join then gives up, it must not undo another's."""
    monkeypatch.setattr(redis_subscriber, "SUBSCRIBE_TIMEOUT_SECONDS", 0.5)
    layer, sender = own_layer(own_redis), own_layer(own_redis)
    leaving, staying = await layer.new_channel(), await layer.new_channel()
    pending = asyncio.ensure_future(layer.group_add("chat.1", leaving))
    await asyncio.sleep(0)
    await layer.group_discard("chat.1", leaving)
    await layer.group_add("chat.1", staying)
    try:
        await pending
    except ConnectionError:
        pass  # it may give up: its channel has left

    await sender.group_send("chat.1", {"type": "for.staying"})
    assert await receive(layer, staying) == {"type": "for.staying"}
    await nothing_arrives(layer, leaving)


async def test_a_join_during_a_redis_outage_returns_once_redis_confirms_it(own_redis):
    layer, sender = own_layer(own_redis), own_layer(own_redis)
    first, leaving, late = [await layer.new_channel() for _ in range(3)]
    await layer.group_add("chat.1", first)
    await layer.group_add("chat.1", leaving)
    own_redis.kill()
    for channel in (first, leaving, late):
        assert (await receive(layer, channel, timeout=10))["type"] == GAP_EVENT_TYPE

    joining = asyncio.ensure_future(layer.group_add("chat.1", late))
    await layer.group_discard("chat.1", leaving)
    await asyncio.sleep(0.5)
    assert not joining.done()  # nothing to confirm it yet
    own_redis.start()
    await asyncio.wait_for(joining, 10)

    await sender.group_send("chat.1", {"type": "after"})
    assert await receive(layer, first) == {"type": "after"}
    assert await receive(layer, late) == {"type": "after"}
    await nothing_arrives(layer, leaving)


# 2. A gap for every socket after a lost connection -----------------------------------------


async def test_a_cut_subscriber_connection_is_announced_and_memberships_come_back(own_redis):
    """Redis cuts the connection (as it does a slow pub/sub reader) without restarting."""
    layer, sender = own_layer(own_redis), own_layer(own_redis)
    member, other_member, not_in_a_group = [await layer.new_channel() for _ in range(3)]
    await layer.group_add("chat.1", member)
    await layer.group_add("chat.2", other_member)

    admin = aioredis.Redis.from_url(own_redis.url)
    try:
        assert await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 1
    finally:
        await admin.aclose()

    for channel in (member, other_member, not_in_a_group):
        assert (await receive(layer, channel, timeout=10))["type"] == GAP_EVENT_TYPE
    # Joining once more returns once the layer has subscribed again.
    await layer.group_add("chat.1", not_in_a_group)
    await sender.group_send("chat.1", {"type": "one"})
    await sender.group_send("chat.2", {"type": "two"})
    await sender.send(not_in_a_group, {"type": "direct"})
    assert await receive(layer, member) == {"type": "one"}
    assert await receive(layer, not_in_a_group) == {"type": "one"}
    assert await receive(layer, not_in_a_group) == {"type": "direct"}
    assert await receive(layer, other_member) == {"type": "two"}


async def test_a_silent_connection_is_declared_dead_and_announced(own_redis, monkeypatch):
    """Redis stops answering but the TCP connection stays up (a frozen host, a broken network path)."""
    monkeypatch.setattr(redis_subscriber, "KEEPALIVE_SECONDS", 0.2)
    monkeypatch.setattr(redis_subscriber, "DEAD_AFTER_SECONDS", 1)
    layer, sender = own_layer(own_redis), own_layer(own_redis)
    channel = await layer.new_channel()
    await layer.group_add("chat.1", channel)

    os.kill(own_redis.process.pid, signal.SIGSTOP)
    try:
        assert (await receive(layer, channel, timeout=5))["type"] == GAP_EVENT_TYPE
    finally:
        os.kill(own_redis.process.pid, signal.SIGCONT)

    await layer.group_add("chat.2", channel)  # returns once subscribed again
    await sender.group_send("chat.1", {"type": "after"})
    while (message := await receive(layer, channel, timeout=5))["type"] == GAP_EVENT_TYPE:
        pass  # one more per connection found dead while Redis was stopped
    assert message == {"type": "after"}


# 4. Pipelined publishing from threads ------------------------------------------------------


async def test_send_many_keeps_the_order_across_groups(make_layer):
    listener, publisher = make_layer(), make_layer()
    in_both, only_b = await listener.new_channel(), await listener.new_channel()
    await listener.group_add("group-a", in_both)
    await listener.group_add("group-b", in_both)
    await listener.group_add("group-b", only_b)
    pairs = [(("group-a", "group-b")[number % 3 == 0], {"type": "x", "n": number}) for number in range(30)]

    await asyncio.to_thread(publisher.group_send_many_blocking, pairs)

    assert [(await receive(listener, in_both))["n"] for _ in range(30)] == list(range(30))
    assert [(await receive(listener, only_b))["n"] for _ in range(10)] == list(range(0, 30, 3))
    await nothing_arrives(listener, only_b)


async def test_send_many_is_one_round_trip_to_redis(make_layer, monkeypatch):
    listener, publisher = make_layer(), make_layer()
    channel = await listener.new_channel()
    await listener.group_add("batch", channel)
    await asyncio.to_thread(publisher.group_send_blocking, "batch", {"type": "warm.up"})  # connects
    assert (await receive(listener, channel))["type"] == "warm.up"

    writes = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        writes.append(threading.get_ident())
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    await asyncio.to_thread(publisher.group_send_many_blocking, [("batch", {"type": "x", "n": n}) for n in range(50)])
    monkeypatch.undo()

    assert len(writes) == 1
    assert [(await receive(listener, channel))["n"] for _ in range(50)] == list(range(50))


async def test_a_bad_group_name_in_send_many_publishes_nothing(make_layer):
    listener, publisher = make_layer(), make_layer()
    channel = await listener.new_channel()
    await listener.group_add("good", channel)
    with pytest.raises(TypeError):
        await asyncio.to_thread(publisher.group_send_many_blocking, [("good", {"type": "x"}), ("bad name", {"type": "x"})])
    await nothing_arrives(listener, channel)


@pytest.mark.django_db(transaction=True)
async def test_send_many_from_a_database_thread_after_the_commit():
    """The path of chat.group_commit: a transaction's on_commit hands its events to broadcast.send_many_blocking."""
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    listener = RedisPubSubLayer(url=config["url"], prefix=config["prefix"])
    tag = uuid.uuid4().hex[:10]
    channels = [await listener.new_channel() for _ in range(3)]
    for number, channel in enumerate(channels):
        await listener.group_add(f"chat.{tag}.{number}", channel)
    events = [(f"chat.{tag}.{count % 3}", {"type": "chat.message", "count": count}) for count in range(30)]

    def store_and_announce():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                transaction.on_commit(lambda: broadcast.send_many_blocking(events))
        finally:
            connection.close()

    await asyncio.to_thread(store_and_announce)
    for number, channel in enumerate(channels):
        assert [(await receive(listener, channel))["count"] for _ in range(10)] == list(range(number, 30, 3))
