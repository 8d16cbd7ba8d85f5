"""What the quick assistant's answers are based on: the account's published flows and resolved sessions.

Both rankings are the apps' own (flows.selectors.search, flowpilot.search.search) with the
question's words joined by "or", so a question need not match every word. On SQLite the
session fallback matches one word at a time and ranks by how many words a session holds.
"""

import re
from collections import Counter
from dataclasses import asdict, dataclass

from django.urls import reverse

from accounts.access import scoped
from accounts.models import User
from flowpilot import search
from flowpilot.models import Session
from flowpilot.redact import redact
from flows import selectors as flow_selectors
from flows.models import Flow

LIMIT = 3
MAX_WORDS = 12
WORD = re.compile(r"[\w.-]{3,}", re.UNICODE)
STOPWORDS = frozenset(
    {
        *("the", "and", "for", "with", "that", "this", "from", "have", "has", "are", "was", "were", "not"),
        *("but", "can", "how", "why", "what", "when", "who", "which", "does", "did", "our", "your", "you"),
        *("they", "them", "their", "its", "any", "all", "get", "got", "keeps", "keep", "still", "after", "before"),
    }
)


@dataclass(frozen=True)
class Citation:
    kind: str  # session | flow
    id: str
    title: str
    url: str
    summary: str  # the resolution, or the flow's description

    def as_dict(self) -> dict:
        return asdict(self)


def words(text: str) -> list[str]:
    seen = []
    for word in WORD.findall(text.lower()):
        word = word.strip(".-")
        if len(word) >= 3 and word not in STOPWORDS and word not in seen:
            seen.append(word)
    return seen[:MAX_WORDS]


def resolved_sessions(user: User, text: str, limit: int = LIMIT) -> list[Session]:
    terms = words(text)
    if not terms:
        return []
    resolved = scoped(Session, user).filter(status=Session.Status.RESOLVED)
    if search.is_postgres():
        return list(search.search(resolved, " or ".join(terms))[:limit])
    hits: Counter = Counter()
    for term in terms:
        hits.update(search.search(resolved, term).values_list("pk", flat=True)[:50])
    best = [pk for pk, _ in hits.most_common(limit)]
    by_pk = resolved.in_bulk(best)
    return [by_pk[pk] for pk in best]


def published_flows(user: User, text: str, limit: int = LIMIT) -> list[Flow]:
    published = scoped(Flow, user).filter(status=Flow.Status.PUBLISHED)
    return list(flow_selectors.search(published, " ".join(words(text)), any_word=True)[:limit])


def citations_for(user: User, text: str) -> list[Citation]:
    """Up to three resolved sessions and three published flows of the account, best first.

    Session text is redacted (before it is cut) here: citations are kept with the answer and shown
    on the assistant's page, away from the session."""
    found = [
        Citation(
            "session",
            str(s.pk),
            redact(s.problem_summary)[:200],
            reverse("flowpilot:detail", args=[s.pk]),
            redact(s.resolution_summary)[:500],
        )
        for s in resolved_sessions(user, text)
    ]
    found += [
        Citation("flow", str(f.pk), f.title, reverse("flows:detail", args=[f.pk]), f.description[:500])
        for f in published_flows(user, text)
    ]
    return found
