"""bench_flow_analytics: /analytics/flows/ figures (per flow, coverage, gaps) over 100,000 flow runs."""

import random

from django.utils import timezone

from analytics import flow_metrics
from bench.data import bench_account
from bench.harness import BenchCommand, Report, summary_ms, timed
from bench.loop_data import seed_flow_runs

TARGET_MS = 300


class Command(BenchCommand):
    help = "Time analytics.flow_metrics.flow_report over 100,000 runs of 30 flows (<= 300 ms)."
    bench_name = "flow_analytics"

    def add_bench_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=100_000, help="flow runs in the account")
        parser.add_argument("--flows", type=int, default=30, help="published flows")
        parser.add_argument("--rounds", type=int, default=15, help="timed reports")

    def run_bench(self, report: Report, **opts) -> None:
        account = bench_account("Bench flow analytics")
        seeded = seed_flow_runs(account, opts["runs"], opts["flows"], timezone.now(), random.Random(16))
        flow_metrics.flow_report(account.pk, "90d")  # warm-up
        durations, result = timed(lambda: flow_metrics.flow_report(account.pk, "90d"), opts["rounds"])
        stats = summary_ms(durations)
        report.figures = {"runs": seeded, "flows": len(result["flows"]), "report_90d": stats}
        report.row("flow runs / flows", f"{seeded} / {len(result['flows'])}")
        report.row("report (90d) p50 / p95 / max", f"{stats['p50_ms']} / {stats['p95_ms']} / {stats['max_ms']} ms")
        report.target("report_p95_ms", f"<= {TARGET_MS} ms", stats["p95_ms"], stats["p95_ms"] <= TARGET_MS)
