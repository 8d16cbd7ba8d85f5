"""bench_soak: the real stack (2 daphne, a Celery worker, beat) under a steady escalate/claim/resolve mix.

`--minutes` (default 2; `--full` is 10) of: one escalation every `1/--rate` s in a random account
(junior's API token), its claim by a senior about 2 s later and the session's resolve about 2 s
after that, while `--sockets` seniors stay connected to the queue. Counted: every answer that
is not the expected one, every server or worker error line, cards missed by a socket of the
account, memory (RSS) of each process at the start and the end, and every email row: at the
end none may still be queued (each is sent or failed) once the worker has had a minute.
"""

import asyncio
import contextlib
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import CommandError

from bench.harness import BenchCommand, Report, summary_ms
from bench.management.commands.bench_push import (
    _open,
    _raise_open_files_limit,
    _rss_mb,
    _setup,
    _sockets,
    daphne_process,
    escalate,
    http,
)
from escalations.models import NotificationLog
from resolutionflow.celery import app as celery_app

ERROR_MARKS = ("Exception inside application", "Internal Server Error", "Traceback", "ERROR")
STEP_DELAY_S = 2.0
EMAIL_DRAIN_S = 90


class Command(BenchCommand):
    help = "Soak the real stack (2 daphne, worker, beat) with escalate/claim/resolve and open sockets."
    bench_name = "soak"
    needs_redis = True

    def add_bench_arguments(self, parser):
        parser.add_argument("--minutes", type=float, default=2.0)
        parser.add_argument("--full", action="store_true", help="10 minutes")
        parser.add_argument("--daphnes", type=int, default=2)
        parser.add_argument("--sockets", type=int, default=500)
        parser.add_argument("--accounts", type=int, default=25)
        parser.add_argument("--rate", type=float, default=1.0, help="escalations per second")

    def run_bench(self, report: Report, **opts) -> None:
        _raise_open_files_limit()
        seconds = 600 if opts["full"] else opts["minutes"] * 60
        tenants = _setup(opts["accounts"], opts["sockets"] // opts["accounts"], int(seconds * opts["rate"] * 1.5))
        with contextlib.ExitStack() as stack:
            servers = [stack.enter_context(daphne_process()) for _ in range(opts["daphnes"])]
            worker_log = stack.enter_context(tempfile.TemporaryFile("w+"))
            worker = stack.enter_context(_worker(worker_log))
            beat_log = stack.enter_context(tempfile.TemporaryFile("w+"))
            beat = stack.enter_context(_beat(beat_log))
            processes = {f"daphne{i}": proc.pid for i, (_, proc, _) in enumerate(servers)}
            processes |= {"worker": worker.pid, "beat": beat.pid}
            rss = {"start": _tree_rss(processes)}
            # Growth is measured from the end of a warm-up (imports, pools and caches filled) to the end.
            warm = lambda: rss.setdefault("warm", _tree_rss(processes))  # noqa: E731
            load = asyncio.run(soak([port for port, _, _ in servers], tenants, seconds, opts["rate"], warm))
            rss["end"] = _tree_rss(processes)
            emails = _drain_emails()
            logs = {f"daphne{i}": log for i, (_, _, log) in enumerate(servers)} | {
                "worker": worker_log,
                "beat": beat_log,
            }
            errors = {name: _error_lines(log) for name, log in logs.items()}
        _report(report, seconds, opts, load, rss, emails, errors)


@contextlib.contextmanager
def _worker(log):
    """The project's Celery worker (prefork, 2 processes), answering a ping before the load starts."""
    cmd = [sys.executable, "-m", "celery", "-A", "resolutionflow", "worker", "--loglevel", "WARNING"]
    cmd += ["--concurrency", "2", "--pool", "prefork", "--without-gossip", "--without-mingle"]
    proc = subprocess.Popen(cmd, stderr=log, stdout=log)  # noqa: S603 - our interpreter, fixed arguments
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise CommandError("the celery worker did not start")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextlib.contextmanager
def _beat(log):
    with tempfile.TemporaryDirectory() as folder:
        cmd = [sys.executable, "-m", "celery", "-A", "resolutionflow", "beat", "--loglevel", "WARNING"]
        cmd += ["--schedule", str(Path(folder) / "beat-schedule")]
        proc = subprocess.Popen(cmd, stderr=log, stdout=log)  # noqa: S603 - our interpreter, fixed arguments
        try:
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def _tree_rss(processes: dict[str, int]) -> dict[str, float]:
    """RSS in MB of each process, a worker counted with its pool children."""
    result = {}
    for name, pid in processes.items():
        total = _rss_mb(pid) or 0.0
        with contextlib.suppress(OSError):
            for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
                total += _rss_mb(int(child)) or 0.0
        result[name] = round(total, 1)
    return result


def _error_lines(log) -> int:
    log.flush()
    log.seek(0)
    return sum(1 for line in log if any(mark in line for mark in ERROR_MARKS))


def _drain_emails() -> dict:
    """Give the worker up to EMAIL_DRAIN_S to send what is queued; then the rows by status."""
    deadline = time.monotonic() + EMAIL_DRAIN_S
    while NotificationLog.objects.filter(status=NotificationLog.Status.QUEUED).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(1)
    return dict(Counter(NotificationLog.objects.values_list("status", flat=True)))


async def soak(ports: list[int], tenants: list[dict], seconds: float, rate: float, warm) -> dict:
    sockets = _sockets(ports, tenants)
    for start in range(0, len(sockets), 100):
        await asyncio.gather(*(_open(sock) for sock in sockets[start : start + 100]))
    rng = random.Random(23)
    answers: Counter = Counter()
    escalated: list[tuple[int, str, float]] = []
    timings: dict[str, list[float]] = {"escalate": [], "claim": [], "resolve": []}
    tasks = []
    end = time.perf_counter() + seconds
    warm_at = time.perf_counter() + min(30.0, seconds / 4)
    r = 0
    while time.perf_counter() < end:
        if time.perf_counter() >= warm_at:
            warm()
        t = rng.randrange(len(tenants))
        session_id = tenants[t]["sessions"][-1]
        started = time.perf_counter()
        _, handoff_id = await escalate(ports[r % len(ports)], tenants[t])
        timings["escalate"].append(time.perf_counter() - started)
        answers["escalate 201"] += 1
        escalated.append((t, handoff_id, started))
        tasks.append(asyncio.create_task(_claim_and_resolve(ports[(r + 1) % len(ports)], tenants[t], handoff_id,
                                                            session_id, answers, timings)))  # fmt: skip
        r += 1
        await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - started)))
    await asyncio.gather(*tasks)
    await asyncio.sleep(2)
    missed = sum(1 for t, hid, _ in escalated for sock in sockets if sock["t"] == t and hid not in sock["got"])
    leaked = sum(1 for t, hid, _ in escalated for sock in sockets if sock["t"] != t and hid in sock["got"])
    for sock in sockets:
        sock["task"].cancel()
    await asyncio.gather(*(sock["task"] for sock in sockets), return_exceptions=True)
    return {
        "escalations": len(escalated),
        "answers": dict(answers),
        "missed": missed,
        "leaked": leaked,
        "sockets": len(sockets),
        "latency": {name: summary_ms(values) for name, values in timings.items()},
    }


