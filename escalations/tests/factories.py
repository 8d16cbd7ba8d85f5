"""Backdated escalation history for metric tests: rows written directly, as history."""

from datetime import datetime, timedelta

from django.utils import timezone

from escalations.first_action import backfill_first_action
from escalations.models import Handoff
from flowpilot.models import Activity, Session


def claimed_escalation(
    escalator,
    claimer=None,
    *,
    claimed_at: datetime | None = None,
    wait_s: float = 120,
    action_after_s: float | None = None,
    domain: str = "networking",
    intent: str = Handoff.Intent.ESCALATE,
) -> Handoff:
    """An escalation escalated `wait_s` before `claimed_at`; the claimer works `action_after_s` after the claim."""
    claimed_at = claimed_at or timezone.now() - timedelta(hours=1)
    created_at = claimed_at - timedelta(seconds=wait_s)
    session = Session.objects.create(
        account=escalator.account,
        owner=escalator,
        assignee=claimer,
        status=Session.Status.ACTIVE,
        problem_summary="VPN drops every ten minutes",
        problem_domain=domain,
        created_at=created_at - timedelta(minutes=20),
    )
    handoff = Handoff.objects.create(
        session=session,
        account=escalator.account,
        handed_off_by=escalator,
        intent=intent,
        claimed_by=claimer,
        claimed_at=claimed_at if claimer else None,
        created_at=created_at,
    )
    if claimer is not None and action_after_s is not None:
        activity(handoff, claimer, Activity.Kind.MESSAGE, claimed_at + timedelta(seconds=action_after_s))
    return handoff


def activity(handoff: Handoff, actor, kind: str, at: datetime) -> Activity:
    """A backdated Activity; bypassing record(), so the session's handoffs recompute first_action_at as history."""
    row = Activity.objects.create(
        session=handoff.session, account_id=handoff.account_id, actor=actor, kind=kind, created_at=at
    )
    backfill_first_action(Handoff.objects.filter(session_id=handoff.session_id))
    return row
