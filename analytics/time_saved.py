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

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, TruncWeek
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
WITH_FLOW, WITHOUT_FLOW = "+", "-"  # suffixes of the median groups (domain + whether a flow ran)
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


def flow_run_session_ids(account_id) -> QuerySet | None:
    """Ids of the account's sessions that ran a published flow (a FlowRun starts only on a published version), as
    a subquery; None while the account has no published flow, which the page shows as "No flows yet"."""
    if not Flow.objects.filter(account_id=account_id, status=Flow.Status.PUBLISHED).exists():
        return None
    # From FlowRun's own account column: going through Session (EXISTS per session) read all of its sessions.
    return FlowRun.objects.filter(account_id=account_id).values("session_id")


def trend_start(window: Window) -> datetime:
    """The Monday that starts the first of the `TREND_WEEKS` weeks up to the window's end (before the window)."""
    return week_start(window.end - timedelta(microseconds=1)) - timedelta(weeks=TREND_WEEKS - 1)


def _credited(qs: QuerySet, session: str = "") -> QuerySet:
    return qs.annotate(credited_id=Coalesce(f"{session}assignee_id", f"{session}owner_id"))


def _escalations(account_id, since: datetime, until: datetime, user_id) -> QuerySet:
    qs = claimed_escalations(account_id).filter(
        first_action_at__isnull=False, claimed_at__gte=since, claimed_at__lt=until
    )
    return qs.filter(claimed_by_id=user_id) if user_id else qs


def _first_exports(account_id, since: datetime, until: datetime, user_id, credited: bool = False) -> QuerySet:
    """One Activity per session whose ticket notes first left the product in [since, until): its first export.

    Read from the partial indexes on notes exports (flowpilot 0007): the exports in the range, less those with
    an earlier export of the same session (ties broken by id, so a session is never counted twice)."""
    exports = Activity.objects.filter(account_id=account_id, kind=Activity.Kind.NOTES_EXPORTED)
    earlier = exports.filter(session_id=OuterRef("session_id"), created_at__lt=until).filter(
        Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    qs = exports.filter(created_at__gte=since, created_at__lt=until).filter(~Exists(earlier))
    if not (user_id or credited):
        return qs  # the account's counts need no join to Session
    qs = _credited(qs, "session__")
    return qs.filter(credited_id=user_id) if user_id else qs


def _resolved(account_id, since: datetime, until: datetime) -> QuerySet:
    return Session.objects.filter(
        account_id=account_id, status=Session.Status.RESOLVED, resolved_at__gte=since, resolved_at__lt=until
    ).annotate(ttr=ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()))


def _flow_sessions(account_id, ran: QuerySet, since: datetime, until: datetime, user_id) -> QuerySet:
    qs = _credited(_resolved(account_id, since, until)).filter(pk__in=ran)
    return qs.filter(credited_id=user_id) if user_id else qs


def _per_week(qs: QuerySet, field: str, *group: str, **aggregates) -> list[dict]:
    return list(
        qs.annotate(week=TruncWeek(field)).values("week", *group).annotate(**aggregates).order_by("week", *group)
    )


# One grouped query per source serves both the month and the trend: the month lies inside the trend's weeks
# (TREND_WEEKS weeks up to the window's end), so each week's row also carries its in-month part (`*_month`).


def _escalation_weeks(account_id, window: Window, since: datetime, user_id) -> list[dict]:
    in_month = Q(claimed_at__gte=window.start)
    return _per_week(
        _escalations(account_id, since, window.end, user_id),
        "claimed_at",
        n=Count("pk"),
        total=Sum("ttfa"),
        n_month=Count("pk", filter=in_month),
        total_month=Sum("ttfa", filter=in_month),
    )


def _notes_weeks(account_id, window: Window, since: datetime, user_id) -> list[dict]:
    qs = _first_exports(account_id, since, window.end, user_id)
    return _per_week(qs, "created_at", n=Count("pk"), n_month=Count("pk", filter=Q(created_at__gte=window.start)))


def _flow_weeks(account_id, ran: QuerySet, window: Window, since: datetime, user_id) -> list[dict]:
    """Per week and problem domain of the sessions resolved since the reference window's start: the reference
    counts with and without a flow, and the flow-guided sessions in the trend (`n`) and in the month."""
    reference_start = window.end - timedelta(days=FLOW_REFERENCE_DAYS)
    ran_flow, mine = Q(pk__in=ran), Q(credited_id=user_id) if user_id else Q()
    in_reference = Q(resolved_at__gte=reference_start)
    return _per_week(
        _credited(_resolved(account_id, min(since, reference_start), window.end)),
        "resolved_at",
        "problem_domain",
        n_with=Count("pk", filter=in_reference & ran_flow),
        n_without=Count("pk", filter=in_reference & ~ran_flow),
        n=Count("pk", filter=ran_flow & mine & Q(resolved_at__gte=since)),
        n_month=Count("pk", filter=ran_flow & mine & Q(resolved_at__gte=window.start)),
    )


