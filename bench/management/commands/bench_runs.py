"""bench_runs: a maintenance run of 500 targets x 20 items: its page render, and a tick to 20 watchers.

Render: the run page through Django's test client (the full view, templates and
queries), `--rounds` times after one warm-up. Broadcast: `--watchers` sockets on
the run through one daphne (Redis channel layer); t0 just before the item POST
(the API, token auth), t1 when a socket receives the frame carrying that cell.
`--skip-live` measures the render only (no daphne, no Redis), for tests.
"""

import asyncio
import json
import time

from django.core.management.base import CommandError
from django.test import Client
from websockets.asyncio.client import connect

from accounts.models import Role
from bench.data import api_token, bench_account, make_users, session_cookie
from bench.harness import BenchCommand, Report, summary_ms, timed
from bench.management.commands.bench_push import daphne_process, http
from flows import services as flow_services
from flows.models import Flow
from maintenance import services
from maintenance.models import RunItem

TARGET_RENDER_MS = 300
TARGET_P95_MS = 100
DELIVERY_TIMEOUT_S = 5.0


class Command(BenchCommand):
    help = "Render time of a 500 x 20 run page, and tick-to-watcher latency for 20 sockets."
    bench_name = "runs"
    needs_redis = True

    def add_bench_arguments(self, parser):
        parser.add_argument("--targets", type=int, default=500)
        parser.add_argument("--items", type=int, default=20, help="action nodes of the procedure")
        parser.add_argument("--rounds", type=int, default=10, help="page renders measured")
        parser.add_argument("--watchers", type=int, default=20)
        parser.add_argument("--ticks", type=int, default=40)
        parser.add_argument("--skip-live", action="store_true", help="render only (no daphne / Redis)")

    def run_bench(self, report: Report, **opts) -> None:
        run, engineer, watchers = _setup(opts["targets"], opts["items"], opts["watchers"])
        render = _render_phase(run, engineer, opts["rounds"])
        live = None
        if not opts["skip_live"]:
            live = _live_phase(run, engineer, watchers, opts["ticks"])
        _report(report, opts, render, live)


def _graph(n: int) -> dict:
    nodes = [
        {"key": f"s{i}", "type": "action", "text": f"Check number {i + 1} of the patch list", "next": f"s{i + 1}"}
        for i in range(n)
    ]
    nodes[-1]["next"] = "done"
    nodes.append({"key": "done", "type": "outcome", "text": "Healthy", "outcome": "resolved"})
    return {"schema_version": 1, "start": "s0", "nodes": nodes}


def _setup(n_targets: int, n_items: int, n_watchers: int):
    account = bench_account("Bench runs")
    (owner,) = make_users(account, Role.OWNER, 1, "owner")
    (engineer,) = make_users(account, Role.ENGINEER, 1, "engineer")
    watchers = make_users(account, Role.VIEWER, max(n_watchers, 1), "watcher")
    flow = flow_services.create_flow(engineer, title="Patch check", kind=Flow.Kind.PROCEDURE, graph=_graph(n_items))
    flow_services.publish(flow, owner)
    targets = [{"name": f"HOST-{i:04d}", "client_name": f"Client {i % 40}"} for i in range(n_targets)]
    run = services.create_run(engineer, flow_id=flow.pk, title="Bench run", targets=targets)
    # A realistic mid-run grid: about a third recorded.
    RunItem.objects.filter(run=run, position__lt=n_items // 3).update(status=RunItem.Status.DONE)
    return run, engineer, watchers


def _render_phase(run, engineer, rounds: int) -> dict:
    client = Client()
    client.force_login(engineer)
    url = f"/runs/{run.pk}/"

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"run page answered {response.status_code}")
        return len(response.content)

    get()  # warm-up: template compilation, first queries
    durations, size = timed(get, rounds)
    return {"ms": summary_ms(durations), "bytes": size}


def _live_phase(run, engineer, watchers, ticks: int) -> dict:
    cookies = [session_cookie(u) for u in watchers]
    token = api_token(engineer)
    pending = RunItem.objects.filter(run=run, status=RunItem.Status.PENDING)
    items = list(pending.values_list("target__position", "position", "target_id", "node_key")[: ticks + 2])
    with daphne_process() as (port, _proc, _log):
        return asyncio.run(_ticks(port, run.pk, cookies, token, items))


async def _ticks(port: int, run_id, cookies: list[str], token: str, items: list) -> dict:
    arrivals = [dict() for _ in cookies]
    tasks = []
    for got, cookie in zip(arrivals, cookies, strict=True):
        ws = await connect(
            f"ws://127.0.0.1:{port}/ws/runs/{run_id}/",
            additional_headers={"Cookie": f"sessionid={cookie}"},
            origin=f"http://127.0.0.1:{port}",
            open_timeout=30,
        )
        tasks.append(asyncio.create_task(_receive(ws, got)))
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    body = json.dumps({"status": "done"}).encode()
    latencies, missed = [], 0
    for n, (row, col, target_id, key) in enumerate(items):
        t0 = time.perf_counter()
        status, payload = await http(
            port, "POST", f"/api/v1/runs/{run_id}/targets/{target_id}/items/{key}/", headers, body
        )
        if status != 200:
            raise CommandError(f"item POST answered {status}: {payload[:200]!r}")
        marker = f"c{row}-{col}"
        deadline = time.perf_counter() + DELIVERY_TIMEOUT_S
        while any(marker not in got for got in arrivals) and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        if n >= 2:  # the first two warm up daphne's API stack, unmeasured
            latencies += [got[marker] - t0 for got in arrivals if marker in got]
            missed += sum(1 for got in arrivals if marker not in got)
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    return {"latencies": latencies, "missed": missed, "watchers": len(cookies)}


async def _receive(ws, got: dict) -> None:
    try:
        async for message in ws:
            now = time.perf_counter()
            for part in message.split('<button type="button" id="')[1:]:
                got.setdefault(part.split('"', 1)[0], now)
    finally:
        await ws.close()


def _report(report: Report, opts: dict, render: dict, live: dict | None) -> None:
    ms = render["ms"]
    report.figures = {"render": {**ms, "bytes": render["bytes"]}, "grid": f"{opts['targets']} x {opts['items']}"}
    report.row("grid", f"{opts['targets']} targets x {opts['items']} items")
    report.row(
        "render p50 / p95 / max", f"{ms['p50_ms']} / {ms['p95_ms']} / {ms['max_ms']} ms ({render['bytes']} bytes)"
    )
    report.target("render_p95_ms", f"<= {TARGET_RENDER_MS} ms", ms["p95_ms"], ms["p95_ms"] <= TARGET_RENDER_MS)
    if live is None:
        return
    push = summary_ms(live["latencies"])
    report.figures["tick"] = {**push, "missed": live["missed"], "watchers": live["watchers"]}
    report.row("tick deliveries", f"{push['n']} to {live['watchers']} watchers ({live['missed']} missed)")
    report.row("tick p50 / p95 / p99", f"{push['p50_ms']} / {push['p95_ms']} / {push['p99_ms']} ms")
    report.target("tick_p95_ms", f"<= {TARGET_P95_MS} ms", push["p95_ms"], (push["p95_ms"] or 1e9) <= TARGET_P95_MS)
    report.target("tick_missed", "0", live["missed"], live["missed"] == 0)
