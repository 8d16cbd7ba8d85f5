"""Similar resolutions: the account's resolved sessions most like a problem, best first.

PostgreSQL ranks the stored `Session.search_vector` (flowpilot.search) against the
problem's words joined with `or` — a new problem rarely repeats every word of an old
one, so websearch's default AND would find almost nothing. Other databases: the
newest resolved sessions sharing a word, ranked by how many words they share.
Always scoped to one account.
"""

import re
import uuid
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Q

from flowpilot import hooks
from flowpilot.models import Session
from flowpilot.redact import redact
from flowpilot.search import CONFIG, is_postgres

LIMIT = 3
QUERY_WORDS = 12
# Words of the problem paired in the relaxed tier (15 pairs at 6).
PAIR_WORDS = 6
# The SQLite fallback scores at most this many candidates in Python.
FALLBACK_CANDIDATES = 200
_STOP_TEXT = (
    "a an and are as at be but by can cannot does doesn't for from has have in into is it its not no of "
    "on or our the their them they this to was were when where which while who will with after every user "
    "users client clients again still"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class Similar:
    session: uuid.UUID
    problem_summary: str
    resolution_summary: str
    problem_domain: str

    def as_dict(self) -> dict:
        return {
            "session": str(self.session),
            "problem_summary": self.problem_summary,
            "resolution_summary": self.resolution_summary,
        }


def keywords(text: str) -> list[str]:
    """The problem's significant words, lower-case, in order, without repeats."""
    words = []
    for word in re.findall(r"[a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9]", (text or "").lower()):
        if len(word) > 2 and word not in STOP_WORDS and word not in words:
            words.append(word)
    return words[:QUERY_WORDS]


def _resolved(account_id, exclude) -> Q:
    match = Q(account_id=account_id, status=Session.Status.RESOLVED)
    return match & ~Q(pk__in=list(exclude)) if exclude else match


def find(account_id, text: str, *, domain: str = "", exclude=(), limit: int = LIMIT) -> list[Similar]:
    """Up to `limit` resolved sessions of `account_id` most similar to `text` (same domain ranks first)."""
    words = keywords(text)
    if not words or account_id is None:
        return []
    qs = Session.objects.filter(_resolved(account_id, exclude)).exclude(resolution_summary="")
    fields = ("pk", "problem_summary", "resolution_summary", "problem_domain")
    rows = _ranked(qs, words, fields, limit) if is_postgres() else _fallback(qs, words, fields)
    # A same-domain match outranks an equally good one elsewhere; the order is otherwise the ranking's.
    if domain:
        rows = sorted(rows, key=lambda row: row[3] != domain)
    return [
        Similar(session=pk, problem_summary=redact(problem), resolution_summary=redact(resolution), problem_domain=d)
        for pk, problem, resolution, d in _distinct(rows)[:limit]
    ]


def _distinct(rows: list[tuple]) -> list[tuple]:
    """The best-ranked of sessions that read the same (problem and resolution): three copies teach nothing."""
    seen, kept = set(), []
    for row in rows:
        key = (" ".join(row[1].lower().split()), " ".join(row[2].lower().split()))
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _tiers(words: list[str]) -> list[str]:
    """tsquery texts, strictest first: every word, then any two words together."""
    lexemes = [w for w in dict.fromkeys(re.findall(r"[a-z0-9]{3,}", " ".join(words)))][:PAIR_WORDS]
    if len(lexemes) < 2:
        return [" | ".join(lexemes)] if lexemes else []
    pairs = [f"({a} & {b})" for i, a in enumerate(lexemes) for b in lexemes[i + 1 :]]
    return [" & ".join(lexemes), " | ".join(pairs)]


def _ranked(qs, words: list[str], fields, limit: int) -> list[tuple]:
    # Ranking every row that shares one common word ("office", "error") costs ~70 ms at 20,000 sessions
    # (bench_similar), so the lookup asks for all the words first and relaxes to any two only if that found
    # too few: each tier matches few rows and the GIN index finds them.
    rows: list[tuple] = []
    for text in _tiers(words):
        query = SearchQuery(text, search_type="raw", config=CONFIG)
        seen = [row[0] for row in rows]
        found = (
            qs.filter(search_vector=query)
            .exclude(pk__in=seen)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-resolved_at")
            .values_list(*fields)[: limit * 4]
        )
        rows += list(found)
        if len(rows) >= limit:
            break
    return rows


def _fallback(qs, words: list[str], fields) -> list[tuple]:
    match = Q()
    for word in words:
        match |= Q(problem_summary__icontains=word) | Q(resolution_summary__icontains=word)
    candidates = list(qs.filter(match).order_by("-resolved_at").values_list(*fields)[:FALLBACK_CANDIDATES])

    def score(row) -> int:
        text = f"{row[1]} {row[2]}".lower()
        return sum(2 if word in row[1].lower() else 1 for word in words if word in text)

    return sorted(candidates, key=score, reverse=True)


def for_session(session: Session, limit: int = LIMIT) -> list[Similar]:
    """Resolutions similar to `session`'s problem, never the session itself."""
    return find(
        session.account_id, session.problem_summary, domain=session.problem_domain, exclude=[session.pk], limit=limit
    )


REFERENCE_TEXT_CHARS = 400


def references(account_id, text: str, *, domain: str = "", exclude=()) -> list[dict]:
    """What the copilot and the assessment are told the team already knows: similar resolutions, then
    what the apps above add through `hooks.knowledge_context` (published flows)."""
    found = find(account_id, text, domain=domain, exclude=exclude)
    refs = [
        {"kind": "resolution", "title": s.problem_summary[:120], "text": s.resolution_summary[:REFERENCE_TEXT_CHARS]}
        for s in found
    ]
    for extra in hooks.knowledge_context(account_id, text, domain):
        refs += extra
    return refs


def based_on(refs: list[dict]) -> list[str]:
    """The short "based on: …" labels shown under an AI answer."""
    return [f"{'flow' if r['kind'] == 'flow' else 'resolved session'} “{r['title']}”" for r in refs]
