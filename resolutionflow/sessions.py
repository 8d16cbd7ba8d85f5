"""Sign-in sessions read from Redis, kept in the database (SESSION_ENGINE with REDIS_URL).

Django's `cached_db` store, made to outlast a cache outage the way the rest of the product
does: every cache call is best-effort (the database answers, and is always written first), and
a cached copy lives at most `SESSION_CACHE_SECONDS`, so a sign-out whose cache delete failed
during an outage stops working that much later at most, like a cached API token
(`API_TOKEN_CACHE_SECONDS`, accounts.authentication). Saves one query per request
(bench_claim, docs/benchmarks.md).
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db

from resolutionflow.cache import best_effort

logger = logging.getLogger(__name__)


def _seconds(expiry_age: int) -> int:
    return max(1, min(expiry_age, settings.SESSION_CACHE_SECONDS))


class SessionStore(cached_db.SessionStore):
    def _cache_call(self, method: str, *args):
        return best_effort(getattr(self._cache, method), *args, logger=logger, what=f"Session cache ({method})")

    async def _acache_call(self, method: str, *args):
        try:
            return await getattr(self._cache, method)(*args)
        except Exception:
            logger.warning("Session cache (%s): unavailable; carrying on without it", method, exc_info=True)
            return None

    def load(self):
        data = self._cache_call("get", self.cache_key)
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache_call("set", self.cache_key, data, _seconds(self.get_expiry_age(expiry=stored.expire_date)))
        return data

    async def aload(self):
        key = await self.acache_key()
        data = await self._acache_call("aget", key)
        if data is not None:
            return data
        stored = await self._aget_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        age = await self.aget_expiry_age(expiry=stored.expire_date)
        await self._acache_call("aset", key, data, _seconds(age))
        return data

    def exists(self, session_key):
        # The database has every session (it is written first): asking it alone is exact.
        return cached_db.DBStore.exists(self, session_key)

    async def aexists(self, session_key):
        return await cached_db.DBStore.aexists(self, session_key)

    def save(self, must_create=False):
        cached_db.DBStore.save(self, must_create)
        self._cache_call("set", self.cache_key, self._session, _seconds(self.get_expiry_age()))

    async def asave(self, must_create=False):
        await cached_db.DBStore.asave(self, must_create)
        age = await self.aget_expiry_age()
        await self._acache_call("aset", await self.acache_key(), self._session, _seconds(age))

    def delete(self, session_key=None):
        cached_db.DBStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is not None:
            self._cache_call("delete", self.cache_key_prefix + session_key)

    async def adelete(self, session_key=None):
        await cached_db.DBStore.adelete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is not None:
            await self._acache_call("adelete", self.cache_key_prefix + session_key)
