"""Read queries shared by the session pages and the API (always account-scoped)."""

from datetime import date

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from accounts.access import has_role, scoped
from accounts.models import ENGINEER_OR_ADMIN, User
from flowpilot import search
from flowpilot.models import Activity, Session


def can_work(user: User, session: Session) -> bool:
    """Whether `user` may change the session (steps, notes, flows): an engineer or admin, not resolved."""
    return has_role(user, ENGINEER_OR_ADMIN) and session.status != Session.Status.RESOLVED


def sessions_for(
    user: User,
    *,
    scope: str = "all",
    status: str = "",
    domain: str = "",
    q: str = "",
    client: str = "",
    ticket: str = "",
    assignee: str = "",
    opened_after: date | None = None,
    opened_before: date | None = None,
) -> "QuerySet | search.Ranked":
    """Sessions of the user's account narrowed by scope (mine/team/all), the filters and a search.

    With `q` the best matches come first (flowpilot.search.newest_ranked: on PostgreSQL among
    the newest 1,000 matches, a sequence rather than a QuerySet); without it open work
    first (newest first), then the resolved history.
    """
    qs = scoped(Session, user).select_related("owner", "assignee")
    if scope == "mine":
        qs = qs.filter(Q(owner=user) | Q(assignee=user))
    elif scope == "team":
        qs = qs.filter(owner__team_id=user.team_id) if user.team_id else qs.none()
    filters = {
        "status": status,
        "problem_domain": domain,
        "client_name__icontains": client.strip(),
        "ticket_ref__icontains": ticket.strip(),
        "assignee_id": user.pk if assignee == "me" else assignee,
        "created_at__date__gte": opened_after,
        "created_at__date__lte": opened_before,
    }
    qs = qs.filter(**{lookup: value for lookup, value in filters.items() if value})
    if q := q.strip():
        return search.newest_ranked(qs, q)
    resolved_last = Case(
        When(status=Session.Status.RESOLVED, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return qs.order_by(resolved_last, "-created_at")


def conversation(session: Session) -> QuerySet:
    kinds = [Activity.Kind.MESSAGE, Activity.Kind.AI_REPLY, Activity.Kind.AI_ERROR]
    return session.activities.filter(kind__in=kinds).select_related("actor").order_by("created_at")


def notes(session: Session) -> QuerySet:
    return session.activities.filter(kind=Activity.Kind.NOTE).select_related("actor").order_by("created_at")


def timeline(session: Session) -> QuerySet:
    return session.activities.select_related("actor").order_by("-created_at")
