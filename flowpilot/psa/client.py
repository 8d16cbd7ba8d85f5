"""A small ConnectWise Manage REST client: add internal ticket notes, read tickets.

It speaks the real REST shape (`/v4_6_release/apis/3.0/`, Basic auth of
"companyId+publicKey:privateKey", a `clientId` header). Errors become
`PsaError` with the HTTP status, so callers can decide whether to retry.

The site is not a way into the network (docs/security.md): it is a host name
reached over https, every address it resolves to must be public, checked when
the connection is opened (so DNS rebinding after the save changes nothing), the
socket goes to the address that was checked, and redirects are never followed.
`PSA_ALLOW_PRIVATE_HOSTS=1` (on-premise servers, local fakes) lifts the address
and scheme rules, never the redirect rule. Network failures all read "could not
reach", so the connection test cannot be used to tell port states apart.
"""

import base64
import http.client
import ipaddress
import json
import re
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

API_PATH = "/v4_6_release/apis/3.0/"
HOST_NAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
SITE_RULE = "The ConnectWise site must be a host name such as na.myconnectwise.net (no path, port or credentials)."
UNREACHABLE = "Could not reach ConnectWise at the configured site."


class PsaError(Exception):
    """A ConnectWise call failed; `http_status` is None for network errors and timeouts."""

    def __init__(self, message: str, http_status: int | None = None, retryable: bool = False, timed_out: bool = False):
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.retryable = retryable
        self.timed_out = timed_out


@dataclass(frozen=True)
class Note:
    id: str
    http_status: int


@dataclass(frozen=True)
class Ticket:
    id: int
    summary: str
    company_name: str
    contact_name: str


def allow_private_hosts() -> bool:
    return bool(getattr(settings, "PSA_ALLOW_PRIVATE_HOSTS", False))


def validate_site(site: str) -> str:
    """The site as stored: a bare host name; with PSA_ALLOW_PRIVATE_HOSTS also `http(s)://host[:port]`."""
    site = (site or "").strip().rstrip("/")
    if "://" not in site:
        if not HOST_NAME.fullmatch(site):
            raise PsaError(SITE_RULE)
        return site
    if not allow_private_hosts():
        raise PsaError(SITE_RULE)
    try:
        parts = urlsplit(site)
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        raise PsaError(SITE_RULE) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise PsaError(SITE_RULE)
    if parts.path or parts.query or parts.fragment:
        raise PsaError(SITE_RULE)
    return site


def base_url_for(site: str) -> str:
    """`https://{site}/v4_6_release/apis/3.0/`; a full URL (allowed private hosts only) keeps its scheme."""
    site = validate_site(site)
    if "://" not in site:
        site = f"https://{site}"
    return site + API_PATH


def is_public_address(address: str) -> bool:
    """A globally routable unicast address: not loopback, private, link-local (metadata), reserved or multicast."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_checked(host: str, port: int) -> tuple:
    """The first resolved address of `host` after checking all of them; PsaError when any is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise PsaError(UNREACHABLE, retryable=True) from None
    if not infos:
        raise PsaError(UNREACHABLE, retryable=True)
    if not allow_private_hosts():
        for info in infos:
            if not is_public_address(info[4][0]):
                raise PsaError("The ConnectWise site must resolve to a public internet address.")
    return infos[0]


