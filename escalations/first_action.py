"""Handoff.first_action_at: the claimer's first work Activity after the claim (SPEC section 6).

`flowpilot.activity.record` keeps it current as activities are appended; this
module recomputes it from the Activity log for rows written any other way
(bulk history, demo data). Migration 0002 holds a frozen copy of the same rule.
"""

from django.db.models import OuterRef, QuerySet, Subquery

from escalations.models import Handoff
from flowpilot.models import WORK_ACTIVITY_KINDS, Activity


def first_action_subquery() -> Subquery:
    """The created_at of the claimer's first work Activity on the handoff's session strictly after the claim."""
    actions = Activity.objects.filter(
        session_id=OuterRef("session_id"),
        actor_id=OuterRef("claimed_by_id"),
        kind__in=WORK_ACTIVITY_KINDS,
        created_at__gt=OuterRef("claimed_at"),
    ).order_by("created_at")
    return Subquery(actions.values("created_at")[:1])


def backfill_first_action(queryset: QuerySet[Handoff] | None = None) -> int:
    """Recompute first_action_at of the claimed handoffs in `queryset` (all by default); the number updated."""
    queryset = Handoff.objects.all() if queryset is None else queryset
    return queryset.filter(claimed_at__isnull=False).update(first_action_at=first_action_subquery())


def note_first_action(activity: Activity) -> None:
    """Registered on `flowpilot.hooks.activity_recorded`: stamp the claimer's first work after the claim."""
    if activity.actor_id is None or activity.kind not in WORK_ACTIVITY_KINDS:
        return
    # Activities are appended with created_at=now, so the first one that finds
    # first_action_at empty is the claimer's earliest work after the claim: the
    # TTFA metric then reads a column instead of searching the log per handoff.
    Handoff.objects.filter(
        session_id=activity.session_id,
        claimed_by_id=activity.actor_id,
        claimed_at__lt=activity.created_at,
        first_action_at__isnull=True,
    ).update(first_action_at=activity.created_at)
