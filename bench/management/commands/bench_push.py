"""bench_push: escalate POST to the card on every connected socket, across several daphne processes; then polling.

`--daphnes` daphne processes share one Redis channel layer, as replicas behind a load balancer:
the sockets are spread over them round robin and each escalate POST goes to the next one, so
most deliveries cross processes through Redis. Sockets authenticate with a session cookie and
an allowed Origin, like the browser. t0 is taken just before the escalate POST; t1 when a
socket receives the fragment that carries the new handoff's id. The churn phase closes and
reopens 10% of the sockets every second while escalations arrive; a reopened socket
re-fetches the queue rows, as htmx does on `htmx:wsOpen`, so a card is delivered either by
the push or by that re-fetch. The polling phase runs clients against the queue fragment every
5 s, as a page without WebSockets would. All clients run in one asyncio process.
"""

import asyncio
import contextlib
import json
import os
import random
import re
import resource
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
TARGET_SPEEDUP = 50
HANDOFF_ID = re.compile(r'id="handoff-([0-9a-f-]{36})"')
DELIVERY_TIMEOUT_S = 5.0
# While a tenth of the sockets reopen every second the daphnes are saturated on 2 cores and a card can
# take longer than DELIVERY_TIMEOUT_S: the churn phase waits this long before calling one missed, and
# counts the slow ones apart ("late"). Missed means never delivered, by push or by the re-fetch.
CHURN_SETTLE_S = 20.0


