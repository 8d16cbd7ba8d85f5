"""`python -m tests.support.bench_stalled_ai`: escalate on `make run` while the AI never answers.

Starts a local "Anthropic" that accepts connections and never replies, runs
`make run` against it (its own SQLite file and task folder, a free port), opens
a senior's live-queue socket, escalates a junior's session over the API, and
prints one JSON line: how long the escalate request took, how long until the
card reached the senior, and the assessment state at that moment ("pending":
the AI is still being waited for, by the worker, not by the request).
`--in-process` runs the same with TASK_QUEUE_DIR empty (tasks in the request, as
before the embedded worker) for comparison.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import websockets

from tests.support.services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
JUNIOR, SENIOR, PASSWORD = "jamie@northwind.test", "sam@northwind.test", "resolve-2026"


def silent_server() -> int:
    """Accepts TCP connections and never answers (a stalled AI endpoint)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held = []

    def accept_forever():
        while True:
            conn, _ = listener.accept()
            held.append(conn)

    threading.Thread(target=accept_forever, daemon=True).start()
    return listener.getsockname()[1]


def post_json(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict, float]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read() or b"{}"), time.monotonic() - started


def session_cookie(base: str, email: str) -> str:
    """Sign in through the login form, as a browser would."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/", timeout=30).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = f"username={email}&password={PASSWORD}&csrfmiddlewaretoken={csrf}".encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers={"Referer": base + "/"})
    opener.open(request, timeout=30).read()
    return next(c.value for c in jar if c.name == "sessionid")


async def measure(base: str) -> dict:
    cookie = session_cookie(base, SENIOR)
    _, token, _ = post_json(f"{base}/api/v1/auth/token/", {"username": JUNIOR, "password": PASSWORD})
    auth = {"Authorization": f"Token {token['token']}"}
    _, session, _ = post_json(f"{base}/api/v1/sessions/", {"problem_summary": "Bench: VPN drops"}, auth)
    ws_url = base.replace("http://", "ws://") + "/ws/escalations/"
    async with websockets.connect(ws_url, origin=base, additional_headers={"Cookie": f"sessionid={cookie}"}) as ws:
        await asyncio.sleep(0.5)  # let the subscription settle before the clock starts
        started = time.monotonic()
        status, handoff, escalate_s = await asyncio.to_thread(
            post_json, f"{base}/api/v1/sessions/{session['id']}/handoffs/", {"intent": "escalate"}, auth
        )
        while handoff["id"] not in await asyncio.wait_for(ws.recv(), timeout=30):
            pass
        card_s = time.monotonic() - started
    with urllib.request.urlopen(urllib.request.Request(f"{base}/api/v1/handoffs/{handoff['id']}/", headers=auth)) as r:
        assessment = json.loads(r.read())["assessment_status"]
    return {
        "escalate_status": status,
        "escalate_ms": round(escalate_s * 1000, 1),
        "card_to_senior_ms": round(card_s * 1000, 1),
        "assessment_status_when_card_arrived": assessment,
    }


def main(argv: list[str]) -> int:
    in_process = "--in-process" in argv
    ai_port, port = silent_server(), free_port()
    folder = tempfile.mkdtemp(prefix="rf-bench-run-")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")},
        "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
        "TASK_QUEUE_DIR": "" if in_process else f"{folder}/tasks",
        "ANTHROPIC_API_KEY": "sk-bench-never-answers",
        "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{ai_port}",
        "EMAIL_URL": "dummymail://",
    }
    make = subprocess.Popen(
        ["make", "-s", "run", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, timeout=180, proc=make)
        time.sleep(3)  # the worker starts beside daphne
        result = asyncio.run(measure(f"http://127.0.0.1:{port}"))
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)
    mode = "in_process" if in_process else "worker"
    print(json.dumps({"bench": "stalled_ai_escalate_on_make_run", "tasks": mode, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
