"""bench_time_saved: the owner's time-saved report over a year of a 50-tech shop (100,000 sessions)."""

import random
import uuid
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from analytics.models import BaselineEntry
from analytics.time_saved import time_saved_report
from bench.data import ACTIVITY_FIELDS, bench_account, bulk_insert, seed_claimed_history
from bench.harness import BenchCommand, Report, summary_ms, timed
from bench.loop_data import _analyze, seed_flow_runs, seed_resolved_sessions
from flowpilot.models import Activity, Session

TARGET_MS = 300


class Command(BenchCommand):
    help = "Time /analytics/time-saved/'s whole report over a year of one 50-tech shop (<= 300 ms)."
    bench_name = "time_saved"

    def add_bench_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=100_000, help="sessions over the last year")
        parser.add_argument("--rounds", type=int, default=20, help="timed reports")

    def run_bench(self, report: Report, **opts) -> None:
        rng, now = random.Random(22), timezone.now()
        account = bench_account("Bench time saved")
        counts = _seed_year(account, opts["sessions"], now, rng)
        month = now.date().replace(day=1)
        first = time_saved_report(account.pk, month, now=now)  # warm-up: plan cache and buffers
        durations, _ = timed(lambda: time_saved_report(account.pk, month, now=now), opts["rounds"])
        stats = summary_ms(durations)
        hours = {s["key"]: s["hours_saved"] for s in first["sources"]}
        report.figures = {**counts, "report": stats, "hours_by_source": hours, "hours_saved": first["hours_saved"]}
        report.row(
            "sessions / escalations / flow runs",
            f"{counts['sessions']} / {counts['escalations']} / {counts['flow_runs']}",
        )
        report.row("hours saved this month by source", hours)
        report.row("report p50 / p95 / max", f"{stats['p50_ms']} / {stats['p95_ms']} / {stats['max_ms']} ms")
        report.target("report_p95_ms", f"<= {TARGET_MS} ms", stats["p95_ms"], stats["p95_ms"] <= TARGET_MS)


def _seed_year(account, n: int, now, rng: random.Random) -> dict:
    """A fifth of the sessions escalated and claimed, a tenth ran a flow, the rest resolved; notes exported on
    two in three; both kinds of stopwatch baseline."""
    n_escalations, n_runs = n // 5, n // 10
    seed_claimed_history(account, n_escalations, now, rng, days=365)
    seed_flow_runs(account, n_runs, 10, now, rng)
    seed_resolved_sessions(account, n - n_escalations - n_runs, now, rng)
    resolved = Session.objects.filter(account=account, status=Session.Status.RESOLVED)
    resolved.update(resolved_at=F("created_at") + timedelta(minutes=90))
    resolved.filter(flow_runs__isnull=False).update(resolved_at=F("created_at") + timedelta(minutes=40))
    sessions = list(Session.objects.filter(account=account).values_list("pk", "created_at"))
    exported = bulk_insert(
        Activity,
        ACTIVITY_FIELDS,
        (
            (uuid.uuid4(), pk, account.pk, None, Activity.Kind.NOTES_EXPORTED, {"channel": "copy", "format": "md"},
             created + timedelta(minutes=100))
            for i, (pk, created) in enumerate(sessions)
            if i % 3
        ),
    )  # fmt: skip
    for i in range(10):
        opened = now - timedelta(days=rng.uniform(1, 60))
        BaselineEntry.objects.create(
            account=account,
            kind=BaselineEntry.Kind.TICKET_NOTES,
            ticket_ref=f"N{i}",
            opened_at=opened,
            first_action_at=opened + timedelta(minutes=8 + i),
        )
    _analyze(Session, Activity)
    return {"sessions": len(sessions), "escalations": n_escalations, "flow_runs": n_runs, "notes_exported": exported}
