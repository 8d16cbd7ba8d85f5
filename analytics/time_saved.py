"""Time saved across every session (issue 22): `time_saved_report` is the one function behind the page, the API,
the CSV, the monthly email and `time_saved_report`.

Every hour comes from the shop's own measurements, computed in the database:

- escalation hand-over: for each escalation claimed in the window that reached a first action, the manual
  baseline average (escalation stopwatch entries) minus its time to first action, summed;
- ticket-note writing: the manual minutes per ticket note (ticket-note stopwatch entries) for each session
  whose generated notes first left the product (copied, downloaded or pushed: a `notes_exported` Activity)
  in the window;
- flow-guided resolution: per problem domain, the median time to resolve of sessions without a flow minus
  the median of sessions that ran a published flow (both resolved in the 90 days up to the window's end),
  for each flow-guided session resolved in the window.

A source without its baseline has no number ("measure this"), never an estimate. Savings are credited to
the claimer (escalations) or to the session's assignee, else its owner (notes, flows): an engineer sees only
their own contribution against the shop's baselines.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from analytics.breakdowns import group_medians, week_start
from analytics.models import BaselineEntry
from analytics.queries import baseline_summaries, claimed_escalations, escalation_saving, seconds
from flowpilot.models import Activity, ProblemDomain, Session
from flows.models import Flow, FlowRun
from resolutionflow.domain import InvalidOperation

ESCALATION, TICKET_NOTES, FLOW = "escalation", "ticket_notes", "flow"
LABELS = {ESCALATION: "Escalation hand-over", TICKET_NOTES: "Ticket-note writing", FLOW: "Flow-guided resolution"}
FLOW_REFERENCE_DAYS = 90
TREND_WEEKS = 12
PERIOD_MESSAGE = "period must be a month as YYYY-MM (e.g. 2026-11), not in the future"

METHODS = {
    ESCALATION: (
        "For each escalation claimed in the period that reached a first action: the manual baseline (average "
        "of your escalation stopwatch entries, ticket opened to first diagnostic action) minus its in-product "
        "time to first action (claim to the claimer's first work). Hours saved = the sum of those differences."
    ),
    TICKET_NOTES: (
        "Manual minutes per ticket note (average of your ticket-note stopwatch entries) times the sessions "
        "whose generated ticket notes were first copied, downloaded or pushed to the PSA in the period; "
        "writing those notes took no one's time."
    ),
    FLOW: (
        "Per problem domain: the median time to resolve of sessions that ran no flow minus the median of "
        "sessions that ran a published flow, both over sessions resolved in the 90 days up to the end of the "
        "period, times the flow-guided sessions resolved in the period. Domains without both medians count "
        "nothing."
    ),
}
TOTAL_METHOD = (
    "Hours saved = the sum of the sources that have a number. Per senior per week = hours saved / the people "
    "credited with a saving in the period / the weeks the period has run so far."
)


@dataclass(frozen=True)
class Window:
    month: date
    start: datetime
    end: datetime  # exclusive; "now" for the running month


def parse_month(value: str | None, now: datetime | None = None) -> date:
    """The first day of a `YYYY-MM` month (default: the current one); malformed or future months are a 400."""
    today = timezone.localtime(now or timezone.now()).date()
    if value in (None, ""):
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-"))
        first = date(year, month, 1)
    except (TypeError, ValueError):
        raise InvalidOperation(PERIOD_MESSAGE) from None
    if len(value) != 7 or first > today or year < 2000:
        raise InvalidOperation(PERIOD_MESSAGE)
    return first


def month_before(month: date) -> date:
    """The first day of the month before `month`."""
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_window(month: date, now: datetime | None = None) -> Window:
    now = now or timezone.now()
    start = timezone.make_aware(datetime(month.year, month.month, 1))
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    end = min(timezone.make_aware(datetime(following.year, following.month, 1)), now)
    return Window(month, start, end)


def scope_user_id(user):
    """Whose contribution a member sees: None (the whole account) for owners and admins, else their own id."""
    return None if user.is_admin_or_owner else user.pk


def flow_run_sessions(account_id) -> QuerySet | None:
    """Sessions of the account that ran a published flow (a FlowVersion exists only once published);
    None while the account has no published flow, which the page shows as "No flows yet"."""
    if not Flow.objects.filter(account_id=account_id, status=Flow.Status.PUBLISHED).exists():
        return None
    ran = FlowRun.objects.filter(session_id=OuterRef("pk"))
    return Session.objects.filter(account_id=account_id).filter(Exists(ran))


def _credited(qs: QuerySet) -> QuerySet:
    return qs.annotate(credited_id=Coalesce("assignee_id", "owner_id"))


def _escalations(account_id, window: Window, since: datetime, user_id) -> QuerySet:
    qs = claimed_escalations(account_id).filter(
        first_action_at__isnull=False, claimed_at__gte=since, claimed_at__lt=window.end
    )
    return qs.filter(claimed_by_id=user_id) if user_id else qs


def _exported_sessions(account_id, window: Window, since: datetime, user_id) -> QuerySet:
    """Sessions whose ticket notes first left the product in [since, window end), as `first_export`.

    Starts from the exports inside the window (Activity.created_at is indexed), so a year of sessions
    is never scanned; a session exported before `since` as well is not new in the window."""
    exports = Activity.objects.filter(account_id=account_id, kind=Activity.Kind.NOTES_EXPORTED)
    in_window = exports.filter(created_at__gte=since, created_at__lt=window.end)
    first_in_window = in_window.filter(session=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
    earlier = exports.filter(session=OuterRef("pk"), created_at__lt=since)
    qs = _credited(Session.objects.filter(account_id=account_id, pk__in=in_window.values("session")))
    qs = qs.annotate(first_export=Subquery(first_in_window)).filter(~Exists(earlier))
    return qs.filter(credited_id=user_id) if user_id else qs


def _resolved(account_id, since: datetime, until: datetime) -> QuerySet:
    return Session.objects.filter(
        account_id=account_id, status=Session.Status.RESOLVED, resolved_at__gte=since, resolved_at__lt=until
    ).annotate(ttr=ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()))


def _flow_reference(account_id, flow_qs: QuerySet, window: Window) -> dict:
    """{domain: {"with_s", "without_s", "n_with", "n_without"}} over the reference window."""
    resolved = _resolved(account_id, window.end - timedelta(days=FLOW_REFERENCE_DAYS), window.end)
    ran_flow = Q(pk__in=flow_qs.values("pk"))
    with_flow = group_medians(resolved.filter(ran_flow), "problem_domain", "ttr")
    without_flow = group_medians(resolved.exclude(ran_flow), "problem_domain", "ttr")
    counts = (
        resolved.values("problem_domain")
        .annotate(n_with=Count("pk", filter=ran_flow), n_without=Count("pk", filter=~ran_flow))
        .order_by("problem_domain")
    )
    return {
        row["problem_domain"]: {
            "with_s": with_flow.get(row["problem_domain"]),
            "without_s": without_flow.get(row["problem_domain"]),
            "n_with": row["n_with"],
            "n_without": row["n_without"],
        }
        for row in counts
    }


def _flow_sessions(account_id, flow_qs: QuerySet, window: Window, since: datetime, user_id) -> QuerySet:
    qs = _credited(_resolved(account_id, since, window.end)).filter(pk__in=flow_qs.values("pk"))
    return qs.filter(credited_id=user_id) if user_id else qs


def _per_week(qs: QuerySet, field: str, *group: str, **aggregates) -> list[dict]:
    return list(
        qs.annotate(week=TruncWeek(field)).values("week", *group).annotate(**aggregates).order_by("week", *group)
    )


def _source(key: str, hours: float | None, status: str, inputs: dict) -> dict:
    return {
        "key": key,
        "label": LABELS[key],
        "hours_saved": hours,
        "status": status,
        "inputs": inputs,
        "method": METHODS[key],
    }


def _escalation_source(account_id, window: Window, baseline: dict | None, user_id) -> dict:
    totals = _escalations(account_id, window, window.start, user_id).aggregate(n=Count("pk"), total=Sum("ttfa"))
    n = totals["n"]
    inputs = {
        "baseline_entries": baseline["n_entries"] if baseline else 0,
        "baseline_avg_s": baseline["avg_s"] if baseline else None,
        "escalations_with_first_action": n,
        "in_product_avg_s": seconds(totals["total"] / n) if n else None,
    }
    if baseline is None:
        return _source(ESCALATION, None, "measure_this", inputs)
    return _source(ESCALATION, escalation_saving(n, totals["total"], baseline["avg_s"]), "measured", inputs)


def _notes_source(account_id, window: Window, baseline: dict | None, user_id) -> dict:
    n = _exported_sessions(account_id, window, window.start, user_id).count()
    inputs = {
        "baseline_entries": baseline["n_entries"] if baseline else 0,
        "manual_minutes_per_note": round(baseline["avg_s"] / 60, 2) if baseline else None,
        "sessions_with_notes_exported": n,
    }
    if baseline is None:
        return _source(TICKET_NOTES, None, "measure_this", inputs)
    return _source(TICKET_NOTES, round(n * baseline["avg_s"] / 3600, 2), "measured", inputs)


def _flow_saving_s(reference: dict, domain: str) -> float | None:
    ref = reference.get(domain)
    if not ref or ref["with_s"] is None or ref["without_s"] is None:
        return None
    return ref["without_s"] - ref["with_s"]


def _flow_source(account_id, window: Window, flow_qs: QuerySet | None, reference: dict, user_id) -> dict:
    inputs = {"reference_days": FLOW_REFERENCE_DAYS, "flow_sessions_resolved": 0, "domains": []}
    if flow_qs is None:
        return _source(FLOW, None, "no_flows", inputs)
    counts = dict(
        _flow_sessions(account_id, flow_qs, window, window.start, user_id)
        .values_list("problem_domain")
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = dict(ProblemDomain.choices)
    total_s, comparable = 0.0, False
    for domain, ref in sorted(reference.items()):
        saving_s, n = _flow_saving_s(reference, domain), counts.get(domain, 0)
        comparable = comparable or saving_s is not None
        total_s += (saving_s or 0) * n
        inputs["domains"].append(
            {
                "domain": domain,
                "label": labels.get(domain, domain),
                "median_without_flow_s": ref["without_s"],
                "median_with_flow_s": ref["with_s"],
                "sessions_without_flow": ref["n_without"],
                "sessions_with_flow": ref["n_with"],
                "flow_sessions_resolved": n,
                "hours_saved": None if saving_s is None else round(saving_s * n / 3600, 2),
            }
        )
    inputs["flow_sessions_resolved"] = sum(counts.values())
    if not any(ref["n_with"] for ref in reference.values()):
        return _source(FLOW, None, "no_flows", inputs)
    if not comparable:
        return _source(FLOW, None, "no_comparison", inputs)
    return _source(FLOW, round(total_s / 3600, 2), "measured", inputs)


def _trend(account_id, window: Window, baselines: dict, flow_qs, reference: dict, user_id) -> list[dict]:
    """Hours saved per calendar week (Monday starts) by source, the `TREND_WEEKS` weeks up to the window's end."""
    last = week_start(window.end - timedelta(microseconds=1))
    starts = [last - timedelta(weeks=TREND_WEEKS - 1 - i) for i in range(TREND_WEEKS)]
    weeks = {start: {} for start in starts}
    since = starts[0]
    if baseline := baselines.get(BaselineEntry.Kind.ESCALATION):
        qs = _escalations(account_id, window, since, user_id)
        for row in _per_week(qs, "claimed_at", n=Count("pk"), total=Sum("ttfa")):
            weeks[week_start(row["week"])][ESCALATION] = escalation_saving(row["n"], row["total"], baseline["avg_s"])
    if baseline := baselines.get(BaselineEntry.Kind.TICKET_NOTES):
        qs = _exported_sessions(account_id, window, since, user_id)
        for row in _per_week(qs, "first_export", n=Count("pk")):
            weeks[week_start(row["week"])][TICKET_NOTES] = round(row["n"] * baseline["avg_s"] / 3600, 2)
    if flow_qs is not None:
        qs = _flow_sessions(account_id, flow_qs, window, since, user_id)
        for row in _per_week(qs, "resolved_at", "problem_domain", n=Count("pk")):
            saving_s = _flow_saving_s(reference, row["problem_domain"])
            if saving_s is not None:
                hours = weeks[week_start(row["week"])].get(FLOW, 0.0) + saving_s * row["n"] / 3600
                weeks[week_start(row["week"])][FLOW] = round(hours, 2)
    measured = {
        ESCALATION: ESCALATION in baselines,
        TICKET_NOTES: TICKET_NOTES in baselines,
        FLOW: any(_flow_saving_s(reference, d) is not None for d in reference),
    }
    return [
        {
            "week_start": start.date().isoformat(),
            **{key: (hours.get(key, 0.0) if measured[key] else None) for key in LABELS},
            "total": round(sum(hours.get(key, 0.0) for key in LABELS if measured[key]), 2),
        }
        for start, hours in weeks.items()
    ]


