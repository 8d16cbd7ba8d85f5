"""bench_metrics: the 30d TTFA report over many claimed handoffs, in SQL and the naive Python way."""

import random
import time
from collections import defaultdict

from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from analytics import queries
from bench.data import bench_account, seed_claimed_history
from bench.harness import BenchCommand, Report, summary_ms, timed
from escalations.models import Handoff
from flowpilot.models import WORK_ACTIVITY_KINDS, Activity

TARGET_MS = 250
TARGET_RATIO = 10
FIGURES = ("ttfa_avg_s", "ttfa_median_s", "ttfa_p95_s", "time_to_claim_avg_s", "time_to_claim_median_s")


class Command(BenchCommand):
    help = "Time the 30d escalation metric over bulk-generated claimed handoffs, against the naive Python way."
    bench_name = "metrics"

    def add_bench_arguments(self, parser):
        parser.add_argument("--handoffs", type=int, default=100_000, help="claimed handoffs to generate")
        parser.add_argument("--rounds", type=int, default=5, help="timed runs of the SQL report")
        parser.add_argument("--naive-rounds", type=int, default=2, help="timed runs of the naive computation")
        parser.add_argument("--seed", type=int, default=9)

    def run_bench(self, report: Report, **opts) -> None:
        rng = random.Random(opts["seed"])
        now = timezone.now()
        started = time.perf_counter()
        account = bench_account("Bench metrics")
        counts = seed_claimed_history(account, opts["handoffs"], now, rng)
        report.row("generated", f"{counts['handoffs']} handoffs, {counts['activities']} activities")
        report.row("generation time", f"{time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        queries.escalation_report(account.pk, "30d", now)  # warm caches and the plan
        sql_times, sql = timed(lambda: queries.escalation_report(account.pk, "30d", now), opts["rounds"])
        naive_times, naive = timed(lambda: naive_report(account.pk, now), opts["naive_rounds"])
        check_same(sql, naive)

        sql_ms, naive_ms = summary_ms(sql_times), summary_ms(naive_times)
        ratio = round(naive_ms["p50_ms"] / sql_ms["p50_ms"], 1)
        report.figures = {"counts": counts, "sql": sql_ms, "naive": naive_ms, "ratio": ratio, "report": _plain(sql)}
        report.row("claimed in 30d / with action", f"{sql['n_handoffs_claimed']} / {sql['n_handoffs_with_action']}")
        report.row("ttfa avg / median / p95 (s)", f"{sql['ttfa_avg_s']} / {sql['ttfa_median_s']} / {sql['ttfa_p95_s']}")
        report.row("SQL report p50 / max", f"{sql_ms['p50_ms']} / {sql_ms['max_ms']} ms over {sql_ms['n']} runs")
        report.row(
            "naive report p50 / max", f"{naive_ms['p50_ms']} / {naive_ms['max_ms']} ms over {naive_ms['n']} runs"
        )
        report.row("figures agree", "yes (SQL and naive give the same numbers)")
        report.target("sql_p50_ms", f"<= {TARGET_MS} ms", sql_ms["p50_ms"], sql_ms["p50_ms"] <= TARGET_MS)
        report.target("naive_over_sql", f">= {TARGET_RATIO}x", f"{ratio}x", ratio >= TARGET_RATIO)


def _plain(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "metric_definition"}


def naive_report(account_id, now) -> dict:
    """The same figures the way a first draft would: load the rows, aggregate in Python."""
    since = queries.window_start("30d", now)
    handoffs = list(
        Handoff.objects.filter(
            account_id=account_id, intent=Handoff.Intent.ESCALATE, claimed_at__gte=since, claimed_at__lte=now
        )
    )
    work = defaultdict(list)
    for activity in Activity.objects.filter(account_id=account_id, kind__in=WORK_ACTIVITY_KINDS):
        work[(activity.session_id, activity.actor_id)].append(activity.created_at)
    ttfa, to_claim = [], []
    for handoff in handoffs:
        to_claim.append((handoff.claimed_at - handoff.created_at).total_seconds())
        later = [at for at in work[(handoff.session_id, handoff.claimed_by_id)] if at > handoff.claimed_at]
        if later:
            ttfa.append((min(later) - handoff.claimed_at).total_seconds())
    return {
        "n_handoffs_claimed": len(to_claim),
        "n_handoffs_with_action": len(ttfa),
        **{f"ttfa_{k}": v for k, v in _stats(ttfa).items()},
        **{f"time_to_claim_{k}": v for k, v in _stats(to_claim).items()},
    }


def _stats(values: list[float]) -> dict:
    if not values:
        return {"avg_s": None, "median_s": None, "p95_s": None}
    ordered = sorted(values)
    n = len(ordered)
    middle = ordered[(n - 1) // 2 : n // 2 + 1]
    return {
        "avg_s": round(sum(ordered) / n, 1),
        "median_s": round(sum(middle) / len(middle), 1),
        "p95_s": round(ordered[queries.nearest_rank_index(n, 95)], 1),
    }


def check_same(sql: dict, naive: dict) -> None:
    """The fast path must give the naive numbers (within rounding), or the timing means nothing."""
    for key in ("n_handoffs_claimed", "n_handoffs_with_action"):
        if sql[key] != naive[key]:
            raise CommandError(f"{key}: SQL says {sql[key]}, naive says {naive[key]}")
    for key in FIGURES:
        if abs((sql[key] or 0) - (naive[key] or 0)) > 0.11:
            raise CommandError(f"{key}: SQL says {sql[key]}, naive says {naive[key]}")
