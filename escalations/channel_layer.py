"""The Redis channel layer with a bounded, blocking connection pool per event loop.

channels-redis 4.3 builds one redis-py `ConnectionPool` per event loop, and
redis-py 8 caps it at 100 connections and raises `MaxConnectionsError: Too many
connections` beyond that instead of waiting. A daphne process runs every socket
on one loop, so when a deploy or a network blip closes a few hundred sockets at
once, their `group_discard` calls exceed the cap and fail. A
`BlockingConnectionPool` makes the extra calls wait a moment for a free
connection, and keeps the number of connections to Redis bounded.

redis-py 8 also made `socket_timeout` default to 5 s, the same length as the
layer's blocking `BZPOPMIN` (`brpop_timeout`): an idle socket's receive then
races the read timeout and its consumer dies with "Timeout reading from"
(daphne closes it with 1011). The read timeout here outlasts the blocking pop
(channels_redis issue #422).

After a Redis restart every pooled connection is dead, and the first command
on each failed: a WebSocket handshake right after the restart answered with an
error. Connections idle longer than `HEALTH_CHECK_S` are pinged before use, and
a command that meets a dropped connection reconnects and retries (bounded).
"""

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

DEFAULT_POOL_SIZE = 50
DEFAULT_POOL_TIMEOUT_S = 10.0
# Beyond the blocking pop's own timeout: a healthy idle read never hits it, a dead server still does.
READ_TIMEOUT_MARGIN_S = 5.0
HEALTH_CHECK_S = 15
RECONNECT_RETRIES = 3


class BlockingPoolRedisChannelLayer(RedisChannelLayer):
    """`RedisChannelLayer` whose per-loop pools wait (up to `pool_timeout` s) instead of failing when full."""

    def __init__(self, *args, pool_size: int = DEFAULT_POOL_SIZE, pool_timeout: float = DEFAULT_POOL_TIMEOUT_S, **kw):
        super().__init__(*args, **kw)
        self.pool_size = pool_size
        self.pool_timeout = pool_timeout

    def create_pool(self, index: int) -> BlockingConnectionPool:
        host = dict(self.hosts[index])
        if "address" not in host:
            # Sentinel and keyword-only hosts keep channels-redis's own pool.
            return super().create_pool(index)
        address = host.pop("address")
        host.setdefault("max_connections", self.pool_size)
        host.setdefault("timeout", self.pool_timeout)
        host.setdefault("socket_timeout", self.brpop_timeout + READ_TIMEOUT_MARGIN_S)
        host.setdefault("health_check_interval", HEALTH_CHECK_S)
        host.setdefault("retry", Retry(ExponentialBackoff(cap=1.0, base=0.05), RECONNECT_RETRIES))
        host.setdefault("retry_on_error", [RedisConnectionError, RedisTimeoutError, ConnectionError, OSError])
        return BlockingConnectionPool.from_url(address, **host)