def _contributors(account_id, window: Window, sources: dict, flow_qs, user_id) -> int:
    """People credited with a saving in the window over the sources that have a number (one UNION, counted)."""
    parts = []
    if sources[ESCALATION]["hours_saved"] is not None:
        parts.append((_escalations(account_id, window, window.start, user_id), "claimed_by_id"))
    if sources[TICKET_NOTES]["hours_saved"] is not None:
        parts.append((_exported_sessions(account_id, window, window.start, user_id), "credited_id"))
    if sources[FLOW]["hours_saved"] is not None:
        parts.append((_flow_sessions(account_id, flow_qs, window, window.start, user_id), "credited_id"))
    credited = [qs.values_list(field).order_by() for qs, field in parts]
    if not credited:
        return 0
    # order_by() everywhere: Meta.ordering would break UNION and add columns to DISTINCT.
    people = credited[0].union(*credited[1:]) if len(credited) > 1 else credited[0].distinct()
    return sum(1 for (person,) in people if person is not None)


def time_saved_report(account_id, month: date, *, user_id=None, now: datetime | None = None) -> dict:
    """The month's hours saved by source with inputs and methods, the 12-week trend and per senior per week.

    `user_id` narrows every count to that person's contribution (baselines and medians stay the shop's)."""
    window = month_window(month, now)
    baselines = baseline_summaries(account_id)
    flow_qs = flow_run_sessions(account_id)
    reference = _flow_reference(account_id, flow_qs, window) if flow_qs is not None else {}
    sources = {
        ESCALATION: _escalation_source(account_id, window, baselines.get(BaselineEntry.Kind.ESCALATION), user_id),
        TICKET_NOTES: _notes_source(account_id, window, baselines.get(BaselineEntry.Kind.TICKET_NOTES), user_id),
        FLOW: _flow_source(account_id, window, flow_qs, reference, user_id),
    }
    measured = [s["hours_saved"] for s in sources.values() if s["hours_saved"] is not None]
    total = round(sum(measured), 2) if measured else None
    n_seniors = _contributors(account_id, window, sources, flow_qs, user_id) if measured else 0
    weeks = round((window.end - window.start) / timedelta(weeks=1), 2)
    per_senior_week = round(total / n_seniors / weeks, 2) if total is not None and n_seniors and weeks else None
    return {
        "period": f"{month:%Y-%m}",
        "scope": "mine" if user_id else "account",
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "hours_saved": total,
        "hours_saved_per_senior_per_week": per_senior_week,
        "n_seniors": n_seniors,
        "weeks": weeks,
        "method": TOTAL_METHOD,
        "sources": list(sources.values()),
        "trend": _trend(account_id, window, baselines, flow_qs, reference, user_id),
    }