def _connect_checked(conn: http.client.HTTPConnection) -> socket.socket:
    family, kind, proto, _, address = resolve_checked(conn.host, conn.port)
    sock = socket.socket(family, kind, proto)
    try:
        sock.settimeout(conn.timeout)
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return sock


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = _connect_checked(self)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        # The certificate is still checked against the host name, over the checked address.
        self.sock = self._context.wrap_socket(_connect_checked(self), server_hostname=self.host)


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self):
        super().__init__(context=ssl.create_default_context())

    def https_open(self, req):
        return self.do_open(_CheckedHTTPSConnection, req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is answered as an error: the keys never follow a redirect to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class ConnectWiseClient:
    def __init__(
        self, *, site: str, company_id: str, public_key: str, private_key: str, client_id: str, timeout: float
    ):
        self.base_url = base_url_for(site)
        self.timeout = timeout
        credentials = f"{company_id}+{public_key}:{private_key}".encode()
        self._headers = {
            "Authorization": "Basic " + base64.b64encode(credentials).decode(),
            "clientId": client_id,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        # Never read proxies from the environment: the keys go to the configured site only.
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), _CheckedHTTPHandler, _CheckedHTTPSHandler, _NoRedirect
        )

    def __repr__(self) -> str:  # keeps the Authorization header out of tracebacks and logs
        return f"<ConnectWiseClient {self.base_url}>"

    def add_internal_note(self, ticket_id: int, text: str, member: str = "") -> Note:
        """POST an internal-analysis note on the ticket (as `member` when given); returns the note's id."""
        body = {"text": text, "internalAnalysisFlag": True, "detailDescriptionFlag": False, "resolutionFlag": False}
        if member:
            # A member reference by identifier; without one ConnectWise credits the API member.
            body["member"] = {"identifier": member}
        status, data = self._request("POST", f"service/tickets/{int(ticket_id)}/notes", body)
        if not isinstance(data, dict) or data.get("id") is None:
            raise PsaError("ConnectWise accepted the note but returned no note id", http_status=status)
        return Note(id=str(data["id"]), http_status=status)

    def get_ticket(self, ticket_id: int) -> Ticket:
        _, data = self._request("GET", f"service/tickets/{int(ticket_id)}")
        if not isinstance(data, dict):
            raise PsaError("ConnectWise returned an unexpected ticket shape", http_status=200)
        company = data.get("company") or {}
        return Ticket(
            id=int(data.get("id", ticket_id)),
            summary=str(data.get("summary") or ""),
            company_name=str(company.get("name") or ""),
            contact_name=str(data.get("contactName") or ""),
        )

    def check(self) -> None:
        """An authenticated read of one ticket id: proves the site, the keys and the ticket permission."""
        self._request("GET", "service/tickets?pageSize=1&fields=id")

    def _request(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=self._headers)  # noqa: S310 (http(s) only, see base_url_for)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            raise _http_error(exc.code, path) from None
        except TimeoutError:
            raise self._timeout() from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, PsaError):
                raise exc.reason from None
            if isinstance(exc.reason, TimeoutError):
                raise self._timeout() from None
            raise PsaError(UNREACHABLE, retryable=True) from None
        except PsaError:
            raise
        except (OSError, http.client.HTTPException):
            # Refused, reset, not HTTP at all: one message, whatever the port's state.
            raise PsaError(UNREACHABLE, retryable=True) from None
        try:
            return status, json.loads(raw or b"{}")
        except ValueError:
            raise PsaError(UNREACHABLE, http_status=status) from None

    def _timeout(self) -> PsaError:
        # Same words as a refused connection; `timed_out` tells the retry logic apart.
        return PsaError(UNREACHABLE, retryable=True, timed_out=True)


def _http_error(status: int, path: str) -> PsaError:
    if status == 401:
        return PsaError("ConnectWise rejected the credentials (401): check company id and keys", status)
    if status == 403:
        return PsaError("The API member lacks permission for this (403)", status)
    if status == 404:
        what = "ticket" if path.startswith("service/tickets/") else "API endpoint"
        return PsaError(f"ConnectWise {what} not found (404)", status)
    if status == 429 or status >= 500:
        return PsaError(f"ConnectWise is unavailable ({status})", status, retryable=True)
    if 300 <= status < 400:
        return PsaError(f"ConnectWise answered with a redirect ({status}); redirects are not followed", status)
    return PsaError(f"ConnectWise refused the request ({status})", status)
