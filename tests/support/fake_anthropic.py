"""A local stand-in for the Anthropic Messages API (`POST /v1/messages`).

The real `anthropic` SDK is pointed at it through `base_url`. Tests queue
replies (a tool call, plain text, an HTTP error or a delay) and read back the
requests the SDK sent.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeReply:
    status: int = 200
    tool_name: str | None = None
    tool_input: dict | None = None
    text: str | None = None
    delay_s: float = 0.0
    raw_body: str | None = None  # sent verbatim (malformed replies)
    headers: dict = field(default_factory=dict)


class FakeAnthropic:
    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[FakeReply] = []
        self.default: FakeReply = FakeReply(text="OK")
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeAnthropic":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def models(self) -> list[str]:
        """The model each request asked for, in order (model routing tests)."""
        return [r["body"].get("model", "") for r in self.requests if isinstance(r["body"], dict)]

    def queue(self, *replies: FakeReply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def reply_with_tool(self, name: str, tool_input: dict, **kw) -> None:
        self.queue(FakeReply(tool_name=name, tool_input=tool_input, **kw))

    def _next_reply(self) -> FakeReply:
        with self._lock:
            return self.replies.pop(0) if self.replies else self.default

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_unparsed": raw.decode(errors="replace")}
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                reply = fake._next_reply()
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.raw_body is not None:
                    payload = reply.raw_body.encode()
                elif reply.status != 200:
                    payload = json.dumps(
                        {"type": "error", "error": {"type": "api_error", "message": f"fake error {reply.status}"}}
                    ).encode()
                else:
                    payload = json.dumps(fake._message(body, reply)).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        return Handler

    @staticmethod
    def _message(request_body: dict, reply: FakeReply) -> dict:
        if reply.tool_name:
            content = [{"type": "tool_use", "id": "toolu_fake01", "name": reply.tool_name, "input": reply.tool_input}]
            stop_reason = "tool_use"
        else:
            content = [{"type": "text", "text": reply.text or ""}]
            stop_reason = "end_turn"
        return {
            "id": "msg_fake01",
            "type": "message",
            "role": "assistant",
            "model": request_body.get("model", "fake-model"),
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 20},
        }
