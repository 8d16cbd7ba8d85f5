"""bench_claim: many simultaneous claims on one handoff, several rounds; one winner each, and how fast."""

import functools
import logging
import multiprocessing
import random
import threading
import time
from collections import Counter

from django.db import close_old_connections, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Role, User
from bench.data import bench_account, make_users, seed_open_escalations
from bench.harness import BenchCommand, Report, summary_ms
from escalations.models import Handoff

TARGET_P99_MS = 150


BARRIER_TIMEOUT_S = 60
# Web worker processes serving the burst (--workers): a 2-core host runs a few, not one per user.
DEFAULT_WORKERS = 4


def _mark_round_start(round_start) -> None:
    """Barrier action: the instant the round's claims all "arrive" (CLOCK_MONOTONIC is system-wide)."""
    round_start.value = time.perf_counter()


def _client(user_id, auth: str) -> Client:
    """A signed-in client: a session cookie (the browser) or an API token (an integration)."""
    user = User.objects.get(pk=user_id)
    if auth == "token":
        return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    client = Client()
    client.force_login(user)
    return client


def _claimer(user_ids: list, handoff_ids: list, barrier, outbox, round_start, auth: str) -> None:
    """One process: wait for everyone, post each of its users' claims, repeat per round; send the answers home.

    With one user (`--workers 0`) a claim is timed from the moment this process woke up; with
    several (a web worker serving part of the burst) from the round's start, so the time spent
    queued behind the claims this worker served first counts too.
    """
    rows: list[tuple[int, str, int, float, float]] = []
    try:
        clients = []
        for user_id in user_ids:
            client = _client(user_id, auth)
            # Warm each client like a long-running web worker (middleware chain, URL resolver,
            # DB connection), so round 0 doesn't time start-up.
            client.get("/api/v1/queue/")
            clients.append((str(user_id), client))
        shuffle = random.Random(user_ids[0].int).shuffle
        for r, handoff_id in enumerate(handoff_ids):
            shuffle(clients)
            barrier.wait(timeout=BARRIER_TIMEOUT_S)
            woke = time.perf_counter()
            for user_id, client in clients:
                started, cpu = time.perf_counter(), time.process_time()
                response = client.post(f"/api/v1/handoffs/{handoff_id}/claim/")
                ended = time.perf_counter()
                since = started if len(clients) == 1 else min(woke, round_start.value)
                rows.append((r, user_id, response.status_code, ended - since, time.process_time() - cpu))
    except threading.BrokenBarrierError:
        pass  # another claimer failed; its error is what gets reported
    except Exception as exc:
        # Break the barrier so the other processes stop waiting for this one.
        barrier.abort()
        rows.append((-1, str(user_ids[0]), 599, 0.0, 0.0))
        logging.getLogger(__name__).error("claimer %s failed: %r", user_ids[0], exc)
    finally:
        connections.close_all()
        outbox.put(rows)


class Command(BenchCommand):
    help = "Fire simultaneous POST /api/v1/handoffs/{id}/claim/ from many seniors, served by a few worker processes."
    bench_name = "claim"
    # As in production: the claim throttle and the API token cache live in Redis.
    needs_redis = True

    def add_bench_arguments(self, parser):
        parser.add_argument("--claimers", type=int, default=100, help="simultaneous claims per round")
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument("--auth", choices=["session", "token"], default="session", help="how the claimers sign in")
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help="processes serving the claims, each a share of the users in turn; 0: one process per claimer",
        )

    def run_bench(self, report: Report, **opts) -> None:
        account = bench_account("Bench claim")
        escalators = make_users(account, Role.ENGINEER, 2, "escalator")
        handoff_ids = seed_open_escalations(account, escalators, opts["rounds"], timezone.now())
        seniors = make_users(account, Role.ENGINEER, opts["claimers"], "senior")
        # 49 of 50 answers per round are the expected 409; don't time a stderr log line for each.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        # Build the middleware chain, URL resolver and DRF settings once, before forking, as a web
        # server's master does: otherwise each process pays its start-up on 2 shared cores.
        warm = Client()
        warm.force_login(seniors[0])
        warm.get("/api/v1/queue/")
        # OS processes, not threads: threads in one process would measure the GIL, not the claim.
        # Each worker serves its share of the burst one claim after another, like a web worker
        # (daphne runs sync views on one thread per process); --workers 0 gives every claimer its
        # own process, which on 2 cores measures 100 processes' scheduling and cold caches as much
        # as the claim.
        shares = _shares([user.pk for user in seniors], opts["workers"])
        context = multiprocessing.get_context("fork")
        round_start = context.Value("d", 0.0)
        barrier = context.Barrier(len(shares), action=functools.partial(_mark_round_start, round_start))
        outbox = context.Queue()
        # Each child opens its own database connection. A pool (settings: DB_POOL_MAX_SIZE) has worker
        # threads that a forked child would not inherit, so close it here; each child makes its own.
        connections.close_all()
        for conn in connections.all(initialized_only=True):
            if getattr(conn, "pool", None) is not None:
                conn.close_pool()
        processes = [
            context.Process(target=_claimer, args=(share, handoff_ids, barrier, outbox, round_start, opts["auth"]))
            for share in shares
        ]
        for process in processes:
            process.start()
        results: list[tuple[int, str, int, float]] = []
        for _ in processes:
            results.extend(outbox.get(timeout=BARRIER_TIMEOUT_S * (len(handoff_ids) + 1)))
        for process in processes:
            process.join(timeout=BARRIER_TIMEOUT_S)
        close_old_connections()
        _report(report, results, handoff_ids, opts)
        report.figures["queries"] = request_queries(handoff_ids[0], seniors[-1], opts["auth"])
        report.row(
            "queries per claim (409 / 200)", f"{report.figures['queries']['409']} / {report.figures['queries']['200']}"
        )


