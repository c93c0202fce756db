"""The layer tests' fixtures: a prefix of each test's own on the shared Redis, layers, a redis-server to cut."""

import os
import signal
import uuid

import pytest

from infra.realtime.layer import RedisPubSubLayer
from tests.infra.layer_helpers import PREFIX, REDIS_URL
from tests.support.redisserver import RedisProcess
from tests.support.servers import free_port


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
