"""Read-side queries for escalations, always scoped to the user's account."""

from django.db.models import QuerySet

from accounts.access import scoped
from accounts.models import User
from escalations.models import Handoff


def open_escalations(user: User) -> QuerySet:
    """Unclaimed, not withdrawn escalations of the user's account, newest first."""
    return (
        scoped(Handoff, user)
        .filter(intent=Handoff.Intent.ESCALATE, claimed_at__isnull=True, withdrawn_at__isnull=True)
        .order_by("-created_at")
    )
