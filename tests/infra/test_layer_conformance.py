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
- P/C test_groups_basic -> tests/infra/test_layer.py (a group message reaches
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
  (one socket: tests/infra/test_layer.py, a socket too slow to keep up).
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
  tests/infra/test_layer.py, a consumer that ends leaves its groups.

The conformance tests use the shared Redis of REDIS_URL. Pub/sub channels
are global to a Redis server (the database number does not separate them),
so each test takes a prefix of its own under REDIS_LAYER_PREFIX. The tests
that cut or stop Redis run a redis-server of their own (tests/support/redisserver.py; test_layer_additions.py).
"""

import asyncio
import gc
import inspect
import logging
import random
import uuid

import pytest
from asgiref.sync import async_to_sync

from infra.realtime.layer import GAP_EVENT_TYPE
from tests.infra.layer_helpers import PREFIX, REDIS_URL, nothing_arrives, receive, subscribers, until

pytestmark = pytest.mark.production


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
    message = {
        "type": "x",
        "a": True,
        "b": None,
        "c": {"d": []},
        "text": "Grüße ✓",
        "raw": b"\x00\xff",
        "n": -3,
        "f": 0.5,
    }
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
        return (
            await subscribers(REDIS_URL, process_key) == 0
            and await subscribers(REDIS_URL, f"{prefix}:group:closing") == 0
        )

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
