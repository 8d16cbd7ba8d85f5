"""bench_metrics: the owner dashboard's whole report over many accounts' claimed history, against a naive recompute.

The history is `--handoffs` claimed escalations over `--accounts` accounts and `--days` days; the
largest account holds `--largest-share` of them. For that account and each period the command times
the dashboard's figures (`analytics.views._figures`: the report, per tech, per domain, the 12-week
trend and its chart) and `escalation_report` alone, then recomputes every figure the naive way
(load the rows and the activity log, aggregate in Python) and fails if any differs.
"""

import random
import statistics
import time
from collections import defaultdict
from datetime import timedelta

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.models import Account
from analytics import breakdowns, queries
from analytics.views import _figures as dashboard_figures
from bench.data import bench_account, seed_claimed_history
from bench.harness import BenchCommand, Report, summary_ms, timed
from escalations.first_action import backfill_first_action
from escalations.models import Handoff
from flowpilot.models import WORK_ACTIVITY_KINDS, Activity

TARGET_MS = 250
TARGET_RATIO = 10
BIG = 1_000_000
TOLERANCE_S = 0.11  # both sides round to 0.1 s
ACCOUNT_PREFIX = "Bench metrics "


class Command(BenchCommand):
    help = "Time the owner dashboard's whole report for the largest of many accounts, against a naive recompute."
    bench_name = "metrics"

    def add_bench_arguments(self, parser):
        parser.add_argument("--handoffs", type=int, default=100_000, help="claimed handoffs in all accounts")
        parser.add_argument("--big", action="store_true", help=f"{BIG:,} claimed handoffs")
        parser.add_argument("--accounts", type=int, default=50)
        parser.add_argument("--largest-share", type=float, default=0.2, help="share of the largest account")
        parser.add_argument("--days", type=float, default=365, help="history length")
        parser.add_argument("--rounds", type=int, default=5, help="timed runs of each period's report")
        parser.add_argument("--naive-rounds", type=int, default=1, help="timed runs of the naive computation")
        parser.add_argument("--seed", type=int, default=9)
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="with --here: time the history an earlier run left in this database instead of generating one",
        )

    def run_bench(self, report: Report, **opts) -> None:
        if opts["reuse"]:
            if not opts["here"]:
                raise CommandError("--reuse needs --here: a throwaway database holds no earlier history.")
            total, sizes, activities, generated, largest, now = kept_history()
        else:
            total, sizes, activities, generated, largest, now = generate_history(opts)
        how = "kept from an earlier run" if generated is None else f"in {generated:.0f} s"
        report.row("generated", f"{total} handoffs over {len(sizes)} accounts ({sizes[0]} in the largest), "
                   f"{activities} activities, {opts['days']:.0f} days, {how}")  # fmt: skip

        periods = {}
        naive_times, naive = timed(lambda: naive_dashboard(largest, now), opts["naive_rounds"])
        for period in queries.PERIODS:
            dashboard_figures(largest, period, now)  # warm caches and plans
            times, figures = timed(lambda p=period: dashboard_figures(largest, p, now), opts["rounds"])
            report_times, _ = timed(lambda p=period: queries.escalation_report(largest, p, now), opts["rounds"])
            check_same(figures, naive[period], period)
            periods[period] = {
                "dashboard": summary_ms(times),
                "report_only": summary_ms(report_times),
                "n_claimed": figures["report"]["n_handoffs_claimed"],
            }
        _report(report, opts, total, sizes, activities, generated, periods, summary_ms(naive_times), naive)


def generate_history(opts: dict) -> tuple:
    rng = random.Random(opts["seed"])
    now = timezone.now()
    total = BIG if opts["big"] else opts["handoffs"]
    sizes = account_sizes(total, opts["accounts"], opts["largest_share"])
    started = time.perf_counter()
    accounts, activities = [], 0
    for i, size in enumerate(sizes):
        accounts.append(bench_account(f"{ACCOUNT_PREFIX}{i}"))
        activities += seed_claimed_history(accounts[-1], size, now, rng, opts["days"], backfill=False)["activities"]
    # COPY bypasses flowpilot.activity.record, which keeps first_action_at live in the product.
    backfill_first_action(Handoff.objects.filter(account__in=accounts))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return total, sizes, activities, time.perf_counter() - started, accounts[0].pk, now


