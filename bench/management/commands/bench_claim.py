"""bench_claim: many simultaneous claims on one handoff, several rounds; one winner each, and how fast."""

import logging
import multiprocessing
import threading
import time
from collections import Counter

from django.db import close_old_connections, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from bench.data import bench_account, make_users, seed_open_escalations
from bench.harness import BenchCommand, Report, summary_ms
from escalations.models import Handoff

TARGET_P99_MS = 150


BARRIER_TIMEOUT_S = 60


def _claimer(user_id, handoff_ids: list, barrier, outbox) -> None:
    """One senior's process: wait for everyone, claim, repeat per round; send the answers home."""
    rows: list[tuple[int, str, int, float]] = []
    try:
        client = Client()
        client.force_login(User.objects.get(pk=user_id))
        # Warm the process up like a long-running web worker (middleware chain, URL
        # resolver, DB connection), so round 0 doesn't time process start-up.
        client.get("/api/v1/queue/")
        for r, handoff_id in enumerate(handoff_ids):
            barrier.wait(timeout=BARRIER_TIMEOUT_S)
            started = time.perf_counter()
            response = client.post(f"/api/v1/handoffs/{handoff_id}/claim/")
            rows.append((r, str(user_id), response.status_code, time.perf_counter() - started))
    except threading.BrokenBarrierError:
        pass  # another claimer failed; its error is what gets reported
    except Exception as exc:
        # Break the barrier so the other processes stop waiting for this one.
        barrier.abort()
        rows.append((-1, str(user_id), 599, 0.0))
        logging.getLogger(__name__).error("claimer %s failed: %r", user_id, exc)
    finally:
        connections.close_all()
        outbox.put(rows)


class Command(BenchCommand):
    help = "Fire simultaneous POST /api/v1/handoffs/{id}/claim/ from many seniors (one process and DB connection each)."
    bench_name = "claim"

    def add_bench_arguments(self, parser):
        parser.add_argument("--claimers", type=int, default=100, help="simultaneous claims per round")
        parser.add_argument("--rounds", type=int, default=20)

    def run_bench(self, report: Report, **opts) -> None:
        account = bench_account("Bench claim")
        escalators = make_users(account, Role.ENGINEER, 2, "escalator")
        handoff_ids = seed_open_escalations(account, escalators, opts["rounds"], timezone.now())
        seniors = make_users(account, Role.ENGINEER, opts["claimers"], "senior")
        # 49 of 50 answers per round are the expected 409; don't time a stderr log line for each.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        # One OS process per claimer, as behind several web workers: threads in one
        # process would measure the GIL, not the claim.
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(len(seniors))
        outbox = context.Queue()
        # Each child opens its own database connection. A pool (settings: DB_POOL_MAX_SIZE) has worker
        # threads that a forked child would not inherit, so close it here; each child makes its own.
        connections.close_all()
        for conn in connections.all(initialized_only=True):
            if getattr(conn, "pool", None) is not None:
                conn.close_pool()
        processes = [context.Process(target=_claimer, args=(user.pk, handoff_ids, barrier, outbox)) for user in seniors]
        for process in processes:
            process.start()
        results: list[tuple[int, str, int, float]] = []
        for _ in processes:
            results.extend(outbox.get(timeout=BARRIER_TIMEOUT_S * (len(handoff_ids) + 1)))
        for process in processes:
            process.join(timeout=BARRIER_TIMEOUT_S)
        close_old_connections()
        _report(report, results, handoff_ids, opts)
        report.figures["queries"] = request_queries(handoff_ids[0], seniors[-1])
        report.row(
            "queries per claim (409 / 200)", f"{report.figures['queries']['409']} / {report.figures['queries']['200']}"
        )


def request_queries(taken_id, user) -> dict:
    """Queries of one losing claim (whole request: session, user, handoff, answer) and one winning claim."""
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as lost:
        client.post(f"/api/v1/handoffs/{taken_id}/claim/")
    account = user.account
    (escalator,) = make_users(account, Role.ENGINEER, 1, "late-escalator")
    (fresh,) = seed_open_escalations(account, [escalator], 1, timezone.now())
    with CaptureQueriesContext(connection) as won:
        client.post(f"/api/v1/handoffs/{fresh}/claim/")
    return {"409": len(lost.captured_queries), "200": len(won.captured_queries)}


def _report(report: Report, results: list, handoff_ids: list, opts: dict) -> None:
    statuses = Counter(status for _, _, status, _ in results)
    winners = Counter(r for r, _, status, _ in results if status == 200)
    rounds_ok = sum(1 for r in range(len(handoff_ids)) if winners[r] == 1)
    # The database must agree with the answers: each handoff claimed once, by the one who got 200.
    db_winners = dict(Handoff.objects.filter(pk__in=handoff_ids).values_list("pk", "claimed_by"))
    answered = {handoff_ids[r]: user for r, user, status, _ in results if status == 200}
    consistent = all(str(db_winners[pk]) == answered.get(pk) for pk in handoff_ids)
    stats = summary_ms([d for *_, d in results])
    report.figures = {"latency": stats, "statuses": dict(statuses), "rounds_with_one_winner": rounds_ok}
    report.row("claims", f"{len(results)} ({opts['claimers']} per round x {len(handoff_ids)} rounds)")
    report.row("answers", ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    report.row("latency p50 / p95 / p99", f"{stats['p50_ms']} / {stats['p95_ms']} / {stats['p99_ms']} ms")
    report.row("database agrees with 200s", "yes" if consistent else "NO")
    ok = rounds_ok == len(handoff_ids) and consistent and set(statuses) <= {200, 409}
    report.target("one_winner_per_round", f"{len(handoff_ids)} of {len(handoff_ids)}", rounds_ok, ok)
    report.target("p99_ms", f"<= {TARGET_P99_MS} ms", stats["p99_ms"], stats["p99_ms"] <= TARGET_P99_MS)
