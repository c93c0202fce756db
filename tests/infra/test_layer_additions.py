"""
The four things the own layer does that channels-redis's pub/sub layer does
not (docs/architecture.md), beyond tests/infra/test_layer.py (which covers:
a message published anywhere arrives once group_add has returned; a Redis
restart gaps every socket; one slow socket is told; many threads publishing
at once). Bounded queues per socket are tested with the deliberate
differences in test_layer_conformance.py.
"""

import asyncio
import os
import signal
import threading
import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from redis import asyncio as aioredis

from infra.realtime import broadcast, redis_subscriber
from infra.realtime.layer import GAP_EVENT_TYPE, RedisPubSubLayer
from tests.infra.layer_helpers import REDIS_URL, nothing_arrives, own_layer, receive

pytestmark = pytest.mark.production


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


async def test_a_join_waiting_when_the_connection_goes_fails_at_once_and_its_channel_hears_the_gap(own_redis):
    layer = own_layer(own_redis)
    member, joining = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("chat.1", member)  # the subscriber connection is up
    os.kill(own_redis.process.pid, signal.SIGSTOP)  # the next SUBSCRIBE is never answered
    pending = asyncio.ensure_future(layer.group_add("chat.2", joining))
    await asyncio.sleep(0.3)
    assert not pending.done()
    own_redis.kill()

    started = asyncio.get_running_loop().time()
    with pytest.raises(redis_subscriber.SubscriptionLost):
        await asyncio.wait_for(pending, 5)
    assert asyncio.get_running_loop().time() - started < redis_subscriber.SUBSCRIBE_TIMEOUT_SECONDS / 2
    assert "chat.2" not in layer._loop_layer().groups
    for channel in (member, joining):
        assert (await receive(layer, channel, timeout=5))["type"] == GAP_EVENT_TYPE


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
        await asyncio.to_thread(
            publisher.group_send_many_blocking, [("good", {"type": "x"}), ("bad name", {"type": "x"})]
        )
    await nothing_arrives(listener, channel)


@pytest.mark.django_db(transaction=True)
async def test_send_many_from_a_database_thread_after_the_commit():
    """The path of chat.conversations.group_commit: a transaction's on_commit hands its events to broadcast.send_many_blocking."""
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


# 5. Pipelined publishing from the event loop (group commit's announcements) ------------------


async def test_send_many_from_the_loop_is_one_write_in_order(make_layer, monkeypatch):
    listener, publisher = make_layer(), make_layer()
    in_both, only_b = await listener.new_channel(), await listener.new_channel()
    await listener.group_add("group-a", in_both)
    await listener.group_add("group-b", in_both)
    await listener.group_add("group-b", only_b)
    await publisher.group_send_many([("group-a", {"type": "warm.up"})])  # connects
    assert (await receive(listener, in_both))["type"] == "warm.up"

    writes = []
    original = aioredis.connection.AbstractConnection.send_packed_command

    async def counting(self, command, check_health=True):
        writes.append(command)
        return await original(self, command, check_health)

    monkeypatch.setattr(aioredis.connection.AbstractConnection, "send_packed_command", counting)
    pairs = [(("group-a", "group-b")[number % 3 == 0], {"type": "x", "n": number}) for number in range(30)]
    await publisher.group_send_many(pairs)
    monkeypatch.undo()

    assert len(writes) == 1
    assert [(await receive(listener, in_both))["n"] for _ in range(30)] == list(range(30))
    assert [(await receive(listener, only_b))["n"] for _ in range(10)] == list(range(0, 30, 3))
    await nothing_arrives(listener, only_b)


async def test_send_many_from_the_loop_goes_on_a_new_connection_when_its_own_was_cut(make_layer):
    listener, publisher = make_layer(), make_layer()
    channel = await listener.new_channel()
    await listener.group_add("cut", channel)
    await publisher.group_send_many([("cut", {"type": "x", "n": 0})])
    [kept] = publisher._loop_layer().many_publisher()._free
    await kept.send_command("CLIENT", "ID")
    client_id = await kept.read_response()
    admin = aioredis.Redis.from_url(REDIS_URL)
    assert await admin.execute_command("CLIENT", "KILL", "ID", client_id) == 1
    await admin.aclose()

    await publisher.group_send_many([("cut", {"type": "x", "n": 1}), ("cut", {"type": "x", "n": 2})])

    assert [(await receive(listener, channel))["n"] for _ in range(3)] == [0, 1, 2]
    assert publisher._loop_layer().many_publisher()._free != [kept]
    await nothing_arrives(listener, channel)


async def test_a_bad_group_name_in_send_many_from_the_loop_publishes_nothing(make_layer):
    listener, publisher = make_layer(), make_layer()
    channel = await listener.new_channel()
    await listener.group_add("good", channel)
    with pytest.raises(TypeError):
        await publisher.group_send_many([("good", {"type": "x"}), ("bad name", {"type": "x"})])
    await nothing_arrives(listener, channel)
