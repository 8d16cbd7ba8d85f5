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

The queries (issue 22's benchmark, 100,000 sessions): one grouped query per source serves the month and the
12-week trend together (escalations and note exports by week; flows by domain and whether a flow ran, with each
trend week a filtered count), and one UNION counts the people credited. No query runs per week or per source row.

A source without its baseline has no number ("measure this"), never an estimate. Savings are credited to
the claimer (escalations) or to the session's assignee, else its owner (notes, flows): an engineer sees only
their own contribution against the shop's baselines.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
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
# The flow reference query also counts the trend's weeks: they must fit in its window (a test checks).
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


def _trend_start(window: Window) -> datetime:
    """The Monday that starts the first of the `TREND_WEEKS` weeks up to the window's end (before the window)."""
    return week_start(window.end - timedelta(microseconds=1)) - timedelta(weeks=TREND_WEEKS - 1)


def _credited(qs: QuerySet, session: str = "") -> QuerySet:
    return qs.annotate(credited_id=Coalesce(f"{session}assignee_id", f"{session}owner_id"))


def _escalations(account_id, since: datetime, until: datetime, user_id) -> QuerySet:
    qs = claimed_escalations(account_id).filter(
        first_action_at__isnull=False, claimed_at__gte=since, claimed_at__lt=until
    )
    return qs.filter(claimed_by_id=user_id) if user_id else qs


def _first_exports(account_id, since: datetime, until: datetime, user_id=None) -> QuerySet:
    """The first export of each session whose ticket notes first left the product in [since, until); count
    distinct `session_id` (two exports in the same microsecond would both be first).

    Read from the partial indexes on notes exports (flowpilot 0007): the exports in the range, less those with
    an earlier export of the same session."""
    exports = Activity.objects.filter(account_id=account_id, kind=Activity.Kind.NOTES_EXPORTED)
    earlier = exports.filter(session_id=OuterRef("session_id"), created_at__lt=OuterRef("created_at"))
    qs = exports.filter(created_at__gte=since, created_at__lt=until).filter(~Exists(earlier))
    # Joined to Session only for a member's own contribution: the account's counts need no join.
    return _credited(qs, "session__").filter(credited_id=user_id) if user_id else qs


def _resolved(account_id, since: datetime, until: datetime) -> QuerySet:
    return Session.objects.filter(
        account_id=account_id, status=Session.Status.RESOLVED, resolved_at__gte=since, resolved_at__lt=until
    ).annotate(ttr=ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()))


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
    in_month = Q(created_at__gte=window.start)
    return _per_week(
        qs,
        "created_at",
        n=Count("session_id", distinct=True),
        n_month=Count("session_id", distinct=True, filter=in_month),
    )


