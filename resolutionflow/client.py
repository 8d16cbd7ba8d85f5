"""The client's address, in one place: login limits, API throttles and public-page limits all use it.

`REMOTE_ADDR` is the peer of the socket. Only when `TRUSTED_PROXIES` says N
proxies sit in front (each appending the address it saw to X-Forwarded-For)
is the Nth entry from the right taken; anything a client writes further left
is ignored, so a forged header changes nothing.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The address of whoever opened the connection to the first trusted proxy (or to us)."""
    meta = getattr(request, "META", {}) or {}
    remote = _valid(meta.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104 (a placeholder, never bound)
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return remote
    hops = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
    if len(hops) < proxies:
        # Fewer hops than proxies: the request did not come through all of them.
        return remote
    return _valid(hops[-proxies]) or remote


def _valid(value: str) -> str:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return ""