def kept_history() -> tuple:
    """The history of the latest earlier run in this database; its clock is when its largest account was made
    (just after the history's `now`, so every window holds the same rows)."""
    largest = Account.objects.filter(name=f"{ACCOUNT_PREFIX}0").order_by("-created_at").first()
    if largest is None:
        raise CommandError("--reuse: no earlier bench_metrics history in this database.")
    accounts = Account.objects.filter(name__startswith=ACCOUNT_PREFIX, created_at__gte=largest.created_at)
    counts = dict(
        Handoff.objects.filter(account__in=accounts).values_list("account").annotate(n=Count("pk")).order_by()
    )
    sizes = sorted(counts.values(), reverse=True)
    activities = Activity.objects.filter(account__in=accounts).count()
    return sum(sizes), sizes, activities, None, largest.pk, largest.created_at


def account_sizes(total: int, n_accounts: int, largest_share: float) -> list[int]:
    """The largest account's share first, the rest split evenly (remainder to the first of them)."""
    if n_accounts == 1:
        return [total]
    largest = int(total * largest_share)
    each, extra = divmod(total - largest, n_accounts - 1)
    return [largest] + [each + (1 if i < extra else 0) for i in range(n_accounts - 1)]


# --- the naive recompute -------------------------------------------------------------


def naive_dashboard(account_id, now) -> dict:
    """Every dashboard figure of every period, from the raw rows and the activity log, in Python."""
    rows = list(
        Handoff.objects.filter(account_id=account_id, intent=Handoff.Intent.ESCALATE, claimed_at__isnull=False)
        .order_by()
        .values_list("claimed_by_id", "session__problem_domain", "created_at", "claimed_at", "session_id")
    )
    work = defaultdict(list)
    for session_id, actor_id, at in (
        Activity.objects.filter(account_id=account_id, kind__in=WORK_ACTIVITY_KINDS)
        .order_by()
        .values_list("session_id", "actor_id", "created_at")
    ):
        work[(session_id, actor_id)].append(at)
    handoffs = []
    for claimer, domain, created, claimed, session_id in rows:
        later = [at for at in work[(session_id, claimer)] if at > claimed]
        ttfa = (min(later) - claimed).total_seconds() if later else None
        handoffs.append((claimer, domain, claimed, (claimed - created).total_seconds(), ttfa))
    weeks = naive_weeks(handoffs, now)
    return {period: naive_period(handoffs, period, now) | {"weeks": weeks} for period in queries.PERIODS}


def naive_period(handoffs: list, period: str, now) -> dict:
    since = queries.window_start(period, now)
    rows = [h for h in handoffs if since <= h[2] <= now]
    ttfa = [h[4] for h in rows if h[4] is not None]
    return {
        "report": {
            "n_handoffs_claimed": len(rows),
            "n_handoffs_with_action": len(ttfa),
            **{f"ttfa_{k}": v for k, v in _stats(ttfa).items()},
            **{f"time_to_claim_{k}": v for k, v in _stats([h[3] for h in rows]).items()},
        },
        "per_tech": _groups(rows, 0),
        "per_domain": _groups(rows, 1),
    }


def _groups(rows: list, at: int) -> dict:
    groups = defaultdict(list)
    for row in rows:
        groups[row[at]].append(row[4])
    result = {}
    for key, values in groups.items():
        acted = [v for v in values if v is not None]
        result[str(key)] = {
            "n_claimed": len(values),
            "n_with_action": len(acted),
            "ttfa_avg_s": round(statistics.fmean(acted), 1) if acted else None,
            "ttfa_median_s": round(statistics.median(acted), 1) if acted else None,
        }
    return result


