"""
infra/realtime/layer.py against a real redis-server of the test's own. Two layer
objects stand for two Daphne processes: they share nothing but Redis.
"""

import asyncio
import threading

import pytest

from infra.realtime.layer import GAP_EVENT_TYPE, RedisPubSubLayer
from tests.infra.layer_helpers import nothing_arrives, own_layer, receive

pytestmark = pytest.mark.production


async def test_a_group_message_reaches_every_member_in_every_process(own_redis):
    one, other = own_layer(own_redis), own_layer(own_redis)
    here, there, elsewhere = await one.new_channel(), await other.new_channel(), await other.new_channel()
    await one.group_add("chat.1", here)
    await other.group_add("chat.1", there)
    await other.group_add("chat.2", elsewhere)

    await one.group_send("chat.1", {"type": "chat.message", "body": "hi"})

    assert await receive(one, here) == {"type": "chat.message", "body": "hi"}
    assert await receive(other, there) == {"type": "chat.message", "body": "hi"}
    await nothing_arrives(other, elsewhere)


async def test_once_group_add_returns_a_message_published_anywhere_arrives(own_redis):
    """What a consumer relies on when it joins and then reads the database."""
    listener, sender = own_layer(own_redis), own_layer(own_redis)
    channels = [await listener.new_channel() for _ in range(20)]
    for number, channel in enumerate(channels):
        await listener.group_add(f"chat.{number}", channel)
        # Another process, at once, from a thread without an event loop.
        await asyncio.to_thread(sender.group_send_blocking, f"chat.{number}", {"type": "x", "n": number})
    for number, channel in enumerate(channels):
        assert await receive(listener, channel) == {"type": "x", "n": number}


async def test_group_discard_stops_delivery_and_other_members_keep_theirs(own_redis):
    layer = own_layer(own_redis)
    leaving, staying = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("queue.1", leaving)
    await layer.group_add("queue.1", staying)
    await layer.group_discard("queue.1", leaving)

    await layer.group_send("queue.1", {"type": "queue.changed"})

    assert await receive(layer, staying) == {"type": "queue.changed"}
    await nothing_arrives(layer, leaving)


async def test_send_reaches_one_channel_of_another_process(own_redis):
    one, other = own_layer(own_redis), own_layer(own_redis)
    target, bystander = await other.new_channel(), await other.new_channel()
    await one.send(target, {"type": "direct", "text": "Grüße"})
    assert await receive(other, target) == {"type": "direct", "text": "Grüße"}
    await nothing_arrives(other, bystander)


async def test_a_redis_restart_tells_every_socket_it_may_have_missed_something(own_redis):
    layer, sender = own_layer(own_redis), own_layer(own_redis)
    channels = [await layer.new_channel() for _ in range(3)]
    for channel in channels:
        await layer.group_add("chat.7", channel)

    own_redis.kill()
    own_redis.start()

    for channel in channels:
        assert (await receive(layer, channel, timeout=10))["type"] == GAP_EVENT_TYPE
    # The layer subscribes again by itself; a socket joining now is heard.
    fresh = await layer.new_channel()
    await layer.group_add("chat.8", fresh)
    await sender.group_send("chat.8", {"type": "after"})
    assert await receive(layer, fresh) == {"type": "after"}


async def test_a_socket_too_slow_to_keep_up_is_told_instead_of_silently_losing(own_redis):
    layer = own_layer(own_redis, capacity=5)
    slow = await layer.new_channel()
    await layer.group_add("chat.9", slow)
    for number in range(8):
        await layer.group_send("chat.9", {"type": "x", "n": number})
    await asyncio.sleep(0.3)

    received = [await receive(layer, slow) for _ in range(3)]
    assert received[0]["type"] == GAP_EVENT_TYPE
    assert [message["n"] for message in received[1:]] == [6, 7]


async def test_a_consumer_that_ends_leaves_its_groups(own_redis):
    layer = own_layer(own_redis)
    channel = await layer.new_channel()
    await layer.group_add("chat.3", channel)
    waiting = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0.05)
    waiting.cancel()  # what Channels does when a consumer ends
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert channel not in layer._loop_layer().queues
    assert "chat.3" not in layer._loop_layer().groups


async def test_publishing_from_many_threads_at_once(own_redis):
    """The ORM threads publish after their commits, several at a time."""
    listener, publisher = own_layer(own_redis), own_layer(own_redis)
    channels = [await listener.new_channel() for _ in range(8)]
    for number, channel in enumerate(channels):
        await listener.group_add(f"chat.{number}", channel)

    def publish(number):
        for count in range(50):
            publisher.group_send_blocking(f"chat.{number}", {"type": "x", "count": count})

    threads = [threading.Thread(target=publish, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    await asyncio.to_thread(lambda: [thread.join() for thread in threads])
    for channel in channels:
        assert [(await receive(listener, channel))["count"] for _ in range(50)] == list(range(50))


def test_names_are_checked_as_channels_requires():
    layer = RedisPubSubLayer(url="redis://127.0.0.1:1/0")
    with pytest.raises(TypeError):
        layer.group_send_blocking("no spaces allowed", {"type": "x"})
