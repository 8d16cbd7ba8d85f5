"""bench_similar: the similar-resolution lookup (handoff-context screen) over 100,000 resolved sessions."""

import random

from django.utils import timezone

from bench.data import bench_account
from bench.harness import BenchCommand, Report, summary_ms, timed
from bench.loop_data import problem, seed_resolved_sessions
from flowpilot import similar

TARGET_P95_MS = 50


class Command(BenchCommand):
    help = "Time flowpilot.similar.find over 100,000 resolved sessions of one account (p95 <= 50 ms)."
    bench_name = "similar"

    def add_bench_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=100_000, help="resolved sessions in the account")
        parser.add_argument("--rounds", type=int, default=200, help="timed lookups (each a different problem)")

    def run_bench(self, report: Report, **opts) -> None:
        rng = random.Random(16)
        account = bench_account("Bench similar")
        seeded = seed_resolved_sessions(account, opts["sessions"], timezone.now(), rng)
        bench_account("Bench similar neighbour")  # another tenant exists; the lookup never sees it
        problems = [problem(rng) for _ in range(opts["rounds"])]
        queue = iter(problems)
        found_counts = []

        def lookup():
            found = similar.find(account.pk, next(queue), domain="email")
            found_counts.append(len(found))
            return found

        lookup_problems = iter(problems)  # warm-up: plan cache and buffers
        similar.find(account.pk, next(lookup_problems))
        durations, _ = timed(lookup, opts["rounds"])
        stats = summary_ms(durations)
        report.figures = {"sessions": seeded, "lookup": stats, "found_avg": sum(found_counts) / len(found_counts)}
        report.row("resolved sessions", seeded)
        report.row("lookup p50 / p95 / max", f"{stats['p50_ms']} / {stats['p95_ms']} / {stats['max_ms']} ms")
        report.target("lookup_p95_ms", f"<= {TARGET_P95_MS} ms", stats["p95_ms"], stats["p95_ms"] <= TARGET_P95_MS)
