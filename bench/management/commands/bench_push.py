"""bench_push: escalate POST to the card on every connected socket, through one daphne; then polling.

Sockets authenticate with a session cookie and an allowed Origin, like the
browser. t0 is taken just before the escalate POST; t1 when a socket receives
the fragment that carries the new handoff's id. The polling phase runs the
same clients against the queue fragment every 5 s, as a page without
WebSockets would.
"""

import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import CommandError
from websockets.asyncio.client import connect

from accounts.models import Role
from bench.data import api_token, bench_account, make_users, session_cookie
from bench.harness import BenchCommand, Report, summary_ms
from flowpilot.models import Session
from tests.support.services import free_port, wait_for_port

TARGET_P95_MS = 100
TARGET_SPEEDUP = 25
HANDOFF_ID = re.compile(r'id="handoff-([0-9a-f-]{36})"')
DELIVERY_TIMEOUT_S = 5.0


class Command(BenchCommand):
    help = "Latency from an escalate POST to the card on every connected WebSocket, against 5 s polling."
    bench_name = "push"
    needs_redis = True

    def add_bench_arguments(self, parser):
        parser.add_argument("--sockets", type=int, default=200, help="connected seniors in all")
        parser.add_argument("--accounts", type=int, default=20, help="accounts the sockets are spread over")
        parser.add_argument("--rounds", type=int, default=40, help="escalations in the push phase")
        parser.add_argument("--poll-seconds", type=float, default=30.0, help="length of the polling phase")
        parser.add_argument("--poll-interval", type=float, default=5.0)

    def run_bench(self, report: Report, **opts) -> None:
        tenants = _setup(opts["accounts"], opts["sockets"] // opts["accounts"], opts["rounds"], opts["poll_seconds"])
        port = free_port()
        with tempfile.TemporaryFile("w+") as log:
            daphne = _start_daphne(port, log)
            try:
                push = asyncio.run(push_phase(port, tenants, opts["rounds"]))
                poll = asyncio.run(poll_phase(port, tenants, opts["poll_seconds"], opts["poll_interval"]))
            finally:
                daphne.terminate()
                daphne.wait(timeout=10)
            log.seek(0)
            errors = Counter(
                line.split("Exception inside application: ", 1)[1].strip()
                for line in log
                if "Exception inside application" in line
            )
        _report(report, opts, push, poll)
        report.figures["daphne_errors"] = dict(errors)
        report.row("daphne errors", ", ".join(f"{n} x {msg}" for msg, n in errors.items()) or "none")


def _setup(n_accounts: int, per_account: int, rounds: int, poll_seconds: float) -> list[dict]:
    """Accounts with seniors (session cookies) and an escalator (API token) with sessions to escalate."""
    tenants = []
    sessions_each = rounds // n_accounts + int(poll_seconds) // n_accounts + 4
    for i in range(n_accounts):
        account = bench_account(f"Bench push {i}")
        seniors = make_users(account, Role.ENGINEER, per_account, "senior")
        (junior,) = make_users(account, Role.ENGINEER, 1, "junior")
        sessions = Session.objects.bulk_create(
            Session(account=account, owner=junior, assignee=junior, problem_summary=f"Outlook crashes on start {n}")
            for n in range(sessions_each)
        )
        tenants.append(
            {
                "cookies": [session_cookie(u) for u in seniors],
                "token": api_token(junior),
                "sessions": [str(s.pk) for s in sessions],
            }
        )
    return tenants


def _start_daphne(port: int, log) -> subprocess.Popen:
    daphne = Path(sys.executable).with_name("daphne")
    cmd = [str(daphne), "-b", "127.0.0.1", "-p", str(port), "-v", "0", "--websocket_timeout", "-1"]
    # Our own daphne binary and a free port we chose; the environment carries the bench URLs.
    proc = subprocess.Popen([*cmd, "resolutionflow.asgi:application"], env=os.environ.copy(), stderr=log)  # noqa: S603
    try:
        wait_for_port(port, timeout=60, proc=proc)
    except Exception as exc:
        proc.kill()
        raise CommandError(f"daphne did not start: {exc}") from exc
    return proc


# --- minimal HTTP over asyncio (one connection per request, like a fresh poll) ---------


async def http(port: int, method: str, path: str, headers: dict, body: bytes = b"") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()] + [f"Content-Length: {len(body)}", "", ""]
    writer.write("\r\n".join(lines).encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), payload


async def escalate(port: int, tenant: dict) -> tuple[float, str]:
    """POST the escalation; t0 (taken just before) and the new handoff's id."""
    body = json.dumps(
        {"intent": "escalate", "engineer_notes": "Safe mode works; profile reset did not.", "priority": "high"}
    )
    headers = {"Authorization": f"Token {tenant['token']}", "Content-Type": "application/json"}
    t0 = time.perf_counter()
    status, payload = await http(
        port, "POST", f"/api/v1/sessions/{tenant['sessions'].pop()}/handoffs/", headers, body.encode()
    )
    if status != 201:
        raise CommandError(f"escalate answered {status}: {payload[:200]!r}")
    return t0, json.loads(payload)["id"]


# --- push phase --------------------------------------------------------------------


