"""Time to first action (TTFA) and time to claim, computed in the database (SPEC section 6).

Every figure starts from `claimed_escalations()`: the account's escalations
claimed inside the window, each annotated with the claimer's first *work*
Activity after the claim (a correlated subquery) and both durations as
DurationField expressions, which Django renders correctly on SQLite
(microseconds) and PostgreSQL (intervals). Aggregates run in SQL; median and
p95 fetch at most two already-sorted values via OFFSET/LIMIT.

Percentiles: p95 is the nearest-rank value at 0-based index
round(0.95 x (n - 1)), rounding halves up. The median is the conventional one
(mean of the two middle values when n is even).
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from analytics.models import BaselineEntry
from escalations.models import Handoff
from flowpilot.models import WORK_ACTIVITY_KINDS, Activity
from resolutionflow.domain import InvalidOperation

PERIODS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_PERIOD = "30d"
PERIOD_MESSAGE = "period must be one of " + ", ".join(PERIODS)

METRIC_DEFINITION = (
    "Time to first action is the in-product number: for each escalation claimed in the period, the time from "
    "the claim to the claimer's first work action on the session (a message to the copilot, a step or its "
    "result, a note, command output or a PSA push). It starts when a senior claims, so it is not a saving by "
    "itself: pair it with the manual stopwatch baseline (ticket opened to first diagnostic action, without "
    "the product) and read the difference."
)


def parse_period(value: str | None) -> str:
    """The period key ("7d", "30d", "90d"); a missing value means 30d, anything else is a 400."""
    if value in (None, ""):
        return DEFAULT_PERIOD
    if value not in PERIODS:
        raise InvalidOperation(PERIOD_MESSAGE)
    return value


def window_start(period: str, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=PERIODS[period])


def _first_action_at() -> Subquery:
    """The claimer's first work Activity on the handoff's session strictly after the claim."""
    actions = Activity.objects.filter(
        session_id=OuterRef("session_id"),
        actor_id=OuterRef("claimed_by_id"),
        kind__in=WORK_ACTIVITY_KINDS,
        created_at__gt=OuterRef("claimed_at"),
    ).order_by("created_at")
    return Subquery(actions.values("created_at")[:1])


def claimed_escalations(account_id, since: datetime | None = None, until: datetime | None = None) -> QuerySet:
    """Claimed escalations of one account (optionally claimed in [since, until]) with TTFA annotations."""
    qs = Handoff.objects.filter(account_id=account_id, intent=Handoff.Intent.ESCALATE, claimed_at__isnull=False)
    if since is not None:
        qs = qs.filter(claimed_at__gte=since)
    if until is not None:
        qs = qs.filter(claimed_at__lte=until)
    return qs.annotate(first_action_at=_first_action_at()).annotate(
        ttfa=ExpressionWrapper(F("first_action_at") - F("claimed_at"), output_field=DurationField()),
        time_to_claim=ExpressionWrapper(F("claimed_at") - F("created_at"), output_field=DurationField()),
    )


def seconds(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 1)


def nearest_rank_index(n: int, percent: int) -> int:
    """0-based index round(percent/100 x (n - 1)), halves up, in integers so 28.5 never becomes 28."""
    return (percent * (n - 1) + 50) // 100


@dataclass(frozen=True)
class Stats:
    avg_s: float | None
    median_s: float | None
    p95_s: float | None


def duration_stats(qs: QuerySet, field: str) -> tuple[int, Stats]:
    """Count, average, median and p95 (seconds) of one duration annotation; rows without it are ignored."""
    qs = qs.filter(**{f"{field}__isnull": False})
    totals = qs.aggregate(n=Count("pk"), avg=Avg(field))
    n = totals["n"]
    if not n:
        return 0, Stats(None, None, None)
    ordered = qs.order_by(field, "pk").values_list(field, flat=True)
    middle = ordered[(n - 1) // 2 : n // 2 + 1]  # one value for odd n, the two middle ones for even n
    median = sum(middle, timedelta()) / len(middle)
    p95 = ordered[nearest_rank_index(n, 95)]
    return n, Stats(seconds(totals["avg"]), seconds(median), seconds(p95))


def baseline_summary(account_id) -> dict | None:
    """{"n_entries", "avg_s"} of the account's manual stopwatch entries, or None when there are none."""
    totals = BaselineEntry.objects.filter(account_id=account_id).aggregate(
        n=Count("pk"),
        avg=Avg(ExpressionWrapper(F("first_action_at") - F("opened_at"), output_field=DurationField())),
    )
    if not totals["n"]:
        return None
    return {"n_entries": totals["n"], "avg_s": seconds(totals["avg"])}


def month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def savings(account_id, baseline: dict | None, ttfa_avg_s: float | None, period: str, now: datetime) -> dict | None:
    """baseline - in-product, only when both exist; always carries both inputs."""
    if baseline is None or ttfa_avg_s is None:
        return None
    recovered_s = baseline["avg_s"] - ttfa_avg_s
    this_month = claimed_escalations(account_id, since=month_start(now), until=now).filter(
        first_action_at__isnull=False
    )
    n_month = this_month.count()
    in_period = claimed_escalations(account_id, since=window_start(period, now), until=now).filter(
        first_action_at__isnull=False
    )
    period_counts = in_period.aggregate(n=Count("pk"), seniors=Count("claimed_by", distinct=True))
    per_senior_week = None
    if period_counts["seniors"]:
        weeks = PERIODS[period] / 7
        per_senior_week = recovered_s * period_counts["n"] / 3600 / period_counts["seniors"] / weeks
    return {
        "baseline_avg_s": baseline["avg_s"],
        "in_product_avg_s": ttfa_avg_s,
        "minutes_recovered_per_escalation": round(recovered_s / 60, 2),
        "n_with_action_this_month": n_month,
        "hours_saved_this_month": round(recovered_s * n_month / 3600, 2),
        "n_seniors": period_counts["seniors"],
        "hours_saved_per_senior_per_week": None if per_senior_week is None else round(per_senior_week, 2),
    }


def escalation_report(account_id, period: str = DEFAULT_PERIOD, now: datetime | None = None) -> dict:
    """The section 6 figures for one account and period, as the API returns them."""
    now = now or timezone.now()
    qs = claimed_escalations(account_id, since=window_start(period, now), until=now)
    n_claimed, claim = duration_stats(qs, "time_to_claim")
    n_with_action, ttfa = duration_stats(qs, "ttfa")
    baseline = baseline_summary(account_id)
    return {
        "period": period,
        "n_handoffs_claimed": n_claimed,
        "n_handoffs_with_action": n_with_action,
        **{f"ttfa_{k}": v for k, v in asdict(ttfa).items()},
        **{f"time_to_claim_{k}": v for k, v in asdict(claim).items()},
        "metric_definition": METRIC_DEFINITION,
        "baseline": baseline,
        "savings": savings(account_id, baseline, ttfa.avg_s, period, now),
    }
