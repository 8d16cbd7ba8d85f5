"""Per-address rate limit for the public share page (Django's cache; shared across processes with Redis)."""

import time

from django.conf import settings
from django.core.cache import cache

from resolutionflow.client import client_address

VIEWS_PER_MINUTE = 60


def over_limit(request, window: int = 60) -> bool:
    """Count this request in the address's fixed window; True once past the limit."""
    limit = getattr(settings, "SHARE_VIEWS_PER_MINUTE", VIEWS_PER_MINUTE)
    key = f"sharing:views:{client_address(request)}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window * 2)
        count = 1
    return count > limit