async def _claim_and_resolve(port, tenant, handoff_id, session_id, answers, timings) -> None:
    headers = {"Authorization": f"Token {tenant['senior_token']}", "Content-Type": "application/json"}
    await asyncio.sleep(STEP_DELAY_S)
    started = time.perf_counter()
    status, _ = await http(port, "POST", f"/api/v1/handoffs/{handoff_id}/claim/", headers)
    timings["claim"].append(time.perf_counter() - started)
    answers[f"claim {status}"] += 1
    if status != 200:
        return
    await asyncio.sleep(STEP_DELAY_S)
    body = json.dumps({"resolution_summary": "Cleared the cached credentials; Outlook starts."}).encode()
    started = time.perf_counter()
    status, _ = await http(port, "POST", f"/api/v1/sessions/{session_id}/resolve/", headers, body)
    timings["resolve"].append(time.perf_counter() - started)
    answers[f"resolve {status}"] += 1


def _report(report: Report, seconds: float, opts: dict, load: dict, rss: dict, emails: dict, errors: dict) -> None:
    growth = {name: round(rss["end"][name] - rss["warm"][name], 1) for name in rss["start"]}
    expected = {"escalate 201", "claim 200", "resolve 200"}
    unexpected = sum(n for answer, n in load["answers"].items() if answer not in expected)
    error_lines = sum(errors.values())
    queued = emails.get(NotificationLog.Status.QUEUED, 0)
    report.figures = {
        "seconds": seconds,
        **load,
        "rss_mb": rss,
        "rss_growth_mb": growth,
        "emails": emails,
        "error_lines": errors,
    }
    report.row("run", f"{seconds / 60:.1f} min, {opts['daphnes']} daphne + worker + beat, {load['sockets']} sockets")
    report.row("answers", ", ".join(f"{k}: {v}" for k, v in sorted(load["answers"].items())))
    for name, stats in load["latency"].items():
        report.row(f"{name} p50 / p95", f"{stats['p50_ms']} / {stats['p95_ms']} ms")
    report.row("cards missed / leaked", f"{load['missed']} / {load['leaked']}")
    report.row(
        "RSS start / warm -> end (MB)",
        ", ".join(f"{n}: {rss['start'][n]} / {rss['warm'][n]} -> {rss['end'][n]}" for n in rss["start"]),
    )
    report.row("email rows", ", ".join(f"{k}: {v}" for k, v in sorted(emails.items())) or "none")
    report.row("error lines", ", ".join(f"{k}: {v}" for k, v in errors.items()))
    report.target("errors", "0", unexpected + error_lines, unexpected + error_lines == 0)
    report.target("cards_missed", "0", load["missed"] + load["leaked"], load["missed"] + load["leaked"] == 0)
    report.target("emails_stuck_queued", "0", queued, queued == 0 and sum(emails.values()) > 0)
