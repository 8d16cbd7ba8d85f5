"""The one way to append to a session's Activity log (never edited or deleted)."""

from django.db import transaction

from escalations.models import Handoff
from flowpilot.models import WORK_ACTIVITY_KINDS, Activity, Session


def record(session: Session, actor, kind: str, **payload) -> Activity:
    """Append one Activity; `actor` is None for AI/system entries."""
    with transaction.atomic(savepoint=False):
        activity = Activity.objects.create(
            session=session, account_id=session.account_id, actor=actor, kind=kind, payload=payload
        )
        if actor is not None and kind in WORK_ACTIVITY_KINDS:
            # Activities are appended with created_at=now, so the first one that finds
            # first_action_at empty is the claimer's earliest work after the claim: the
            # TTFA metric then reads a column instead of searching the log per handoff.
            Handoff.objects.filter(
                session_id=session.pk,
                claimed_by=actor,
                claimed_at__lt=activity.created_at,
                first_action_at__isnull=True,
            ).update(first_action_at=activity.created_at)
    return activity
