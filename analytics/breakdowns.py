"""Per-tech, per-domain and weekly views of the same TTFA rows (`queries.claimed_escalations`, stored first_action_at).

Group medians use window functions (ROW_NUMBER and COUNT over each group,
filtered to the one or two middle rows), so only the middle values leave the
database. The 4-week rolling line is the average over the underlying
escalations of the four weeks ending at each week (sum of durations / number
of escalations with an action), not an average of weekly averages, so a quiet
week weighs as little as it should.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import timezone

from analytics.queries import claimed_escalations, seconds, window_start
from flowpilot.models import ProblemDomain

TREND_WEEKS = 12
ROLLING_WEEKS = 4


def group_medians(qs: QuerySet, group: str, field: str) -> dict:
    """{group value: median of `field` in seconds}, the conventional median, computed with window functions."""
    ranked = (
        qs.filter(**{f"{field}__isnull": False})
        .annotate(
            rank=Window(RowNumber(), partition_by=[F(group)], order_by=[F(field).asc(), F("pk").asc()]),
            size=Window(Count("pk"), partition_by=[F(group)]),
        )
        # Integer division: rows (size+1)/2 .. size/2+1 are the middle one (odd) or two (even).
        .filter(rank__gte=(F("size") + 1) / 2, rank__lte=F("size") / 2 + 1)
        .order_by()  # drop Meta.ordering: it would add a second full sort
        .values_list(group, field)
    )
    middles = defaultdict(list)
    for key, value in ranked:
        middles[key].append(value)
    return {key: seconds(sum(values, timedelta()) / len(values)) for key, values in middles.items()}


def tech_row(claimer_id, name, email, n_claimed: int, n_with_action: int, avg, median_s) -> dict:
    return {
        "claimer_id": str(claimer_id) if claimer_id else None,
        "name": name or (email or "Former member").split("@")[0],
        "n_claimed": n_claimed,
        "n_with_action": n_with_action,
        "ttfa_avg_s": seconds(avg),
        "ttfa_median_s": median_s,
    }


def domain_row(domain: str, n_claimed: int, n_with_action: int, avg, median_s) -> dict:
    return {
        "domain": domain,
        "label": dict(ProblemDomain.choices).get(domain, domain),
        "n_claimed": n_claimed,
        "n_with_action": n_with_action,
        "ttfa_avg_s": seconds(avg),
        "ttfa_median_s": median_s,
    }


GROUP_FIGURES = {"n_claimed": Count("pk"), "n_with_action": Count("first_action_at"), "avg": Avg("ttfa")}


def per_tech(account_id, period: str, now: datetime | None = None) -> list[dict]:
    """One row per claimer: escalations claimed, with an action, TTFA average and median (seconds)."""
    qs = claimed_escalations(account_id, since=window_start(period, now), until=now or timezone.now())
    rows = (
        qs.values("claimed_by_id", "claimed_by__name", "claimed_by__email")
        .annotate(**GROUP_FIGURES)
        .order_by("claimed_by__name", "claimed_by__email")
    )
    medians = group_medians(qs, "claimed_by_id", "ttfa")
    return [
        tech_row(
            row["claimed_by_id"], row["claimed_by__name"], row["claimed_by__email"], row["n_claimed"],
            row["n_with_action"], row["avg"], medians.get(row["claimed_by_id"]),
        )
        for row in rows
    ]  # fmt: skip


def per_domain(account_id, period: str, now: datetime | None = None) -> list[dict]:
    """One row per problem domain of the escalated session (the handoff's copy of it: no join)."""
    qs = claimed_escalations(account_id, since=window_start(period, now), until=now or timezone.now())
    rows = qs.values_list("problem_domain").annotate(**GROUP_FIGURES).order_by("problem_domain")
    medians = group_medians(qs, "problem_domain", "ttfa")
    return [domain_row(domain, n, n_acted, avg, medians.get(domain)) for domain, n, n_acted, avg in rows]


@dataclass(frozen=True)
class Week:
    start: datetime
    n_with_action: int
    avg_s: float | None
    rolling_avg_s: float | None


def week_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    monday = local - timedelta(days=local.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def weekly_trend(account_id, now: datetime | None = None, weeks: int = TREND_WEEKS) -> list[Week]:
    """The last `weeks` calendar weeks (Monday starts, oldest first) of TTFA, with a 4-week rolling average."""
    now = now or timezone.now()
    first_shown = week_start(now) - timedelta(weeks=weeks - 1)
    since = first_shown - timedelta(weeks=ROLLING_WEEKS - 1)  # warm-up weeks feed the first rolling points
    buckets = (
        claimed_escalations(account_id, since=since, until=now)
        .filter(first_action_at__isnull=False)
        .annotate(week=TruncWeek("claimed_at"))
        .values("week")
        .annotate(n=Count("pk"), total=Sum("ttfa"))
        .order_by("week")
    )
    by_week = {week_start(row["week"]): (row["n"], row["total"]) for row in buckets}
    starts = [since + timedelta(weeks=i) for i in range(weeks + ROLLING_WEEKS - 1)]
    series = [by_week.get(start, (0, timedelta())) for start in starts]
    result = []
    for i in range(ROLLING_WEEKS - 1, len(starts)):
        n, total = series[i]
        window = series[i - ROLLING_WEEKS + 1 : i + 1]
        window_n = sum(count for count, _ in window)
        window_total = sum((value for _, value in window), timedelta())
        result.append(
            Week(
                start=starts[i],
                n_with_action=n,
                avg_s=seconds(total / n) if n else None,
                rolling_avg_s=seconds(window_total / window_n) if window_n else None,
            )
        )
    return result


EXPORT_COLUMNS = [
    "handoff_id",
    "session_id",
    "domain",
    "escalated_at",
    "claimed_at",
    "claimer",
    "time_to_claim_s",
    "first_action_at",
    "ttfa_s",
    "seconds_to_first_action",
]
SUMMARY_COLUMNS = [
    "period",
    "n_handoffs_claimed",
    "n_handoffs_with_action",
    "avg_seconds_to_first_action",
    "median_seconds_to_first_action",
    "p95_seconds_to_first_action",
    "ttfa_avg_s",
    "ttfa_median_s",
    "ttfa_p95_s",
    "time_to_claim_avg_s",
    "time_to_claim_median_s",
    "time_to_claim_p95_s",
]


def export_rows(account_id, period: str, now: datetime | None = None):
    """Per-escalation rows of the period, oldest claim first, in EXPORT_COLUMNS order."""
    qs = claimed_escalations(account_id, since=window_start(period, now), until=now or timezone.now())
    values = qs.order_by("claimed_at", "pk").values_list(
        "pk",
        "session_id",
        "session__problem_domain",
        "created_at",
        "claimed_at",
        "claimed_by__name",
        "time_to_claim",
        "first_action_at",
        "ttfa",
    )
    for pk, session_id, domain, created, claimed, claimer, to_claim, first_action, ttfa in values.iterator():
        yield [
            str(pk),
            str(session_id),
            domain,
            created.isoformat(),
            claimed.isoformat(),
            claimer or "",
            seconds(to_claim),
            first_action.isoformat() if first_action else "",
            "" if ttfa is None else seconds(ttfa),
            "" if ttfa is None else seconds(ttfa),  # the same value under the original system's name
        ]