def _shares(user_ids: list, workers: int) -> list[list]:
    """Users dealt round robin over `workers` processes (one each when workers is 0 or too many)."""
    count = len(user_ids) if workers <= 0 else min(workers, len(user_ids))
    return [user_ids[i::count] for i in range(count)]


def request_queries(taken_id, user, auth: str = "session") -> dict:
    """Queries of one losing claim (whole request: sign-in, handoff, answer) and one winning claim."""
    client = _client(user.pk, auth)
    with CaptureQueriesContext(connection) as lost:
        client.post(f"/api/v1/handoffs/{taken_id}/claim/")
    account = user.account
    (escalator,) = make_users(account, Role.ENGINEER, 1, "late-escalator")
    (fresh,) = seed_open_escalations(account, [escalator], 1, timezone.now())
    with CaptureQueriesContext(connection) as won:
        client.post(f"/api/v1/handoffs/{fresh}/claim/")
    return {"409": len(lost.captured_queries), "200": len(won.captured_queries)}


def _report(report: Report, results: list, handoff_ids: list, opts: dict) -> None:
    statuses = Counter(status for _, _, status, *_ in results)
    winners = Counter(r for r, _, status, *_ in results if status == 200)
    rounds_ok = sum(1 for r in range(len(handoff_ids)) if winners[r] == 1)
    # The database must agree with the answers: each handoff claimed once, by the one who got 200.
    db_winners = dict(Handoff.objects.filter(pk__in=handoff_ids).values_list("pk", "claimed_by"))
    answered = {handoff_ids[r]: user for r, user, status, *_ in results if status == 200}
    consistent = all(str(db_winners[pk]) == answered.get(pk) for pk in handoff_ids)
    stats = summary_ms([wall for _, _, _, wall, _ in results])
    # CPU time of the claiming process per request (test client, middleware, view, psycopg; not
    # PostgreSQL's): claims x this / cores is the floor under the round's last answer.
    cpu = summary_ms([spent for *_, spent in results])
    workers = opts["workers"] if 0 < opts["workers"] < opts["claimers"] else opts["claimers"]
    report.figures = {
        "latency": stats,
        "cpu_per_claim": cpu,
        "workers": workers,
        "auth": opts["auth"],
        "statuses": dict(statuses),
        "rounds_with_one_winner": rounds_ok,
    }
    report.row("claims", f"{len(results)} ({opts['claimers']} per round x {len(handoff_ids)} rounds)")
    one_each = " (one per claimer)" if workers == opts["claimers"] else ""
    report.row("served by", f"{workers} processes{one_each}, {opts['auth']} auth")
    report.row("answers", ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    report.row("latency p50 / p95 / p99", f"{stats['p50_ms']} / {stats['p95_ms']} / {stats['p99_ms']} ms")
    report.row("CPU per claim p50 / mean", f"{cpu['p50_ms']} / {cpu['mean_ms']} ms")
    report.row("database agrees with 200s", "yes" if consistent else "NO")
    ok = rounds_ok == len(handoff_ids) and consistent and set(statuses) <= {200, 409}
    report.target("one_winner_per_round", f"{len(handoff_ids)} of {len(handoff_ids)}", rounds_ok, ok)
    report.target("p99_ms", f"<= {TARGET_P99_MS} ms", stats["p99_ms"], stats["p99_ms"] <= TARGET_P99_MS)
