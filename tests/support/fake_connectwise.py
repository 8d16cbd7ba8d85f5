"""A local stand-in for the ConnectWise Manage REST API (tickets and ticket notes).

Tests start it on a free port, point a PSA connection's site at `base_url`,
program failures (401/404/500, a delay) and read back the requests it got.
`python -m tests.support.fake_connectwise --port 9000` runs it for a
demo: any ticket number exists and every note is printed.
"""

import argparse
import base64
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = "/v4_6_release/apis/3.0"
NOTES = re.compile(rf"^{API}/service/tickets/(\d+)/notes$")
TICKET = re.compile(rf"^{API}/service/tickets/(\d+)$")
TICKETS = re.compile(rf"^{API}/service/tickets(\?.*)?$")


@dataclass
class Failure:
    status: int = 500
    delay_s: float = 0.0


class FakeConnectWise:
    def __init__(self, port: int = 0, credentials: tuple[str, str, str, str] | None = None, any_ticket: bool = False):
        """`credentials` = (company, public key, private key, client id) to insist on; None accepts any."""
        self.credentials = credentials
        self.any_ticket = any_ticket
        self.tickets: dict[int, dict] = {}
        self.notes: list[dict] = []
        self.requests: list[dict] = []
        self.failures: list[Failure] = []
        self.on_note = None
        self._next_note_id = 1001
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeConnectWise":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_ticket(self, ticket_id: int, summary: str, company: str = "", contact: str = "") -> None:
        self.tickets[ticket_id] = {
            "id": ticket_id,
            "summary": summary,
            "company": {"name": company},
            "contact": contact,
        }

    def fail_next(self, status: int = 500, times: int = 1, delay_s: float = 0.0) -> None:
        """The next `times` requests answer `status` (after `delay_s`); status 0 means only the delay."""
        with self._lock:
            self.failures.extend(Failure(status, delay_s) for _ in range(times))

    def _take_failure(self) -> Failure | None:
        with self._lock:
            return self.failures.pop(0) if self.failures else None

    def _authorized(self, headers) -> bool:
        auth = headers.get("Authorization", "")
        if not auth.startswith("Basic ") or not headers.get("clientId"):
            return False
        if self.credentials is None:
            return True
        company, public, private, client_id = self.credentials
        expected = base64.b64encode(f"{company}+{public}:{private}".encode()).decode()
        return auth == f"Basic {expected}" and headers.get("clientId") == client_id

    def _ticket(self, ticket_id: int) -> dict | None:
        if ticket_id not in self.tickets and self.any_ticket:
            self.add_ticket(ticket_id, f"Demo ticket {ticket_id}: user cannot connect to VPN", "Fabrikam Dental", "Ana")
        return self.tickets.get(ticket_id)

    def handle(self, method: str, path: str, headers, body: dict | None) -> tuple[int, object]:
        # Header names are case-insensitive on the wire (urllib sends "Clientid"): record them lower-cased.
        self.requests.append(
            {"method": method, "path": path, "headers": {k.lower(): v for k, v in headers.items()}, "body": body}
        )
        failure = self._take_failure()
        if failure:
            time.sleep(failure.delay_s)
            if failure.status:
                return failure.status, {"code": "Fake", "message": f"fake error {failure.status}"}
        if not self._authorized(headers):
            return 401, {"code": "Unauthorized", "message": "Basic authentication failed"}
        if method == "POST" and (m := NOTES.match(path)):
            ticket_id = int(m.group(1))
            if self._ticket(ticket_id) is None:
                return 404, {"code": "NotFound", "message": "Ticket not found"}
            member = (body or {}).get("member")
            if member is not None and not (isinstance(member, dict) and isinstance(member.get("identifier"), str)):
                return 400, {"code": "InvalidObject", "message": "member must be a reference {identifier}"}
            with self._lock:
                # Like ConnectWise: the note is credited to the member given, else to the API member.
                note = {"id": self._next_note_id, "ticketId": ticket_id, **(body or {})}
                note["createdBy"] = member["identifier"] if member else "api-member"
                self._next_note_id += 1
                self.notes.append(note)
            if self.on_note:
                self.on_note(note)
            return 201, note
        if method == "GET" and (m := TICKET.match(path)):
            ticket = self._ticket(int(m.group(1)))
            if ticket is None:
                return 404, {"code": "NotFound", "message": "Ticket not found"}
            return 200, {
                "id": ticket["id"],
                "summary": ticket["summary"],
                "company": ticket["company"],
                "contactName": ticket["contact"],
            }
        if method == "GET" and TICKETS.match(path):
            return 200, [{"id": t["id"]} for t in list(self.tickets.values())[:1]]
        return 404, {"code": "NotFound", "message": "No such endpoint"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, method: str):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = {"_unparsed": raw.decode(errors="replace")}
                status, payload = fake.handle(method, self.path, self.headers, body)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake ConnectWise Manage API for demos (any ticket number exists).")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    fake = FakeConnectWise(port=args.port, any_ticket=True)
    fake.on_note = lambda note: print(
        f"note {note['id']} on ticket {note['ticketId']}:\n{note.get('text', '')}\n", flush=True
    )
    print(f"Fake ConnectWise on {fake.base_url}{API}/ (Ctrl-C stops)", flush=True)
    try:
        fake._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()


if __name__ == "__main__":
    main()
