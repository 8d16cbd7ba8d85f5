"""API token authentication with optional expiry (`API_TOKEN_TTL_DAYS`)."""

import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

TOKEN_KEY = re.compile(r"^[0-9a-f]{40}$")


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF tokens that expire after API_TOKEN_TTL_DAYS (when set); malformed keys never reach the database."""

    def authenticate_credentials(self, key):
        if not TOKEN_KEY.match(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed("Token expired; request a new one.")
        return user, token


def is_expired(token: Token) -> bool:
    days = settings.API_TOKEN_TTL_DAYS
    return bool(days) and token.created < timezone.now() - timedelta(days=days)