async def push_phase(port: int, tenants: list[dict], rounds: int) -> dict:
    arrivals: dict[tuple[int, int], dict[str, float]] = {}
    sockets = []
    for t, tenant in enumerate(tenants):
        for s, cookie in enumerate(tenant["cookies"]):
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/escalations/",
                additional_headers={"Cookie": f"sessionid={cookie}"},
                origin=f"http://127.0.0.1:{port}",
                open_timeout=30,
            )
            arrivals[(t, s)] = {}
            sockets.append(asyncio.create_task(_receive(ws, arrivals[(t, s)])))
    # Warm up, unmeasured: daphne's first requests import the API stack and open connections.
    for tenant in tenants[:2]:
        await escalate(port, tenant)
    await asyncio.sleep(1.0)
    latencies, missed, leaked = [], 0, 0
    for r in range(rounds):
        t = r % len(tenants)
        t0, handoff_id = await escalate(port, tenants[t])
        deadline = time.perf_counter() + DELIVERY_TIMEOUT_S
        own = [arrivals[(t, s)] for s in range(len(tenants[t]["cookies"]))]
        while any(handoff_id not in got for got in own) and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        latencies += [got[handoff_id] - t0 for got in own if handoff_id in got]
        missed += sum(1 for got in own if handoff_id not in got)
        leaked += sum(1 for (other, _), got in arrivals.items() if other != t and handoff_id in got)
        await asyncio.sleep(0.05)
    for task in sockets:
        task.cancel()
    return {"latencies": latencies, "missed": missed, "leaked": leaked, "sockets": len(sockets)}


async def _receive(ws, got: dict[str, float]) -> None:
    try:
        async for message in ws:
            now = time.perf_counter()
            for handoff_id in HANDOFF_ID.findall(message):
                got.setdefault(handoff_id, now)
    finally:
        await ws.close()


# --- polling phase -----------------------------------------------------------------


async def poll_phase(port: int, tenants: list[dict], seconds: float, interval: float) -> dict:
    """Every client polls the queue fragment every `interval`; escalations arrive meanwhile."""
    born: dict[str, tuple[int, float]] = {}
    seen: list[float] = []
    stats = {"requests": 0, "errors": 0, "durations": []}
    end = time.perf_counter() + seconds
    clients = [
        asyncio.create_task(_poller(port, t, cookie, interval, end, born, seen, stats))
        for t, tenant in enumerate(tenants)
        for cookie in tenant["cookies"]
    ]
    started = time.perf_counter()
    escalations, r = 0, 0
    # Escalate during the first part only, so every client polls at least once after each.
    while time.perf_counter() < end - interval - 1:
        t = r % len(tenants)
        t0, handoff_id = await escalate(port, tenants[t])
        born[handoff_id] = (t, t0)
        escalations, r = escalations + 1, r + 1
        await asyncio.sleep(1.0)
    await asyncio.gather(*clients)
    elapsed = time.perf_counter() - started
    expected = sum(len(tenants[t]["cookies"]) for t, _ in born.values())
    return {
        "latencies": seen,
        "missed": expected - len(seen),
        "escalations": escalations,
        "requests": stats["requests"],
        "errors": stats["errors"],
        "rps": round(stats["requests"] / elapsed, 1),
        "request_ms": summary_ms(stats["durations"]),
    }


async def _poller(port, tenant_index, cookie, interval, end, born, seen, stats) -> None:
    known: set[str] = set()
    await asyncio.sleep(random.uniform(0, interval))  # clients load their pages at different moments
    while time.perf_counter() < end:
        tick = time.perf_counter()
        status, body = await http(port, "GET", "/escalations/queue/rows/", {"Cookie": f"sessionid={cookie}"})
        now = time.perf_counter()
        stats["requests"] += 1
        stats["durations"].append(now - tick)
        if status != 200:
            stats["errors"] += 1
        for handoff_id in set(HANDOFF_ID.findall(body.decode())) - known:
            known.add(handoff_id)
            if handoff_id in born and born[handoff_id][0] == tenant_index:
                seen.append(now - born[handoff_id][1])
        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - tick)))


def _report(report: Report, opts: dict, push: dict, poll: dict) -> None:
    push_ms, poll_ms = summary_ms(push["latencies"]), summary_ms(poll["latencies"])
    speedup = round(poll_ms["p50_ms"] / push_ms["p50_ms"], 1) if push_ms["n"] and poll_ms["n"] else 0
    report.figures = {"push": {**push_ms, "missed": push["missed"], "leaked": push["leaked"]}}
    report.figures["poll"] = {**poll_ms, **{k: v for k, v in poll.items() if k != "latencies"}}
    report.figures["speedup_p50"] = speedup
    report.row("sockets / accounts", f"{push['sockets']} / {opts['accounts']}")
    report.row("push: deliveries", f"{push_ms['n']} ({push['missed']} missed, {push['leaked']} to other accounts)")
    report.row("push: p50 / p95 / p99", f"{push_ms['p50_ms']} / {push_ms['p95_ms']} / {push_ms['p99_ms']} ms")
    report.row("poll: deliveries", f"{poll_ms['n']} ({poll['missed']} missed) over {poll['escalations']} escalations")
    report.row("poll: p50 / p95 / p99", f"{poll_ms['p50_ms']} / {poll_ms['p95_ms']} / {poll_ms['p99_ms']} ms")
    report.row("poll: server load", f"{poll['rps']} req/s, request p95 {poll['request_ms']['p95_ms']} ms")
    report.target(
        "push_p95_ms", f"<= {TARGET_P95_MS} ms", push_ms["p95_ms"], (push_ms["p95_ms"] or 1e9) <= TARGET_P95_MS
    )
    report.target("push_missed", "0", push["missed"] + push["leaked"], push["missed"] + push["leaked"] == 0)
    report.target("poll_over_push_p50", f">= {TARGET_SPEEDUP}x", f"{speedup}x", speedup >= TARGET_SPEEDUP)
