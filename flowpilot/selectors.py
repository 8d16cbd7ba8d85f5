"""Read queries shared by the session pages and the API (always account-scoped)."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from accounts.access import scoped
from accounts.models import User
from flowpilot.models import Activity, Session


def sessions_for(user: User, *, scope: str = "all", status: str = "", domain: str = "", q: str = "") -> QuerySet:
    """Sessions of the user's account, narrowed by scope (mine/team/all), status, domain and search."""
    qs = scoped(Session, user).select_related("owner", "assignee")
    if scope == "mine":
        qs = qs.filter(Q(owner=user) | Q(assignee=user))
    elif scope == "team":
        qs = qs.filter(owner__team_id=user.team_id) if user.team_id else qs.none()
    if status:
        qs = qs.filter(status=status)
    if domain:
        qs = qs.filter(problem_domain=domain)
    if q := q.strip():
        qs = qs.filter(Q(problem_summary__icontains=q) | Q(client_name__icontains=q) | Q(ticket_ref__icontains=q))
    # Open work first (newest first), then the resolved history.
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
