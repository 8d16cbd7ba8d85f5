"""API token authentication with optional expiry (`API_TOKEN_TTL_DAYS`) and a cached lookup.

With a shared cache (Redis) a token's (user, token) pair is kept for `API_TOKEN_CACHE_SECONDS`,
so an API call does not query for its token. Anything that could change the answer forgets it
at once, in every process: deleting the token (revoke, expiry, deactivation) and saving the
user through the ORM (signals), and the account services that change a role or
the active flag with a queryset update (`forget_tokens`). Forgetting writes a tombstone rather
than deleting the entry, so a lookup that read the database just before the revocation cannot
put the old pair back (`cache.add` does not overwrite the tombstone).
"""

import copy
import hashlib
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

logger = logging.getLogger(__name__)

TOKEN_KEY = re.compile(r"^[0-9a-f]{40}$")
CACHE_PREFIX = "api-token:"
REVOKED = "revoked"


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF tokens that expire after API_TOKEN_TTL_DAYS (when set); malformed keys never reach the database."""

    def authenticate_credentials(self, key):
        if not TOKEN_KEY.match(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        cached = _cached(key)
        if isinstance(cached, tuple):
            user, token = cached
            if user.is_active and not is_expired(token):
                return user, token
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed("Token expired; request a new one.")
        if cached is None:
            _remember(key, (user, token))
        return user, token


def is_expired(token: Token) -> bool:
    days = settings.API_TOKEN_TTL_DAYS
    return bool(days) and token.created < timezone.now() - timedelta(days=days)


def forget_tokens(user_ids) -> None:
    """Drop the cached lookups of these users' tokens now (call before changing role or active flag)."""
    if settings.API_TOKEN_CACHE_SECONDS:
        _forget(Token.objects.filter(user_id__in=list(user_ids)).values_list("key", flat=True))


def token_deleted(sender, instance, **kwargs) -> None:
    """post_delete of a Token (revoke, expiry, a deleted user): the next call with it fails."""
    if settings.API_TOKEN_CACHE_SECONDS:
        _forget([instance.key])


def user_changed(sender, instance, **kwargs) -> None:
    """post_save of a User (deleting one deletes its token): the next API call reads the user again."""
    forget_tokens([instance.pk])


def _cache_key(key: str) -> str:
    return CACHE_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def _cached(key: str):
    """The cached (user, token), REVOKED, or None (not cached, caching off, or the cache is down)."""
    if not settings.API_TOKEN_CACHE_SECONDS:
        return REVOKED  # never remember either
    try:
        return cache.get(_cache_key(key))
    except Exception:
        logger.warning("Token cache unavailable; reading the token from the database", exc_info=True)
        return REVOKED


def _remember(key: str, pair: tuple) -> None:
    try:
        cache.add(_cache_key(key), _cacheable(*pair), settings.API_TOKEN_CACHE_SECONDS)
    except Exception:
        logger.warning("Token cache unavailable; not caching", exc_info=True)


def _cacheable(user, token) -> tuple:
    """Copies to store: the user without its password hash (a deferred field, read from the
    database if anything asks, and left out of a save), the token without its cached user."""
    user = copy.copy(user)
    user.__dict__.pop("password", None)
    token = copy.copy(token)
    token._state.fields_cache.clear()
    return user, token


def _forget(keys) -> None:
    # A tombstone outlives any entry written before it, so a racing lookup cannot restore the pair.
    tombstones = {_cache_key(key): REVOKED for key in keys}
    if not tombstones:
        return
    try:
        cache.set_many(tombstones, 2 * settings.API_TOKEN_CACHE_SECONDS)
    except Exception:
        # The cache is down, so lookups read the database too; entries written before the outage
        # can outlive it by at most API_TOKEN_CACHE_SECONDS.
        logger.exception("Token cache unavailable; could not forget %d token(s)", len(tombstones))
