"""Writes of the analytics app: the manual stopwatch baseline entries."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.access import ensure_role, has_role
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN, User
from analytics.models import BaselineEntry
from resolutionflow.domain import InvalidOperation, RoleRequired

MAX_BASELINE_SPAN = timedelta(hours=24)


def _validate_times(opened_at: datetime, first_action_at: datetime, now: datetime) -> None:
    if first_action_at <= opened_at:
        raise InvalidOperation("T1 (first diagnostic action) must be after T0 (ticket opened).")
    if opened_at > now or first_action_at > now:
        raise InvalidOperation("Baseline times cannot be in the future.")
    if first_action_at - opened_at > MAX_BASELINE_SPAN:
        raise InvalidOperation("T1 must be within 24 hours of T0; longer gaps are not a time-to-first-action.")


def record_baseline_entry(
    user: User,
    *,
    opened_at: datetime,
    first_action_at: datetime,
    ticket_ref: str = "",
    note: str = "",
    kind: str = BaselineEntry.Kind.ESCALATION,
    now: datetime | None = None,
) -> BaselineEntry:
    """Record one stopwatch measurement (T0 → T1) of one kind for the user's account."""
    ensure_role(user, ENGINEER_OR_ADMIN)
    if kind not in BaselineEntry.Kind.values:
        raise InvalidOperation("kind must be one of " + ", ".join(BaselineEntry.Kind.values))
    _validate_times(opened_at, first_action_at, now or timezone.now())
    with transaction.atomic():
        return BaselineEntry.objects.create(
            account_id=user.account_id,
            recorded_by=user,
            kind=kind,
            ticket_ref=ticket_ref.strip(),
            opened_at=opened_at,
            first_action_at=first_action_at,
            note=note.strip(),
        )


def delete_baseline_entry(user: User, entry: BaselineEntry) -> None:
    """Who recorded an entry may delete it; owners and admins may delete any entry of their account."""
    if entry.account_id != user.account_id:
        raise InvalidOperation("That belongs to another account.")
    ensure_role(user, ENGINEER_OR_ADMIN)
    if entry.recorded_by_id != user.pk and not has_role(user, ADMIN_OR_OWNER):
        raise RoleRequired("Only who recorded this entry, or an owner or admin, can delete it.")
    with transaction.atomic():
        entry.delete()
