"""The channel layer's blocking pool: a storm of disconnects waits for a connection instead of failing."""

import asyncio
import contextlib

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import MaxConnectionsError

from escalations.channel_layer import BlockingPoolRedisChannelLayer
from tests.support.browser import off_loop

STORM = 300
GROUP = "escalations.storm"


def test_pool_is_blocking_and_bounded_by_the_configured_size():
    layer = BlockingPoolRedisChannelLayer(hosts=["redis://127.0.0.1:6399/0"], pool_size=7, pool_timeout=3)
    pool = layer.create_pool(0)
    assert isinstance(pool, BlockingConnectionPool)
    assert (pool.max_connections, pool.timeout) == (7, 3)


def test_read_timeout_outlasts_the_blocking_receive():
    # redis-py 8's 5 s default equals brpop_timeout: idle receives would race it and kill the consumer.
    layer = BlockingPoolRedisChannelLayer(hosts=["redis://127.0.0.1:6399/0"])
    assert layer.create_pool(0).connection_kwargs["socket_timeout"] == layer.brpop_timeout + 5


def test_pool_options_given_on_the_host_win_over_the_defaults():
    layer = BlockingPoolRedisChannelLayer(hosts=[{"address": "redis://127.0.0.1:6399/0", "max_connections": 9}])
    assert layer.create_pool(0).max_connections == 9


async def _storm(layer) -> list:
    """Join STORM channels, then leave all at once, as a deploy closing every socket does."""
    channels = [await layer.new_channel() for _ in range(STORM)]
    for channel in channels:
        await layer.group_add(GROUP, channel)
    results = await asyncio.gather(*(layer.group_discard(GROUP, c) for c in channels), return_exceptions=True)
    left = await layer.connection(0).zcard(layer._group_key(GROUP))
    await layer.flush()
    return [r for r in results if isinstance(r, Exception)], left


@pytest.mark.realstack
def test_disconnect_storm_fails_with_channels_redis_pool_but_not_with_the_blocking_pool(realstack_checked):
    small = {"address": settings.REDIS_URL, "max_connections": 5}
    # In a thread of its own: after a browser test, Playwright's loop runs in this one.
    errors, left = off_loop(asyncio.run, _storm(RedisChannelLayer(hosts=[small], prefix="rf-storm-a")))
    assert errors and all(isinstance(e, MaxConnectionsError) for e in errors)
    assert left == len(errors)  # every failed discard left a stale member behind

    layer = BlockingPoolRedisChannelLayer(hosts=[settings.REDIS_URL], prefix="rf-storm-b", pool_size=5)
    errors, left = off_loop(asyncio.run, _storm(layer))
    assert (errors, left) == ([], 0)


async def _idle_then_receive(layer) -> dict:
    """Wait on an empty channel past one blocking pop, then check the channel still delivers."""
    channel = await layer.new_channel()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(layer.receive(channel), layer.brpop_timeout + 1)
    await layer.send(channel, {"type": "still.here"})
    message = await layer.receive(channel)
    await layer.flush()
    return message


@pytest.mark.realstack
def test_idle_receive_outlives_the_blocking_pop(realstack_checked):
    # With channels-redis's own pool and redis-py 8, this raises "Timeout reading from" after 5 s.
    layer = BlockingPoolRedisChannelLayer(hosts=[settings.REDIS_URL], prefix="rf-idle")
    assert off_loop(asyncio.run, _idle_then_receive(layer)) == {"type": "still.here"}
