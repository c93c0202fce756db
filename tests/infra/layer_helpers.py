"""What the layer tests share besides fixtures: waiting for a message, for nothing, for a condition."""

import asyncio
import os
import time

import pytest
from redis import asyncio as aioredis

from infra.realtime.layer import RedisPubSubLayer

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = os.environ.get("REDIS_LAYER_PREFIX", "helpdesk")


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
