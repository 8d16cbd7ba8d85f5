"""Flow analytics (SPEC section 14): per-flow outcomes, coverage and knowledge gaps, computed in the database.

Per flow, one grouped query counts runs, resolved-in-flow and escalated and, on
PostgreSQL, takes each flow's median time to resolve with PERCENTILE_CONT(0.5) (the
conventional median of analytics/queries.py: the middle value, or the mean of the
two middle ones); elsewhere one window query picks the middle rows by ROW_NUMBER.
One grouped query finds where unfinished runs stop.
Coverage is one grouped query per window and one for the 12-week trend. Gaps
group the window's escalations by domain and by a shared problem word, then drop
those a published flow already covers.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import timezone

from analytics.queries import PERIODS, seconds, window_start
from escalations.models import Handoff
from flowpilot.models import ProblemDomain, Session
from flowpilot.similar import keywords
from flows.models import Flow, FlowRun

TREND_WEEKS = 12
GAP_SESSIONS = 20
# Escalated sessions the problem-cluster pass looks at (newest first).
CLUSTER_SAMPLE = 500
CLUSTER_MIN = 2
UNFINISHED = Q(outcome__in=[FlowRun.Outcome.LEFT, FlowRun.Outcome.ESCALATE]) | Q(ended_at__isnull=True)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


class Median(Aggregate):
    """PostgreSQL's conventional median (the mean of the two middle values for an even count)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


TTR = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
RESOLVED_ENDED = Q(outcome=FlowRun.Outcome.RESOLVED, ended_at__isnull=False)


