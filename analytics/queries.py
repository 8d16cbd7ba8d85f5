"""Time to first action (TTFA) and time to claim, computed in the database (SPEC section 6).

Every figure starts from `claimed_escalations()`: the account's escalations
claimed inside the window, with both durations as DurationField expressions
over stored columns (TTFA uses `Handoff.first_action_at`, which
`flowpilot.activity.record` keeps as the claimer's first work Activity after
the claim). Django renders the expressions correctly on SQLite (microseconds)
and PostgreSQL (intervals). Counts and averages come from one aggregate query;
each median and p95 fetches one or two already-sorted values via OFFSET/LIMIT.

Percentiles: p95 is the nearest-rank value at 0-based index
round(0.95 x (n - 1)), rounding halves up. The median is the conventional one
(mean of the two middle values when n is even).
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from analytics.models import BaselineEntry
from escalations.models import Handoff
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


def claimed_escalations(account_id, since: datetime | None = None, until: datetime | None = None) -> QuerySet:
    """Claimed escalations of one account (optionally claimed in [since, until]) with both durations annotated."""
    qs = Handoff.objects.filter(account_id=account_id, intent=Handoff.Intent.ESCALATE, claimed_at__isnull=False)
    if since is not None:
        qs = qs.filter(claimed_at__gte=since)
    if until is not None:
        qs = qs.filter(claimed_at__lte=until)
    return qs.annotate(
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


def percentile_stats(qs: QuerySet, field: str, n: int, avg: timedelta | None) -> Stats:
    """Average, median and p95 (seconds) of one duration annotation over its `n` non-null rows.

    One sort: ROW_NUMBER over the sorted values, keeping only the (at most three) ranks needed."""
    if not n:
        return Stats(None, None, None)
    middle = range((n - 1) // 2, n // 2 + 1)  # 0-based: one index for odd n, the two middle ones for even n
    p95_at = nearest_rank_index(n, 95)
    ranked = (
        qs.filter(**{f"{field}__isnull": False})
        .annotate(position=Window(RowNumber(), order_by=F(field).asc()))
        .filter(position__in=[i + 1 for i in {*middle, p95_at}])
        .order_by()  # drop Meta.ordering: it would add a second full sort
        .values_list("position", field)
    )
    at = {position - 1: value for position, value in ranked}
    median = sum((at[i] for i in middle), timedelta()) / len(middle)
    return Stats(seconds(avg), seconds(median), seconds(at[p95_at]))


def baseline_summaries(account_id) -> dict[str, dict]:
    """{kind: {"n_entries", "avg_s"}} of the account's manual stopwatch entries, one query; kinds without entries
    are absent."""
    rows = (
        BaselineEntry.objects.filter(account_id=account_id)
        .values("kind")
        .annotate(
            n=Count("pk"),
            avg=Avg(ExpressionWrapper(F("first_action_at") - F("opened_at"), output_field=DurationField())),
        )
        .order_by("kind")
    )
    return {row["kind"]: {"n_entries": row["n"], "avg_s": seconds(row["avg"])} for row in rows if row["n"]}


def baseline_summary(account_id, kind: str = BaselineEntry.Kind.ESCALATION) -> dict | None:
    """{"n_entries", "avg_s"} of the account's manual stopwatch entries of one kind, or None when there are none."""
    return baseline_summaries(account_id).get(kind)


def month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def escalation_saving(n_with_action: int, total_ttfa: timedelta | None, baseline_avg_s: float) -> float:
    """Hours recovered over escalations: the sum over each of (baseline average - its time to first action)."""
    total_s = total_ttfa.total_seconds() if total_ttfa else 0.0
    return round((n_with_action * baseline_avg_s - total_s) / 3600, 2)


