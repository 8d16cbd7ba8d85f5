"""Fixtures for the escalation core tests: a worked session and handoffs made by the real services."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from escalations import services
from escalations.models import Handoff
from flowpilot.activity import record
from flowpilot.models import Activity, Session, Step


def make_worked_session(user, summary: str = "Outlook keeps prompting for a password", **fields) -> Session:
    """An active session with three steps (one dead end), a conversation and a note."""
    session = Session.objects.create(
        account=user.account,
        owner=user,
        assignee=user,
        problem_summary=summary,
        problem_domain=fields.pop("problem_domain", "email"),
        client_name=fields.pop("client_name", "Leeds Dental"),
        ticket_ref=fields.pop("ticket_ref", "T-2001"),
        created_at=timezone.now() - timedelta(minutes=25),
        **fields,
    )
    steps = [
        ("Check credential manager", "done", "Cleared two stale entries", "Deleted: MicrosoftOffice16_Data", False),
        ("Recreate the Outlook profile", "failed", "Prompt came back after restart", "", True),
        ("Test OWA sign-in", "proposed", "", "", False),
    ]
    for order, (title, status, note, output, dead_end) in enumerate(steps, start=1):
        Step.objects.create(
            session=session,
            account=session.account,
            order=order,
            title=title,
            source=Step.Source.AI,
            status=status,
            result_note=note,
            output=output,
            is_dead_end=dead_end,
            command="Get-ChildItem" if order == 1 else "",
            created_by=user,
        )
    record(session, user, Activity.Kind.MESSAGE, text="Prompts keep coming back after a password change")
    record(session, None, Activity.Kind.AI_REPLY, text="Likely cached credentials; try these steps.")
    record(session, user, Activity.Kind.NOTE, text="User is on a hybrid-joined laptop")
    return session


def bulk_open_escalations(escalator, n: int, ties: int = 0) -> list[Handoff]:
    """`n` open escalations, newest first; the first `ties` share one created_at (keyset tie-break)."""
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(account=escalator.account, owner=escalator, status="escalated", problem_summary=f"Problem {i}")
        for i in range(n)
    )
    handoffs = Handoff.objects.bulk_create(
        Handoff(
            session=session,
            account=escalator.account,
            handed_off_by=escalator,
            intent="escalate",
            priority="normal",
            snapshot={"schema_version": 1, "counts": {"steps": 0}},
            created_at=now - timedelta(seconds=max(0, i - ties)),
        )
        for i, session in enumerate(sessions)
    )
    return sorted(handoffs, key=lambda h: (h.created_at, h.pk), reverse=True)


@pytest.fixture
def worked_session(engineer) -> Session:
    return make_worked_session(engineer)


@pytest.fixture
def escalation(worked_session, engineer):
    """An open escalation raised by the junior (`engineer`), side effects not run."""
    return services.escalate(worked_session, engineer, engineer_notes="Stuck after profile rebuild", priority="high")


@pytest.fixture
def parked(engineer):
    session = make_worked_session(
        engineer, "Printer offline on floor 2", problem_domain="printing", ticket_ref="T-2002"
    )
    return services.park(session, engineer, engineer_notes="Waiting for the client to power-cycle it")


@pytest.fixture
def fresh_channel_layer():
    """An empty in-memory channel layer before and after the test."""
    async_to_sync(get_channel_layer().flush)()
    yield
    async_to_sync(get_channel_layer().flush)()
