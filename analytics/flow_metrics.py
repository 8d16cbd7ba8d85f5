"""Flow analytics (SPEC section 14): per-flow outcomes, coverage and knowledge gaps, computed in the database.

Per flow, one grouped query counts runs, resolved-in-flow and escalated; one window
query finds each flow's median time to resolve (the conventional median of
analytics/queries.py: the middle value, or the mean of the two middle ones, picked
by ROW_NUMBER within each flow); one grouped query finds where unfinished runs stop.
Coverage is one grouped query per window and one for the 12-week trend. Gaps
group the window's escalations by domain and by a shared problem word, then drop
those a published flow already covers.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Window
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


def _medians(runs) -> dict:
    """Median seconds from start to a resolved outcome, per flow, in one window query."""
    resolved = runs.filter(outcome=FlowRun.Outcome.RESOLVED, ended_at__isnull=False).annotate(
        ttr=ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    )
    ranked = (
        resolved.annotate(
            position=Window(RowNumber(), partition_by=[F("flow_id")], order_by=F("ttr").asc()),
            n=Window(Count("pk"), partition_by=[F("flow_id")]),
        )
        # Integer division: the one middle row for odd n, the two middle rows for even n.
        .filter(Q(position=(F("n") + 1) / 2) | Q(position=(F("n") + 2) / 2))
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
    counts = (
        runs.values("flow_id")
        .annotate(
            runs=Count("pk"),
            resolved=Count("pk", filter=Q(outcome=FlowRun.Outcome.RESOLVED)),
            escalated=Count("pk", filter=Q(outcome=FlowRun.Outcome.ESCALATE)),
        )
        .order_by("-runs")
    )
    counts = list(counts)
    flows = {f.pk: f for f in Flow.objects.filter(pk__in=[c["flow_id"] for c in counts]).only("title", "graph")}
    medians, stops = _medians(runs), _stops(runs)
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


def _with_run():
    return Exists(FlowRun.objects.filter(session_id=OuterRef("pk")))


def coverage(account_id, since: datetime, now: datetime) -> dict:
    """Share of the account's sessions opened in the window that ran a flow, and the 12-week trend."""
    sessions = Session.objects.filter(account_id=account_id).annotate(ran_flow=_with_run())
    window = sessions.filter(created_at__gte=since).aggregate(
        total=Count("pk"), covered=Count("pk", filter=Q(ran_flow=True))
    )
    start = now - timedelta(weeks=TREND_WEEKS)
    weekly = (
        sessions.filter(created_at__gte=start)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(total=Count("pk"), covered=Count("pk", filter=Q(ran_flow=True)))
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


def _escalated_sessions(account_id, since: datetime):
    escalated = Handoff.objects.filter(
        account_id=account_id, intent=Handoff.Intent.ESCALATE, created_at__gte=since, session_id=OuterRef("pk")
    )
    return Session.objects.filter(account_id=account_id).filter(Exists(escalated))


def gaps(account_id, since: datetime) -> list[dict]:
    """Domains, and problem words within a domain, with escalations and no published flow that covers them."""
    published = Flow.objects.filter(account_id=account_id, status=Flow.Status.PUBLISHED)
    covered_domains = set(published.values_list("problem_domain", flat=True))
    flow_words = " ".join(published.values_list("search_text", flat=True)).lower()
    sessions = _escalated_sessions(account_id, since)
    found = []
    for row in sessions.values("problem_domain").annotate(n=Count("pk")).order_by("-n"):
        if row["problem_domain"] not in covered_domains:
            ids = sessions.filter(problem_domain=row["problem_domain"]).order_by("-created_at")
            ids = list(ids.values_list("pk", flat=True)[:GAP_SESSIONS])
            found.append(_gap("domain", row["problem_domain"], "", row["n"], ids))
    sample = list(
        sessions.order_by("-created_at").values_list("pk", "problem_domain", "problem_summary")[:CLUSTER_SAMPLE]
    )
    words: Counter = Counter()
    members: dict = {}
    for pk, domain, summary in sample:
        for word in set(keywords(summary)):
            words[(domain, word)] += 1
            members.setdefault((domain, word), []).append(pk)
    seen: set = set()
    for (domain, word), n in words.most_common():
        if n < CLUSTER_MIN or word in flow_words or domain not in covered_domains:
            continue  # uncovered domains are already listed whole
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
