"""Login limits for the sign-in form (django-axes), per account and per client address."""

import math

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render


class LoginLimitBackend(AxesStandaloneBackend):
    """Axes' lockout check for the login form only.

    Calls without a request (management commands, the test client's `login()`)
    and the token endpoint (limited by DRF throttles in `accounts.api`) skip it;
    their failures are still counted by axes' signal handler.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None or str(getattr(request, "path", "")).startswith("/api/"):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets: 429, and when to try again in minutes."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