class MiddleValue(Aggregate):
    """PostgreSQL: a group's middle value, the lower of the two middles for an even count; with `direction="DESC"`
    the upper one. Their mean is group_medians' conventional median, taken in the grouped query itself."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s %(direction)s)"
    output_field = DurationField()


def _reference_sessions(account_id, ran: QuerySet, window: Window) -> QuerySet:
    """The sessions resolved in the flow reference window, with `ttr`, `credited_id` and `ran_flow`."""
    resolved = _credited(_resolved(account_id, window.end - timedelta(days=FLOW_REFERENCE_DAYS), window.end))
    return resolved.annotate(ran_flow=ExpressionWrapper(Q(pk__in=ran), output_field=BooleanField()))


def _flow_reference(account_id, ran: QuerySet, window: Window, since: datetime, user_id) -> dict:
    """{domain: {"with_s", "without_s", "n_with", "n_without", "n_month", "weeks"}} in one query grouped by problem
    domain and whether the session ran a flow, over the reference window: the medians and counts of sessions with
    and without a flow, then the flow-guided sessions (the member's own with `user_id`) resolved in the month and
    in each trend week from `since` (both inside the reference window)."""
    resolved = _reference_sessions(account_id, ran, window)
    mine = Q(credited_id=user_id) if user_id else Q()
    starts = [since + timedelta(weeks=i) for i in range(TREND_WEEKS + 1)]
    aggregates = {"n": Count("pk"), "n_month": Count("pk", filter=mine & Q(resolved_at__gte=window.start))}
    for i in range(TREND_WEEKS):  # all the trend's weeks in the same pass
        aggregates[f"week_{i}"] = Count(
            "pk", filter=mine & Q(resolved_at__gte=starts[i], resolved_at__lt=starts[i + 1])
        )
    on_postgres = connection.vendor == "postgresql"
    if on_postgres:
        aggregates.update(low=MiddleValue("ttr", direction="ASC"), high=MiddleValue("ttr", direction="DESC"))
    rows = {
        (row["problem_domain"], row["ran_flow"]): row
        for row in resolved.values("problem_domain", "ran_flow").annotate(**aggregates).order_by()
    }
    medians = _flow_medians(rows) if on_postgres else _flow_medians_by_window(resolved)
    reference = {}
    for domain in sorted({domain for domain, _ in rows}):
        with_flow, without_flow = rows.get((domain, True), {}), rows.get((domain, False), {})
        reference[domain] = {
            "with_s": medians.get((domain, True)),
            "without_s": medians.get((domain, False)),
            "n_with": with_flow.get("n", 0),
            "n_without": without_flow.get("n", 0),
            "n_month": with_flow.get("n_month", 0),
            "weeks": [with_flow.get(f"week_{i}", 0) for i in range(TREND_WEEKS)],
        }
    return reference


def _flow_medians(rows: dict) -> dict:
    """{(domain, ran_flow): median seconds} from the grouped rows' two middle values (PostgreSQL): their mean,
    as group_medians takes it (the one middle value twice for an odd count)."""
    return {key: seconds((row["low"] + row["high"]) / 2) for key, row in rows.items() if row["low"] is not None}


def _flow_medians_by_window(resolved: QuerySet) -> dict:
    """The same medians by group_medians' window query, one per side (databases without PERCENTILE_DISC)."""
    medians = {}
    for ran_flow in (True, False):
        found = group_medians(resolved.filter(ran_flow=ran_flow), "problem_domain", "ttr")
        medians.update({(domain, ran_flow): median_s for domain, median_s in found.items()})
    return medians


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


def _flow_source(ran: QuerySet | None, reference: dict) -> dict:
    inputs = {"reference_days": FLOW_REFERENCE_DAYS, "flow_sessions_resolved": 0, "domains": []}
    if ran is None:
        return _source(FLOW, None, "no_flows", inputs)
    counts = {domain: ref["n_month"] for domain, ref in reference.items()}
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


def _trend(since: datetime, baselines: dict, reference: dict, esc: list, notes: list) -> list[dict]:
    """Hours saved per calendar week (Monday starts) by source, the `TREND_WEEKS` weeks from `since`."""
    weeks = {since + timedelta(weeks=i): {} for i in range(TREND_WEEKS)}
    if baseline := baselines.get(BaselineEntry.Kind.ESCALATION):
        for row in esc:
            weeks[week_start(row["week"])][ESCALATION] = escalation_saving(row["n"], row["total"], baseline["avg_s"])
    if baseline := baselines.get(BaselineEntry.Kind.TICKET_NOTES):
        for row in notes:
            weeks[week_start(row["week"])][TICKET_NOTES] = round(row["n"] * baseline["avg_s"] / 3600, 2)
    savings_s = {domain: _flow_saving_s(reference, domain) for domain in reference}  # sorted by domain
    for i, hours in enumerate(weeks.values()):
        for domain, saving_s in savings_s.items():
            n = reference[domain]["weeks"][i]
            if n and saving_s is not None:
                hours[FLOW] = round(hours.get(FLOW, 0.0) + saving_s * n / 3600, 2)
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
    """People credited with a saving in the window over the sources that have a number: the claimers, and the
    sessions' people (notes and flows, in one pass over the account's sessions), in one UNION, counted."""
    since, until = window.start, window.end
    parts, sessions = [], []
    if sources[ESCALATION]["hours_saved"] is not None:
        parts.append(_escalations(account_id, since, until, user_id).values_list("claimed_by_id"))
    if sources[TICKET_NOTES]["hours_saved"] is not None:
        sessions.append(Q(pk__in=_first_exports(account_id, since, until).values("session_id")))
    if sources[FLOW]["hours_saved"] is not None:
        resolved = Q(status=Session.Status.RESOLVED, resolved_at__gte=since, resolved_at__lt=until)
        sessions.append(resolved & Q(pk__in=ran))
    if sessions:
        qs = _credited(Session.objects.filter(Q(account_id=account_id) & reduce(or_, sessions)))
        parts.append((qs.filter(credited_id=user_id) if user_id else qs).values_list("credited_id"))
    if not parts:
        return 0
    # order_by() everywhere: Meta.ordering would break UNION and add columns to DISTINCT.
    parts = [part.order_by() for part in parts]
    people = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0].distinct()
    return sum(1 for (person,) in people if person is not None)


def time_saved_report(account_id, month: date, *, user_id=None, now: datetime | None = None) -> dict:
    """The month's hours saved by source with inputs and methods, the 12-week trend and per senior per week.

    `user_id` narrows every count to that person's contribution (baselines and medians stay the shop's)."""
    window = month_window(month, now)
    since = _trend_start(window)
    baselines = baseline_summaries(account_id)
    ran = flow_run_session_ids(account_id)
    escalation_weeks = _escalation_weeks(account_id, window, since, user_id)
    notes_weeks = _notes_weeks(account_id, window, since, user_id)
    reference = _flow_reference(account_id, ran, window, since, user_id) if ran is not None else {}
    sources = {
        ESCALATION: _escalation_source(escalation_weeks, baselines.get(BaselineEntry.Kind.ESCALATION)),
        TICKET_NOTES: _notes_source(notes_weeks, baselines.get(BaselineEntry.Kind.TICKET_NOTES)),
        FLOW: _flow_source(ran, reference),
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
        "trend": _trend(since, baselines, reference, escalation_weeks, notes_weeks),
    }
