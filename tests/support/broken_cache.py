"""A cache backend that fails every call, like Redis during an outage."""

from django.core.cache.backends.base import BaseCache


class BrokenCache(BaseCache):
    def __init__(self, location=None, params=None):
        super().__init__(params or {})

    def _fail(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis: Connection refused.")

    add = get = set = touch = delete = clear = get_many = set_many = delete_many = has_key = _fail
    incr = decr = get_or_set = _fail
