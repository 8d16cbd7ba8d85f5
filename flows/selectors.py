"""Reads of flows: library search (ranked on PostgreSQL, icontains on SQLite), filters, 30-day stats,
and the review queue's evidence."""

import re
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.access import scoped
from accounts.models import User
from flowpilot.models import Session, Step
from flowpilot.redact import redact
from flows.models import Flow, FlowProposal, FlowRun

STATS_DAYS = 30
SUGGESTIONS = 3
# Letters and digits only: these words are joined into a raw tsquery, where punctuation is syntax.
WORD = re.compile(r"\w{3,}", re.UNICODE)


def search(qs: QuerySet, q: str, *, any_word: bool = False) -> QuerySet:
    """`qs` matching `q` (title, description, node text, tags), best first. The one search function:
    PostgreSQL ranks the stored vector (websearch syntax, or any word for suggestions); other
    databases fall back to a plain `icontains` over the stored search text."""
    q = q.strip()[:200]
    if not q:
        return qs
    words = WORD.findall(q.lower())
    if connection.vendor == "postgresql":
        if any_word:
            if not words:
                return qs.none()
            query = SearchQuery(" | ".join(words[:20]), search_type="raw", config="english")
        else:
            query = SearchQuery(q, search_type="websearch", config="english")
        return (
            qs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "title")
        )
    terms = words if any_word else [q.lower()]
    match = Q()
    for term in terms[:20]:
        match |= Q(search_text__icontains=term)
    return qs.filter(match) if terms else qs.none()


def flows_for(
    user: User, *, q: str = "", domain: str = "", kind: str = "", tag: str = "", status: str = ""
) -> QuerySet:
    """The account's flows for the library: drafts and published by default, archived only when asked."""
    qs = scoped(Flow, user)
    qs = qs.filter(status=status) if status else qs.exclude(status=Flow.Status.ARCHIVED)
    if domain:
        qs = qs.filter(problem_domain=domain)
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        # Tags are a JSON list of strings: the quoted tag appears verbatim in its text form.
        qs = qs.filter(tags__icontains=f'"{tag.strip().lower()}"')
    return search(qs, q)


def library_page(user: User, number, *, per_page: int, **filters) -> Page:
    """One page of the library (`flows_for` order) with each shown flow's 30-day stats.

    The stats are counted for the page's flows only: joined into the search they were grouped over
    every match (7,000 of 10,000 flows for a broad word) before the page was cut. The page leaves the
    graph and the search columns unread: the cards don't show them and they made the rank sort spill.
    """
    qs = flows_for(user, **filters).defer("graph", "search_text", "search_vector")
    page = Paginator(qs, per_page).get_page(number)
    add_stats(page.object_list)
    return page


def add_stats(flows) -> None:
    """Set runs_30d, resolution_rate and escalation_rate (0..1, None without runs) on each flow."""
    flows = list(flows)
    since = timezone.now() - timedelta(days=STATS_DAYS)
    counts = {
        row["flow_id"]: row
        for row in FlowRun.objects.filter(flow__in=flows, started_at__gte=since)
        .values("flow_id")
        .annotate(
            runs=Count("pk"),
            resolved=Count("pk", filter=Q(outcome=FlowRun.Outcome.RESOLVED)),
            escalated=Count("pk", filter=Q(outcome=FlowRun.Outcome.ESCALATE)),
        )
        .order_by()
    }
    for flow in flows:
        found = counts.get(flow.pk, {"runs": 0, "resolved": 0, "escalated": 0})
        flow.runs_30d = found["runs"]
        flow.resolution_rate = rate(found["resolved"], found["runs"])
        flow.escalation_rate = rate(found["escalated"], found["runs"])


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def suggestions(user: User, *, domain: str = "", text: str = "", limit: int = SUGGESTIONS) -> list[Flow]:
    """Published flows for a new problem: text matches first, the domain's own flows break ties."""
    published = scoped(Flow, user).filter(status=Flow.Status.PUBLISHED)
    found = _text_matches(published, domain, text, limit)
    if len(found) < limit and domain:
        seen = {f.pk for f in found}
        found += [f for f in published.filter(problem_domain=domain).order_by("title")[:limit] if f.pk not in seen]
    return found[:limit]


def _text_matches(published: QuerySet, domain: str, text: str, limit: int) -> list[Flow]:
    found = list(search(published, text, any_word=True)[: limit * 4]) if text.strip() else []
    if connection.vendor != "postgresql":
        words = WORD.findall(text.lower())
        found.sort(key=lambda f: -sum(w in f.search_text for w in words))
    found.sort(key=lambda f: f.problem_domain != domain)  # stable: keeps the text order within each group
    return found[:limit]


def knowledge_flows(account_id, text: str, domain: str = "", limit: int = 2) -> list[Flow]:
    """Published flows of the account whose words match the problem (the copilot's context)."""
    published = Flow.objects.filter(account_id=account_id, status=Flow.Status.PUBLISHED)
    return _text_matches(published, domain, text, limit)


def runs_of(flow: Flow) -> QuerySet:
    return FlowRun.objects.filter(flow=flow).select_related("session", "version", "started_by")


def pending_proposals(user) -> int:
    """The nav badge of reviewers: pending proposals of the account."""
    return scoped(FlowProposal, user).filter(status=FlowProposal.Status.PENDING).count()


def proposal_evidence(proposal: FlowProposal) -> list[dict]:
    """Each source session with its steps, results, dead ends and resolution (secrets redacted)."""
    ids = list(proposal.sources.values_list("session_id", flat=True))
    sessions = Session.objects.filter(pk__in=ids, account_id=proposal.account_id).order_by("-resolved_at")
    steps: dict = {}
    for step in Step.objects.filter(session_id__in=ids).order_by("order"):
        steps.setdefault(step.session_id, []).append(
            {
                "title": redact(step.title),
                "status": step.status,
                "source": step.source,
                "result_note": redact(step.result_note),
                "is_dead_end": step.is_dead_end,
            }
        )
    return [
        {
            "session": session,
            "problem_summary": redact(session.problem_summary),
            "resolution_summary": redact(session.resolution_summary),
            "steps": steps.get(session.pk, []),
        }
        for session in sessions
    ]
