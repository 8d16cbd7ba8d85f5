"""The one way to append to a session's Activity log (never edited or deleted)."""

from django.db import transaction

from flowpilot import hooks
from flowpilot.models import Activity, Session


def record(session: Session, actor, kind: str, **payload) -> Activity:
    """Append one Activity; `actor` is None for AI/system entries."""
    with transaction.atomic(savepoint=False):
        activity = Activity.objects.create(
            session=session, account_id=session.account_id, actor=actor, kind=kind, payload=payload
        )
        hooks.activity_recorded(activity)
    return activity


def record_notes_export(session: Session, actor, channel: str, fmt: str = "md") -> Activity:
    """Log that the generated ticket notes left the product (copy, download, api or psa); `actor` None = automatic.

    The time-saved report counts sessions with such an Activity as notes nobody had to write by hand."""
    return record(session, actor, Activity.Kind.NOTES_EXPORTED, channel=channel, format=fmt)