def savings(baseline: dict | None, ttfa_avg_s: float | None, totals: dict, period: str) -> dict | None:
    """baseline - in-product, only when both exist; always carries both inputs (`totals` from period_totals).

    Minutes recovered and per senior per week belong to the selected period; hours saved this month belongs to
    the calendar month whatever the period (the month's own escalations, as on the time-saved page)."""
    n_month, n_seniors = (totals.get("n_month") or 0), totals.get("n_seniors")
    if baseline is None or (ttfa_avg_s is None and not n_month):
        return None
    recovered_s = None if ttfa_avg_s is None else baseline["avg_s"] - ttfa_avg_s
    per_senior_week = None
    if n_seniors and recovered_s is not None:
        weeks = PERIODS[period] / 7
        per_senior_week = recovered_s * totals["n_with_action"] / 3600 / n_seniors / weeks
    return {
        "baseline_avg_s": baseline["avg_s"],
        "in_product_avg_s": ttfa_avg_s,
        "minutes_recovered_per_escalation": None if recovered_s is None else round(recovered_s / 60, 2),
        "n_with_action_this_month": n_month,
        "in_product_avg_s_this_month": seconds(totals["ttfa_month"] / n_month) if n_month else None,
        "hours_saved_this_month": escalation_saving(n_month, totals["ttfa_month"], baseline["avg_s"]),
        "n_seniors": n_seniors,
        "hours_saved_per_senior_per_week": None if per_senior_week is None else round(per_senior_week, 2),
    }


def period_totals(account_id, since: datetime, now: datetime, with_savings: bool) -> dict:
    """Counts and averages of both durations in one query over [since, now].

    With `with_savings`, the same query also counts this month's escalations with an action and sums their
    TTFA, and counts the period's distinct claimers with one (the window widens to the month start if earlier)."""
    in_period = Q(claimed_at__gte=since)
    aggregates = {
        "n_claimed": Count("pk", filter=in_period),
        "claim_avg": Avg("time_to_claim", filter=in_period),
        "n_with_action": Count("first_action_at", filter=in_period),
        "ttfa_avg": Avg("ttfa", filter=in_period),
    }
    first = since
    if with_savings:
        acted, first = Q(first_action_at__isnull=False), min(since, month_start(now))
        this_month = acted & Q(claimed_at__gte=month_start(now))
        aggregates["n_month"] = Count("pk", filter=this_month)
        aggregates["ttfa_month"] = Sum("ttfa", filter=this_month)
        aggregates["n_seniors"] = Count("claimed_by", distinct=True, filter=in_period & acted)
    return claimed_escalations(account_id, since=first, until=now).aggregate(**aggregates)


def escalation_report(account_id, period: str = DEFAULT_PERIOD, now: datetime | None = None) -> dict:
    """The section 6 figures for one account and period, as the API returns them."""
    now = now or timezone.now()
    since = window_start(period, now)
    baseline = baseline_summary(account_id)
    totals = period_totals(account_id, since, now, with_savings=baseline is not None)
    qs = claimed_escalations(account_id, since=since, until=now)
    claim = percentile_stats(qs, "time_to_claim", totals["n_claimed"], totals["claim_avg"])
    ttfa = percentile_stats(qs, "ttfa", totals["n_with_action"], totals["ttfa_avg"])
    return build_report(period, baseline, totals, claim, ttfa)


def build_report(period: str, baseline: dict | None, totals: dict, claim: Stats, ttfa: Stats) -> dict:
    return {
        "period": period,
        "n_handoffs_claimed": totals["n_claimed"],
        "n_handoffs_with_action": totals["n_with_action"],
        **{f"ttfa_{k}": v for k, v in asdict(ttfa).items()},
        # The original system's names (SPEC section 6), beside ours.
        "avg_seconds_to_first_action": ttfa.avg_s,
        "median_seconds_to_first_action": ttfa.median_s,
        "p95_seconds_to_first_action": ttfa.p95_s,
        **{f"time_to_claim_{k}": v for k, v in asdict(claim).items()},
        "metric_definition": METRIC_DEFINITION,
        "baseline": baseline,
        "savings": savings(baseline, ttfa.avg_s, totals, period),
    }
