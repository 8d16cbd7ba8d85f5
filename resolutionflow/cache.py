"""Django's Redis cache, keeping one Redis client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every operation, and
each one fills a table of ~170 response callbacks: about a tenth of the CPU of a losing claim
(two throttle operations per request; bench_claim, docs/benchmarks.md). A `redis.Redis` is
safe to share between threads (each command borrows a connection from the pool), so one per
pool does the same work.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_logger = logging.getLogger(__name__)


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


def best_effort(call, *args, fallback=None, logger: logging.Logger | None = None, what: str = "Cache"):
    """`call(*args)`, or `fallback` (logged as a warning) when the cache cannot be asked: a Redis
    outage degrades to the database, it never fails the request."""
    try:
        return call(*args)
    except Exception:
        (logger or _logger).warning("%s: unavailable; carrying on without it", what, exc_info=True)
        return fallback
