"""Knowledge gaps (SPEC section 14): escalated problems that no published flow covers, grouped in the database.

Two kinds of gap, each one grouped query over the window's escalations:

- **domain**: escalations in a problem domain without any published flow;
- **cluster**: escalations in a domain that has flows, sharing a problem word that
  no published flow's text mentions ("wifi" under Networking when the only flow is
  about the VPN).

A word is a lexeme of `to_tsvector('simple', problem_summary)` (lower-case, as
typed, one per session) that `flowpilot.similar` would also call significant:
longer than two characters and not a stop word. Clusters come from the newest
`CLUSTER_SAMPLE` escalations of the window (those in domains with flows). On PostgreSQL the words, the counts
and each gap's newest sessions come out of one query; elsewhere (SQLite, the
embedded default) the same rule runs in Python.
Every gap carries the session ids its "draft a flow from these sessions" button posts.
"""

from collections import Counter
from datetime import datetime

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Count, Func, Max, UUIDField

from escalations.models import Handoff
from flowpilot.models import ProblemDomain
from flowpilot.similar import STOP_WORDS, keywords
from flows.models import Flow

# Sessions a gap links to (its draft button posts them), newest first.
GAP_SESSIONS = 20
# Problem clusters shown, most escalations first; past this they are noise on the page.
CLUSTER_LIMIT = 20
CLUSTER_MIN = 2
# Escalations clustered, newest first: a recurring problem shows in the recent ones, and the bound keeps
# the page's cost flat (all 20,000 of bench_flow_analytics' window took ~600 ms at load 40; 2,000 take ~60).
CLUSTER_SAMPLE = 2_000

_CLUSTERS_SQL = """
WITH newest AS (
    SELECT session_id, MAX(created_at) AS at FROM (
        SELECT session_id, created_at FROM escalations_handoff
        WHERE account_id = %(account)s AND intent = %(intent)s AND created_at >= %(since)s
        ORDER BY created_at DESC
        LIMIT %(sample)s
    ) AS recent
    GROUP BY session_id
), escalated AS (
    -- Only the sample's sessions, each by primary key: OFFSET 0 keeps the planner from turning this
    -- into a hash join over every session (its estimate with the default random_page_cost).
    SELECT s.id, s.problem_domain, s.problem_summary, n.at
    FROM newest n CROSS JOIN LATERAL (
        SELECT id, problem_domain, problem_summary FROM flowpilot_session WHERE id = n.session_id OFFSET 0
    ) AS s
    WHERE s.problem_domain = ANY(%(domains)s)
)
SELECT e.problem_domain, w.word, COUNT(*) AS n, (ARRAY_AGG(e.id ORDER BY e.at DESC, e.id))[1:%(sessions)s]
FROM escalated e CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('simple', e.problem_summary))) AS w(word)
WHERE length(w.word) > 2 AND w.word <> ALL(%(stop_words)s) AND strpos(%(covered_text)s, w.word) = 0
GROUP BY 1, 2
HAVING COUNT(*) >= %(min)s
ORDER BY n DESC, 1, 2
LIMIT %(limit)s
"""


class _Head(Func):
    """The first `GAP_SESSIONS` elements of a PostgreSQL array."""

    template = f"(%(expressions)s)[1:{GAP_SESSIONS}]"


def _published(account_id):
    return Flow.objects.filter(account_id=account_id, status=Flow.Status.PUBLISHED)


def _escalations(account_id, since: datetime):
    return Handoff.objects.filter(account_id=account_id, intent=Handoff.Intent.ESCALATE, created_at__gte=since)


def gaps(account_id, since: datetime) -> list[dict]:
    """Domains without a published flow, then problem clusters no published flow mentions, most escalated first."""
    published = _published(account_id)
    covered_domains = sorted(set(published.values_list("problem_domain", flat=True)))
    escalations = _escalations(account_id, since)
    found = _domain_gaps(escalations, covered_domains)
    if not covered_domains:
        return found
    covered_text = " ".join(published.order_by().values_list("search_text", flat=True)).lower()
    if connection.vendor == "postgresql":
        clusters = _clusters_in_database(account_id, since, covered_domains, covered_text)
    else:
        clusters = _clusters_in_python(escalations, covered_domains, covered_text)
    seen: set = set()
    for domain, word, n, sessions in clusters:
        group = frozenset(sessions)
        if group in seen:  # "printer" and "offline" naming the same two sessions are one gap
            continue
        seen.add(group)
        found.append(_gap("cluster", domain, word, n, sessions))
        if len(seen) == CLUSTER_LIMIT:
            break
    return found


def _domain_gaps(escalations, covered_domains: list[str]) -> list[dict]:
    rows = (
        escalations.exclude(session__problem_domain__in=covered_domains)
        .values("session__problem_domain")
        .annotate(n=Count("session_id", distinct=True), last=Max("created_at"))
        .order_by("-n", "-last")
    )
    if connection.vendor == "postgresql":
        # Each domain's newest sessions in the same grouped query.
        newest = ArrayAgg("session_id", order_by=("-created_at",))
        rows = rows.annotate(sessions=_Head(newest, output_field=ArrayField(UUIDField())))
    found = []
    for row in rows:
        domain = row["session__problem_domain"]
        if "sessions" in row:
            sessions = list(dict.fromkeys(row["sessions"]))
        else:
            newest_first = escalations.filter(session__problem_domain=domain).order_by("-created_at")
            sessions = list(dict.fromkeys(newest_first.values_list("session_id", flat=True)[: GAP_SESSIONS * 2]))
        found.append(_gap("domain", domain, "", row["n"], sessions))
    return found


def _clusters_in_database(account_id, since: datetime, domains: list[str], covered_text: str) -> list[tuple]:
    """(domain, word, escalated sessions, newest session ids) in one grouped query; a few more than shown,
    since groups naming the same sessions fold into one."""
    params = {
        "account": account_id,
        "intent": Handoff.Intent.ESCALATE.value,
        "since": since,
        "domains": domains,
        "sessions": GAP_SESSIONS,
        "stop_words": sorted(STOP_WORDS),
        "covered_text": covered_text,
        "min": CLUSTER_MIN,
        "limit": CLUSTER_LIMIT * 2,
        "sample": CLUSTER_SAMPLE,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLUSTERS_SQL, params)
        return cursor.fetchall()


def _clusters_in_python(escalations, domains: list[str], covered_text: str) -> list[tuple]:
    """The same clusters in Python, for databases without full text (SQLite)."""
    sample = escalations.order_by("-created_at")[:CLUSTER_SAMPLE]
    sample = sample.values_list("session_id", "session__problem_domain", "session__problem_summary")
    words: Counter = Counter()
    members: dict = {}
    for pk, domain, summary in dict.fromkeys(sample):
        if domain not in domains:
            continue
        for word in keywords(summary):
            if word in covered_text or pk in members.get((domain, word), ()):
                continue
            words[(domain, word)] += 1
            members.setdefault((domain, word), []).append(pk)
    ranked = sorted(words.items(), key=lambda item: (-item[1], item[0]))
    return [(d, w, n, members[(d, w)][:GAP_SESSIONS]) for (d, w), n in ranked if n >= CLUSTER_MIN][: CLUSTER_LIMIT * 2]


def _gap(kind: str, domain: str, word: str, n: int, sessions: list) -> dict:
    label = ProblemDomain(domain).label if domain in ProblemDomain.values else domain
    return {
        "kind": kind,
        "domain": domain,
        "label": f"{label}: “{word}”" if word else label,
        "escalations": n,
        "sessions": [str(pk) for pk in sessions[:GAP_SESSIONS]],
    }
