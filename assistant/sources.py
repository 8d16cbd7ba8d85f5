"""The palette's built-in sources (registered in apps.py): actions, sessions, open escalations, flows, runs."""

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from accounts.access import has_role, scoped
from accounts.models import ENGINEER_OR_ADMIN, Role, User
from assistant.palette import Item
from escalations.models import Handoff
from flowpilot import search
from flowpilot.models import Session
from flows import selectors as flow_selectors
from maintenance.models import Run

EVERYONE = frozenset(Role)
# Ranking every match of a common word reads every matching row (16,000 of 100,000 sessions for
# "outlook": 40-90 ms measured on PostgreSQL 15). The palette ranks the most recently worked 200
# matches instead, which the (account, -updated_at) index finds after a few thousand rows; the full
# ranked search is one option away ("Search all sessions for …"). bench_palette measures it.
SESSION_CANDIDATES = 200
# (label, url name, query string, roles, extra words the action answers to)
ACTIONS = (
    ("New session", "flowpilot:new", "", ENGINEER_OR_ADMIN, "open create start ticket"),
    ("Open queue", "escalations:queue", "", EVERYONE, "escalations pick up claim"),
    ("Start flow…", "flows:list", "?status=published", ENGINEER_OR_ADMIN, "run guided procedure"),
    ("Ask the assistant", "assistant:home", "", ENGINEER_OR_ADMIN, "question ai chat help"),
    ("Sessions", "flowpilot:list", "", EVERYONE, "search list"),
    ("Flow library", "flows:list", "", EVERYONE, "flows procedures"),
    ("Analytics", "analytics:dashboard", "", ENGINEER_OR_ADMIN, "dashboard metrics ttfa baseline"),
    ("Maintenance runs", "maintenance:list", "", EVERYONE, "runs procedures checklist patch targets"),
    ("Schedules", "maintenance:schedules", "", EVERYONE, "recurring weekly monthly cron maintenance runs"),
)


def actions(user: User, q: str, limit: int) -> list[Item]:
    """The actions whose words hold every word typed (all of them for an empty query), role permitting."""
    words = q.lower().split()
    found = []
    for label, url_name, query, roles, extra in ACTIONS:
        text = f"{label} {extra}".lower()
        if has_role(user, roles) and all(w in text for w in words):
            found.append(Item(label, reverse(url_name) + query, "Action"))
    return found[:limit]


def sessions(user: User, q: str, limit: int) -> list[Item]:
    """Best-ranked sessions of the account (the stored search vector on PostgreSQL)."""
    if not q:
        return []
    account_sessions = scoped(Session, user)
    recent = search.search(account_sessions, q).order_by("-updated_at").values("pk")[:SESSION_CANDIDATES]
    fields = ("id", "problem_summary", "status", "ticket_ref", "client_name")
    rows = search.search(account_sessions.filter(pk__in=recent), q).only(*fields)[:limit]
    return [
        Item(s.problem_summary[:120], reverse("flowpilot:detail", args=[s.pk]), _hint(s.get_status_display(), s))
        for s in rows
    ]


def search_everything(user: User, q: str, limit: int) -> list[Item]:
    """The ways out of the palette's short list: the session list's full, ranked search, and the assistant."""
    if not q:
        return []
    search_all = f"{reverse('flowpilot:list')}?{urlencode({'q': q, 'scope': 'all'})}"
    found = [Item(f"Search all sessions for “{q}”", search_all, "Search")]
    if has_role(user, ENGINEER_OR_ADMIN):
        ask = f"{reverse('assistant:home')}?{urlencode({'q': q})}"
        found.append(Item(f"Ask the assistant about “{q}”", ask, "Ask"))
    return found


def escalations(user: User, q: str, limit: int) -> list[Item]:
    """Open escalations of the account, newest first, matched on their session's summary, client or ticket."""
    qs = scoped(Handoff.objects.open_escalations(), user).select_related("session").order_by("-created_at")
    if q:
        match = Q(session__problem_summary__icontains=q) | Q(session__ticket_ref__icontains=q)
        qs = qs.filter(match | Q(session__client_name__icontains=q))
    return [
        Item(
            h.session.problem_summary[:120],
            reverse("escalations:context", args=[h.pk]),
            _hint(f"{h.get_priority_display()} priority", h.session),
        )
        for h in qs[:limit]
    ]


def runs(user: User, q: str, limit: int) -> list[Item]:
    """Unfinished maintenance runs of the account matched on their title, soonest due first."""
    if not q:
        return []
    qs = scoped(Run, user).filter(finished_at__isnull=True, title__icontains=q).order_by("due_at", "-created_at")
    return [
        Item(r.title[:120], reverse("maintenance:detail", args=[r.pk]), f"Due {r.due_at:%b %d}" if r.due_at else "Run")
        for r in qs.only("id", "title", "due_at")[:limit]
    ]


def flows(user: User, q: str, limit: int) -> list[Item]:
    if not q:
        return []
    rows = flow_selectors.flows_for(user, q=q).only("id", "title", "status", "kind")[:limit]
    return [Item(f.title, reverse("flows:detail", args=[f.pk]), f"{f.get_kind_display()} · {f.status}") for f in rows]


def _hint(first: str, session: Session) -> str:
    return " · ".join(p for p in (first, session.client_name, session.ticket_ref) if p)