def naive_weeks(handoffs: list, now) -> list[dict]:
    first = breakdowns.week_start(now) - timedelta(weeks=breakdowns.TREND_WEEKS - 1)
    starts = [first - timedelta(weeks=breakdowns.ROLLING_WEEKS - 1 - i) for i in range(breakdowns.TREND_WEEKS + 3)]
    buckets = {start: [] for start in starts}
    for _, _, claimed, _, ttfa in handoffs:
        week = breakdowns.week_start(claimed)
        if ttfa is not None and week in buckets and claimed <= now:
            buckets[week].append(ttfa)
    weeks = []
    for i in range(breakdowns.ROLLING_WEEKS - 1, len(starts)):
        values = buckets[starts[i]]
        window = [v for s in starts[i - breakdowns.ROLLING_WEEKS + 1 : i + 1] for v in buckets[s]]
        weeks.append(
            {
                "n_with_action": len(values),
                "avg_s": round(statistics.fmean(values), 1) if values else None,
                "rolling_avg_s": round(statistics.fmean(window), 1) if window else None,
            }
        )
    return weeks


def _stats(values: list[float]) -> dict:
    if not values:
        return {"avg_s": None, "median_s": None, "p95_s": None}
    ordered = sorted(values)
    return {
        "avg_s": round(statistics.fmean(ordered), 1),
        "median_s": round(statistics.median(ordered), 1),
        "p95_s": round(ordered[queries.nearest_rank_index(len(ordered), 95)], 1),
    }


def check_same(figures: dict, naive: dict, period: str) -> None:
    """Every figure the dashboard shows must equal the naive one (within rounding), or the timing means nothing."""
    sql_report = figures["report"]
    for key, expected in naive["report"].items():
        _same(f"{period} report {key}", sql_report[key], expected)
    for part, key in (("per_tech", "claimer_id"), ("per_domain", "domain")):
        got = {str(row[key]): row for row in figures[part]}
        if set(got) != set(naive[part]):
            raise CommandError(f"{period} {part}: groups {sorted(got)} against {sorted(naive[part])}")
        for group, expected in naive[part].items():
            for name, value in expected.items():
                _same(f"{period} {part} {group} {name}", got[group][name], value)
    if len(figures["weeks"]) != len(naive["weeks"]):
        raise CommandError(f"weeks: {len(figures['weeks'])} against {len(naive['weeks'])}")
    for i, (week, expected) in enumerate(zip(figures["weeks"], naive["weeks"], strict=True)):
        for name, value in expected.items():
            _same(f"week {i} {name}", getattr(week, name), value)


def _same(label: str, got, expected) -> None:
    if (got is None) != (expected is None) or (got is not None and abs(got - expected) > TOLERANCE_S):
        raise CommandError(f"{label}: dashboard says {got}, naive says {expected}")


def _report(report, opts, total, sizes, activities, generated, periods, naive_ms, naive) -> None:
    worst = max(p["dashboard"]["p50_ms"] for p in periods.values())
    ratio = round(naive_ms["p50_ms"] / worst, 1)
    report.figures = {
        "handoffs": total,
        "accounts": len(sizes),
        "largest_account_handoffs": sizes[0],
        "activities": activities,
        "days": opts["days"],
        "generation_s": None if generated is None else round(generated, 1),
        "periods": periods,
        "naive": naive_ms,
        "ratio": ratio,
        "report_30d": naive["30d"]["report"],
    }
    for period, p in periods.items():
        d, r = p["dashboard"], p["report_only"]
        report.row(f"{period}: claimed in period", p["n_claimed"])
        report.row(f"{period}: dashboard p50 / max", f"{d['p50_ms']} / {d['max_ms']} ms over {d['n']} runs")
        report.row(f"{period}: escalation_report p50", f"{r['p50_ms']} ms")
    report.row("naive recompute (all periods)", f"{naive_ms['p50_ms']} ms")
    report.row("figures agree", "yes: report, per tech, per domain and every week equal the naive recompute")
    report.target("dashboard_p50_ms", f"<= {TARGET_MS} ms", worst, worst <= TARGET_MS)
    report.target("naive_over_dashboard", f">= {TARGET_RATIO}x", f"{ratio}x", ratio >= TARGET_RATIO)