def _medians(runs, resolved: dict) -> dict:
    """Median seconds from start to a resolved outcome, per flow, in one window query.

    `resolved` is {flow_id: resolved runs}, so only ROW_NUMBER is needed to pick each flow's middle row(s)."""
    middle = Q(pk__in=[])
    for flow_id, n in resolved.items():
        if n:
            middle |= Q(flow_id=flow_id, position__in={(n + 1) // 2, (n + 2) // 2})
    ranked = (
        runs.filter(RESOLVED_ENDED)
        .annotate(
            ttr=TTR,
            position=Window(RowNumber(), partition_by=[F("flow_id")], order_by=F("ttr").asc()),
        )
        .filter(middle)
        .order_by()
        .values_list("flow_id", "ttr")
    )
    middles: dict = {}
    for flow_id, ttr in ranked:
        middles.setdefault(flow_id, []).append(ttr)
    return {flow_id: seconds(sum(values, timedelta()) / len(values)) for flow_id, values in middles.items()}


def _stops(runs) -> dict:
    """The node where each flow's unfinished runs most often stop: {flow_id: (key, count)}."""
    rows = (
        runs.filter(UNFINISHED)
        .exclude(current="")
        .values("flow_id", "current")
        .annotate(n=Count("pk"))
        .order_by("flow_id", "-n", "current")
    )
    stops: dict = {}
    for row in rows:
        stops.setdefault(row["flow_id"], (row["current"], row["n"]))
    return stops


def per_flow(account_id, since: datetime) -> list[dict]:
    runs = FlowRun.objects.filter(account_id=account_id, started_at__gte=since)
    aggregates = {
        "runs": Count("pk"),
        "resolved": Count("pk", filter=Q(outcome=FlowRun.Outcome.RESOLVED)),
        "escalated": Count("pk", filter=Q(outcome=FlowRun.Outcome.ESCALATE)),
        "resolved_ended": Count("pk", filter=RESOLVED_ENDED),
    }
    on_postgres = connection.vendor == "postgresql"
    if on_postgres:
        # One pass with the counts: ~60 ms at 100,000 runs against ~110 ms for the window query.
        aggregates["median"] = Median(TTR, filter=RESOLVED_ENDED)
    counts = list(runs.values("flow_id").annotate(**aggregates).order_by("-runs"))
    flows = {f.pk: f for f in Flow.objects.filter(pk__in=[c["flow_id"] for c in counts]).only("title", "graph")}
    if on_postgres:
        medians = {row["flow_id"]: seconds(row["median"]) for row in counts}
    else:
        medians = _medians(runs, {row["flow_id"]: row["resolved_ended"] for row in counts})
    stops = _stops(runs)
    report = []
    for row in counts:
        flow = flows[row["flow_id"]]
        stop_key, stop_n = stops.get(flow.pk, ("", 0))
        node = next((n for n in flow.graph.get("nodes", []) if n.get("key") == stop_key), {})
        report.append(
            {
                "flow": str(flow.pk),
                "title": flow.title,
                "runs": row["runs"],
                "resolved_in_flow": row["resolved"],
                "escalated": row["escalated"],
                "escalation_rate": _rate(row["escalated"], row["runs"]),
                "median_time_to_resolve_s": medians.get(flow.pk),
                "most_common_stop": {"node": stop_key, "text": node.get("text", stop_key), "runs": stop_n}
                if stop_key
                else None,
            }
        )
    return report


def coverage(account_id, since: datetime, now: datetime) -> dict:
    """Share of the account's sessions opened in the window that ran a flow, and the 12-week trend.

    "Ran a flow" is `id IN (sessions of the account's runs)`, which PostgreSQL hashes once; a correlated
    EXISTS per session cost most of a second at 100,000 sessions (bench_flow_analytics)."""
    ran = Q(pk__in=FlowRun.objects.filter(account_id=account_id).values("session_id"))
    sessions = Session.objects.filter(account_id=account_id)
    window = sessions.filter(created_at__gte=since).aggregate(total=Count("pk"), covered=Count("pk", filter=ran))
    weekly = (
        sessions.filter(created_at__gte=now - timedelta(weeks=TREND_WEEKS))
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(total=Count("pk"), covered=Count("pk", filter=ran))
        .order_by("week")
    )
    trend = [
        {
            "week": row["week"].date().isoformat(),
            "sessions": row["total"],
            "with_flow": row["covered"],
            "share": _rate(row["covered"], row["total"]),
        }
        for row in weekly
    ]
    return {
        "sessions": window["total"],
        "with_flow": window["covered"],
        "share": _rate(window["covered"], window["total"]),
        "trend": trend,
    }


def _escalations(account_id, since: datetime):
    return Handoff.objects.filter(account_id=account_id, intent=Handoff.Intent.ESCALATE, created_at__gte=since)


def gaps(account_id, since: datetime) -> list[dict]:
    """Domains, and problem words within a domain, with escalations and no published flow that covers them."""
    published = Flow.objects.filter(account_id=account_id, status=Flow.Status.PUBLISHED)
    covered_domains = set(published.values_list("problem_domain", flat=True))
    flow_words = " ".join(published.values_list("search_text", flat=True)).lower()
    escalations = _escalations(account_id, since)
    found = []
    by_domain = (
        escalations.exclude(session__problem_domain__in=covered_domains)
        .values("session__problem_domain")
        .annotate(n=Count("session_id", distinct=True))
        .order_by("-n")
    )
    for row in by_domain:
        domain = row["session__problem_domain"]
        ids = escalations.filter(session__problem_domain=domain).order_by("-created_at")
        found.append(
            _gap("domain", domain, "", row["n"], list(ids.values_list("session_id", flat=True)[:GAP_SESSIONS]))
        )
    sample = escalations.filter(session__problem_domain__in=covered_domains).order_by("-created_at")
    sample = sample.values_list("session_id", "session__problem_domain", "session__problem_summary")[:CLUSTER_SAMPLE]
    words: Counter = Counter()
    members: dict = {}
    for pk, domain, summary in dict.fromkeys(sample):
        for word in set(keywords(summary)):
            if (domain, word) not in members or members[(domain, word)][-1] != pk:
                words[(domain, word)] += 1
                members.setdefault((domain, word), []).append(pk)
    seen: set = set()
    for (domain, word), n in words.most_common():
        if n < CLUSTER_MIN or word in flow_words:
            continue
        group = frozenset(members[(domain, word)])
        if group in seen:
            continue
        seen.add(group)
        found.append(_gap("cluster", domain, word, n, list(group)))
    return found


def _gap(kind: str, domain: str, word: str, n: int, sessions: list) -> dict:
    label = ProblemDomain(domain).label if domain in ProblemDomain.values else domain
    return {
        "kind": kind,
        "domain": domain,
        "label": f"{label}: “{word}”" if word else label,
        "escalations": n,
        "sessions": [str(pk) for pk in sessions[:GAP_SESSIONS]],
    }


def flow_report(account_id, period: str, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    since = window_start(period, now)
    return {
        "period": period,
        "days": PERIODS[period],
        "flows": per_flow(account_id, since),
        "coverage": coverage(account_id, since, now),
        "gaps": gaps(account_id, since),
    }