def _flow_reference(account_id, ran: QuerySet, window: Window, flow_weeks: list[dict]) -> dict:
    """{domain: {"with_s", "without_s", "n_with", "n_without"}} over the reference window."""
    resolved = _resolved(account_id, window.end - timedelta(days=FLOW_REFERENCE_DAYS), window.end)
    # Both medians of every domain in one sort: group by domain and whether the session ran a flow, as one key
    # ("networking+" ran one, "networking-" did not), so the nearest-rank rule stays group_medians'.
    ran_flow = Case(When(pk__in=ran, then=Value(WITH_FLOW)), default=Value(WITHOUT_FLOW))
    medians = group_medians(resolved.annotate(bucket=Concat("problem_domain", ran_flow)), "bucket", "ttr")
    counts = defaultdict(lambda: {"n_with": 0, "n_without": 0})
    for row in flow_weeks:  # the weeks' counts, added up per domain
        if row["n_with"] or row["n_without"]:
            counts[row["problem_domain"]]["n_with"] += row["n_with"]
            counts[row["problem_domain"]]["n_without"] += row["n_without"]
    return {
        domain: {
            "with_s": medians.get(domain + WITH_FLOW),
            "without_s": medians.get(domain + WITHOUT_FLOW),
            **counts[domain],
        }
        for domain in sorted(counts)
    }


def _source(key: str, hours: float | None, status: str, inputs: dict) -> dict:
    return {
        "key": key,
        "label": LABELS[key],
        "hours_saved": hours,
        "status": status,
        "inputs": inputs,
        "method": METHODS[key],
    }


def _escalation_source(weeks: list[dict], baseline: dict | None) -> dict:
    n = sum(row["n_month"] for row in weeks)
    total = sum((row["total_month"] for row in weeks if row["total_month"] is not None), timedelta())
    inputs = {
        "baseline_entries": baseline["n_entries"] if baseline else 0,
        "baseline_avg_s": baseline["avg_s"] if baseline else None,
        "escalations_with_first_action": n,
        "in_product_avg_s": seconds(total / n) if n else None,
    }
    if baseline is None:
        return _source(ESCALATION, None, "measure_this", inputs)
    return _source(ESCALATION, escalation_saving(n, total, baseline["avg_s"]), "measured", inputs)


def _notes_source(weeks: list[dict], baseline: dict | None) -> dict:
    n = sum(row["n_month"] for row in weeks)
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


def _flow_source(ran: QuerySet | None, weeks: list[dict], reference: dict) -> dict:
    inputs = {"reference_days": FLOW_REFERENCE_DAYS, "flow_sessions_resolved": 0, "domains": []}
    if ran is None:
        return _source(FLOW, None, "no_flows", inputs)
    counts = defaultdict(int)
    for row in weeks:
        counts[row["problem_domain"]] += row["n_month"]
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


def _trend(since: datetime, baselines: dict, reference: dict, esc: list, notes: list, flows: list) -> list[dict]:
    """Hours saved per calendar week (Monday starts) by source, the `TREND_WEEKS` weeks from `since`."""
    weeks = {since + timedelta(weeks=i): {} for i in range(TREND_WEEKS)}
    if baseline := baselines.get(BaselineEntry.Kind.ESCALATION):
        for row in esc:
            weeks[week_start(row["week"])][ESCALATION] = escalation_saving(row["n"], row["total"], baseline["avg_s"])
    if baseline := baselines.get(BaselineEntry.Kind.TICKET_NOTES):
        for row in notes:
            weeks[week_start(row["week"])][TICKET_NOTES] = round(row["n"] * baseline["avg_s"] / 3600, 2)
    for row in flows:
        saving_s = _flow_saving_s(reference, row["problem_domain"])
        if row["n"] and saving_s is not None:
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


def _contributors(account_id, window: Window, sources: dict, ran, user_id) -> int:
    """People credited with a saving in the window over the sources that have a number (one UNION, counted)."""
    since, until = window.start, window.end
    parts = []
    if sources[ESCALATION]["hours_saved"] is not None:
        parts.append((_escalations(account_id, since, until, user_id), "claimed_by_id"))
    if sources[TICKET_NOTES]["hours_saved"] is not None:
        parts.append((_first_exports(account_id, since, until, user_id, credited=True), "credited_id"))
    if sources[FLOW]["hours_saved"] is not None:
        parts.append((_flow_sessions(account_id, ran, since, until, user_id), "credited_id"))
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
    since = trend_start(window)
    baselines = baseline_summaries(account_id)
    ran = flow_run_session_ids(account_id)
    escalation_weeks = _escalation_weeks(account_id, window, since, user_id)
    notes_weeks = _notes_weeks(account_id, window, since, user_id)
    flow_weeks = _flow_weeks(account_id, ran, window, since, user_id) if ran is not None else []
    reference = _flow_reference(account_id, ran, window, flow_weeks) if ran is not None else {}
    sources = {
        ESCALATION: _escalation_source(escalation_weeks, baselines.get(BaselineEntry.Kind.ESCALATION)),
        TICKET_NOTES: _notes_source(notes_weeks, baselines.get(BaselineEntry.Kind.TICKET_NOTES)),
        FLOW: _flow_source(ran, flow_weeks, reference),
    }
    measured = [s["hours_saved"] for s in sources.values() if s["hours_saved"] is not None]
    total = round(sum(measured), 2) if measured else None
    n_seniors = _contributors(account_id, window, sources, ran, user_id) if measured else 0
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
        "trend": _trend(since, baselines, reference, escalation_weeks, notes_weeks, flow_weeks),
    }