class Command(BenchCommand):
    help = "Latency from an escalate POST to the card on every connected WebSocket, against 5 s polling."
    bench_name = "push"
    needs_redis = True

    def add_bench_arguments(self, parser):
        parser.add_argument("--daphnes", type=int, default=4, help="daphne processes on one Redis layer")
        parser.add_argument("--sockets", type=int, default=2000, help="connected seniors in all")
        parser.add_argument("--accounts", type=int, default=100, help="accounts the sockets are spread over")
        parser.add_argument("--rounds", type=int, default=100, help="escalations in the push phase")
        parser.add_argument("--churn-seconds", type=float, default=20.0, help="length of the churn phase (0: none)")
        parser.add_argument("--churn-share", type=float, default=0.1, help="share of sockets reopened each second")
        parser.add_argument(
            "--poll-seconds", type=float, default=60.0, help="length of the polling phase (~2 deliveries a second)"
        )
        parser.add_argument("--poll-clients", type=int, default=200, help="polling clients (a sample of the seniors)")
        parser.add_argument("--poll-interval", type=float, default=5.0)

    def run_bench(self, report: Report, **opts) -> None:
        _raise_open_files_limit()
        sessions = opts["rounds"] + int(opts["churn_seconds"] * 2) + int(opts["poll_seconds"])
        tenants = _setup(opts["accounts"], opts["sockets"] // opts["accounts"], sessions)
        with contextlib.ExitStack() as stack:
            servers = [stack.enter_context(daphne_process()) for _ in range(opts["daphnes"])]
            ports = [port for port, _, _ in servers]
            rss = {"started": [_rss_mb(proc.pid) for _, proc, _ in servers]}
            try:
                push = asyncio.run(push_phase(ports, tenants, opts, rss, [proc.pid for _, proc, _ in servers]))
                poll = asyncio.run(
                    poll_phase(ports, tenants, opts["poll_seconds"], opts["poll_interval"], opts["poll_clients"])
                )
            except CommandError:
                for _, _, log in servers:  # what the server said about it
                    log.seek(0)
                    self.stderr.write("".join(log.readlines()[-60:]))
                raise
            rss["end"] = [_rss_mb(proc.pid) for _, proc, _ in servers]
            errors = Counter()
            for _, _, log in servers:
                errors.update(_errors(log))
        _report(report, opts, push, poll)
        report.figures["daphne_rss_mb"] = rss
        report.figures["daphne_errors"] = dict(errors)
        report.row("daphne RSS MB (each)", " -> ".join(f"{k}: {v}" for k, v in rss.items()))
        report.row("daphne errors", ", ".join(f"{n} x {msg}" for msg, n in errors.items()) or "none")


def _raise_open_files_limit() -> None:
    """Thousands of sockets need thousands of descriptors here and in each daphne (they inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))


def _rss_mb(pid: int) -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def _errors(log) -> Counter:
    log.seek(0)
    errors = Counter()
    for line in log:
        if "Exception inside application" in line:
            errors[line.split("Exception inside application: ", 1)[1].strip()] += 1
        elif "Internal Server Error" in line:
            errors["Internal Server Error"] += 1
    return errors


def _setup(n_accounts: int, per_account: int, sessions: int) -> list[dict]:
    """Accounts with seniors (session cookies) and an escalator (API token) with sessions to escalate."""
    tenants = []
    sessions_each = sessions // n_accounts + 10  # the churn phase picks accounts at random
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
                "senior_token": api_token(seniors[0]),
                "sessions": [str(s.pk) for s in sessions],
            }
        )
    return tenants


@contextlib.contextmanager
def daphne_process():
    """One daphne process on a free port with its stderr in a temporary file; yields (port, process, log)."""
    port = free_port()
    daphne = Path(sys.executable).with_name("daphne")
    cmd = [str(daphne), "-b", "127.0.0.1", "-p", str(port), "-v", "0", "--websocket_timeout", "-1"]
    with tempfile.TemporaryFile("w+") as log:
        # Our own daphne binary and a free port we chose; the environment carries the bench URLs.
        proc = subprocess.Popen([*cmd, "resolutionflow.asgi:application"], env=os.environ.copy(), stderr=log)  # noqa: S603
        try:
            wait_for_port(port, timeout=60, proc=proc)
        except Exception as exc:
            proc.kill()
            raise CommandError(f"daphne did not start: {exc}") from exc
        try:
            yield port, proc, log
        finally:
            proc.terminate()
            proc.wait(timeout=10)


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


def _sockets(ports: list[int], tenants: list[dict]) -> list[dict]:
    """One entry per senior, spread over the daphne processes round robin."""
    cookies = [(t, cookie) for t, tenant in enumerate(tenants) for cookie in tenant["cookies"]]
    return [
        {"t": t, "port": ports[i % len(ports)], "cookie": cookie, "got": {}, "refetched": set(), "task": None}
        for i, (t, cookie) in enumerate(cookies)
    ]


async def _open(sock: dict) -> None:
    ws = await connect(
        f"ws://127.0.0.1:{sock['port']}/ws/escalations/",
        additional_headers={"Cookie": f"sessionid={sock['cookie']}"},
        origin=f"http://127.0.0.1:{sock['port']}",
        open_timeout=60,
        max_queue=None,
    )
    sock["task"] = asyncio.create_task(_receive(ws, sock["got"]))


async def _receive(ws, got: dict[str, float]) -> None:
    try:
        async for message in ws:
            now = time.perf_counter()
            for handoff_id in HANDOFF_ID.findall(message):
                got.setdefault(handoff_id, now)
    finally:
        await ws.close()


async def _wait_for(sockets: list[dict], handoff_id: str, deadline: float) -> None:
    while any(handoff_id not in s["got"] for s in sockets) and time.perf_counter() < deadline:
        await asyncio.sleep(0.002)


async def push_phase(ports: list[int], tenants: list[dict], opts: dict, rss: dict, pids: list[int]) -> dict:
    sockets = _sockets(ports, tenants)
    for start in range(0, len(sockets), 100):  # connect in batches, as a page load wave would
        await asyncio.gather(*(_open(sock) for sock in sockets[start : start + 100]))
    rss["connected"] = [_rss_mb(pid) for pid in pids]
    own = {t: [s for s in sockets if s["t"] == t] for t in range(len(tenants))}
    # Warm up, unmeasured: each daphne's first requests import the API stack and open connections.
    for k, port in enumerate(ports):
        await escalate(port, tenants[k % len(tenants)])
    await asyncio.sleep(1.0)
    latencies, missed, leaked, crossed = [], 0, 0, 0
    for r in range(opts["rounds"]):
        t, port = r % len(tenants), ports[r % len(ports)]
        t0, handoff_id = await escalate(port, tenants[t])
        await _wait_for(own[t], handoff_id, time.perf_counter() + DELIVERY_TIMEOUT_S)
        for sock in own[t]:
            if handoff_id in sock["got"]:
                latencies.append(sock["got"][handoff_id] - t0)
                crossed += sock["port"] != port
            else:
                missed += 1
        leaked += sum(1 for sock in sockets if sock["t"] != t and handoff_id in sock["got"])
        await asyncio.sleep(0.02)
    rss["after_push"] = [_rss_mb(pid) for pid in pids]
    push = {"latencies": latencies, "missed": missed, "leaked": leaked, "sockets": len(sockets), "crossed": crossed}
    churn = await churn_phase(ports, tenants, sockets, own, opts) if opts["churn_seconds"] > 0 else None
    rss["after_churn"] = [_rss_mb(pid) for pid in pids]
    for sock in sockets:
        sock["task"].cancel()
    await asyncio.gather(*(sock["task"] for sock in sockets), return_exceptions=True)
    return {"push": push, "churn": churn}


# --- churn phase -------------------------------------------------------------------


async def churn_phase(ports: list[int], tenants: list[dict], sockets: list[dict], own: dict, opts: dict) -> dict:
    """Every second `churn_share` of the sockets close and reopen (and re-fetch the rows) while escalations arrive."""
    rng = random.Random(19)
    end = time.perf_counter() + opts["churn_seconds"]
    born: dict[str, tuple[int, float]] = {}
    stats = {"reconnects": 0, "refetch_errors": 0, "refetch_statuses": {}}

    async def reopen(sock: dict) -> None:
        sock["task"].cancel()
        await _open(sock)
        status, body = await http(
            sock["port"], "GET", "/escalations/queue/rows/", {"Cookie": f"sessionid={sock['cookie']}"}
        )
        now = time.perf_counter()
        if status != 200:
            stats["refetch_errors"] += 1
            stats["refetch_statuses"][status] = stats["refetch_statuses"].get(status, 0) + 1
        for handoff_id in HANDOFF_ID.findall(body.decode()):
            if handoff_id not in sock["got"]:
                sock["got"][handoff_id] = now
                sock["refetched"].add(handoff_id)

    async def churner() -> None:
        while time.perf_counter() < end:
            tick = time.perf_counter()
            chosen = rng.sample(sockets, max(1, int(len(sockets) * opts["churn_share"])))
            await asyncio.gather(*(reopen(sock) for sock in chosen))
            stats["reconnects"] += len(chosen)
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))

    async def escalator() -> None:
        r = 0
        while time.perf_counter() < end:
            t = rng.randrange(len(tenants))
            t0, handoff_id = await escalate(ports[r % len(ports)], tenants[t])
            born[handoff_id] = (t, t0)
            r += 1
            await asyncio.sleep(0.5)

    await asyncio.gather(churner(), escalator())
    deadline = time.perf_counter() + CHURN_SETTLE_S
    for handoff_id, (t, _) in born.items():
        await _wait_for(own[t], handoff_id, deadline)
    latencies, missed, leaked, refetched = [], 0, 0, 0
    for handoff_id, (t, t0) in born.items():
        for sock in own[t]:
            if handoff_id in sock["got"]:
                latencies.append(sock["got"][handoff_id] - t0)
                refetched += handoff_id in sock["refetched"]
            else:
                missed += 1
        leaked += sum(1 for sock in sockets if sock["t"] != t and handoff_id in sock["got"])
    return {
        "escalations": len(born),
        "latencies": latencies,
        "missed": missed,
        "late": sum(1 for latency in latencies if latency > DELIVERY_TIMEOUT_S),
        "leaked": leaked,
        "delivered_by_refetch": refetched,
        **stats,
    }


# --- polling phase -----------------------------------------------------------------


async def poll_phase(ports: list[int], tenants: list[dict], seconds: float, interval: float, n_clients: int) -> dict:
    """`n_clients` seniors (round robin over the accounts and daphnes) poll the queue fragment every `interval`."""
    born: dict[str, tuple[int, float]] = {}
    seen: list[float] = []
    stats = {"requests": 0, "errors": 0, "durations": []}
    end = time.perf_counter() + seconds
    clients = []
    for j in range(n_clients):
        t = j % len(tenants)
        cookies = tenants[t]["cookies"]
        cookie = cookies[(j // len(tenants)) % len(cookies)]
        clients.append(asyncio.create_task(_poller(ports[j % len(ports)], t, cookie, interval, end, born, seen, stats)))
    polled = {j % len(tenants) for j in range(n_clients)}
    per_tenant = {t: sum(1 for j in range(n_clients) if j % len(tenants) == t) for t in polled}
    started = time.perf_counter()
    escalations, r = 0, 0
    # Escalate during the first part only, so every client polls at least once after each.
    while time.perf_counter() < end - interval - 1:
        t = sorted(polled)[r % len(polled)]
        t0, handoff_id = await escalate(ports[r % len(ports)], tenants[t])
        born[handoff_id] = (t, t0)
        escalations, r = escalations + 1, r + 1
        await asyncio.sleep(1.0)
    await asyncio.gather(*clients)
    elapsed = time.perf_counter() - started
    expected = sum(per_tenant[t] for t, _ in born.values())
    return {
        "latencies": seen,
        "missed": expected - len(seen),
        "clients": n_clients,
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


def _report(report: Report, opts: dict, phases: dict, poll: dict) -> None:
    push, churn = phases["push"], phases["churn"]
    push_ms, poll_ms = summary_ms(push["latencies"]), summary_ms(poll["latencies"])
    speedup = round(poll_ms["p50_ms"] / push_ms["p50_ms"], 1) if push_ms["n"] and poll_ms["n"] else 0
    report.figures = {
        "daphnes": opts["daphnes"],
        "push": {**push_ms, **{k: v for k, v in push.items() if k != "latencies"}},
        "poll": {**poll_ms, **{k: v for k, v in poll.items() if k != "latencies"}},
        "speedup_p50": speedup,
    }
    report.row("daphnes / sockets / accounts", f"{opts['daphnes']} / {push['sockets']} / {opts['accounts']}")
    report.row("push: deliveries", f"{push_ms['n']} ({push['crossed']} across processes; {push['missed']} missed, "
               f"{push['leaked']} to other accounts)")  # fmt: skip
    report.row("push: p50 / p95 / p99", f"{push_ms['p50_ms']} / {push_ms['p95_ms']} / {push_ms['p99_ms']} ms")
    lost = push["missed"] + push["leaked"]
    if churn is not None:
        churn_ms = summary_ms(churn["latencies"])
        report.figures["churn"] = {**churn_ms, **{k: v for k, v in churn.items() if k != "latencies"}}
        report.row("churn: reconnects / escalations", f"{churn['reconnects']} / {churn['escalations']}")
        report.row("churn: deliveries", f"{churn_ms['n']} ({churn['delivered_by_refetch']} by the re-fetch on open; "
                   f"{churn['late']} after {DELIVERY_TIMEOUT_S:g} s; {churn['missed']} missed, "
                   f"{churn['leaked']} to other accounts)")  # fmt: skip
        report.row("churn: p50 / p95 / p99", f"{churn_ms['p50_ms']} / {churn_ms['p95_ms']} / {churn_ms['p99_ms']} ms")
        churn_lost = churn["missed"] + churn["leaked"] + churn["refetch_errors"]
    report.row("poll: deliveries", f"{poll_ms['n']} ({poll['missed']} missed) over {poll['escalations']} escalations")
    report.row("poll: p50 / p95 / p99", f"{poll_ms['p50_ms']} / {poll_ms['p95_ms']} / {poll_ms['p99_ms']} ms")
    report.row(
        "poll: server load",
        f"{poll['clients']} clients, {poll['rps']} req/s, request p95 {poll['request_ms']['p95_ms']} ms",
    )
    report.target(
        "push_p95_ms", f"<= {TARGET_P95_MS} ms", push_ms["p95_ms"], (push_ms["p95_ms"] or 1e9) <= TARGET_P95_MS
    )
    report.target("push_missed", "0", lost, lost == 0)
    if churn is not None:
        report.target("churn_missed", "0", churn_lost, churn_lost == 0)
    report.target("poll_over_push_p50", f">= {TARGET_SPEEDUP}x", f"{speedup}x", speedup >= TARGET_SPEEDUP)
