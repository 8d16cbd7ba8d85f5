"""A small ConnectWise Manage REST client: add internal ticket notes, read tickets.

It speaks the real REST shape (`/v4_6_release/apis/3.0/`, Basic auth of
"companyId+publicKey:privateKey", a `clientId` header). Errors become
`PsaError` with the HTTP status, so callers can decide whether to retry.
"""

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

API_PATH = "/v4_6_release/apis/3.0/"


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


def base_url_for(site: str) -> str:
    """`https://{site}/v4_6_release/apis/3.0/`; a full URL (a local test server) keeps its scheme."""
    site = site.strip().rstrip("/")
    if "://" not in site:
        site = f"https://{site}"
    if not site.startswith(("http://", "https://")):
        raise PsaError("The ConnectWise site must be a host name or an http(s) URL.")
    return site + API_PATH


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
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

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
            if isinstance(exc.reason, TimeoutError):
                raise self._timeout() from None
            raise PsaError(f"Could not reach ConnectWise: {exc.reason}", retryable=True) from None
        except OSError as exc:
            raise PsaError(f"Could not reach ConnectWise: {exc}", retryable=True) from None
        try:
            return status, json.loads(raw or b"{}")
        except ValueError:
            raise PsaError("ConnectWise answered with something that is not JSON", http_status=status) from None

    def _timeout(self) -> PsaError:
        return PsaError(f"ConnectWise did not answer within {self.timeout:g} s", retryable=True, timed_out=True)


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
    return PsaError(f"ConnectWise refused the request ({status})", status)
