"""`/api/v1/auth/token/`: POST email + password → token; DELETE revokes the caller's token.

Limited per client address and per account name (DRF throttles on the shared
cache). Without the cache the endpoint answers 503 rather than let guesses
through unlimited. Tokens optionally expire after `API_TOKEN_TTL_DAYS`.
"""

import hashlib
import logging

from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from accounts.authentication import ExpiringTokenAuthentication, is_expired
from resolutionflow.client import client_address

logger = logging.getLogger(__name__)


class ThrottleUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Sign-in is briefly unavailable (the rate limiter cannot be reached). Try again in a minute."


class LoginRateThrottle(SimpleRateThrottle):
    """Sign-in attempts per client address; fails closed (503) when the cache is down."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        self.get_cache_key(request, view)  # a malformed body is the client's 400, not the cache's 503
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.exception("Login throttle unavailable")
            raise ThrottleUnavailable() from None


class LoginAccountRateThrottle(LoginRateThrottle):
    """Sign-in attempts per account name, whatever address they come from."""

    def get_cache_key(self, request, view):
        data = request.data if isinstance(request.data, dict) else {}
        username = str(data.get("username", "")).strip().lower()
        if not username:
            return None
        ident = hashlib.sha256(username.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": f"{self.scope}-account", "ident": ident}


class ObtainTokenView(ObtainAuthToken):
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle, LoginAccountRateThrottle]

    def get_authenticators(self):
        # POST signs in with a password; DELETE must say whose token to revoke.
        if self.request is not None and self.request.method == "DELETE":
            return [ExpiringTokenAuthentication(), SessionAuthentication()]
        return []

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token = Token.objects.filter(user=user).first()
        if token is not None and is_expired(token):
            token.delete()
            token = None
        if token is None:
            token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    def delete(self, request, *args, **kwargs):
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated()
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
