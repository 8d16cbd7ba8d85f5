"""Item 2 of issue 13: "N steps tried" counts steps with a result, the same on every surface."""

import pytest
from django.core import mail

from escalations import delivery, services
from escalations.tests.conftest import make_worked_session
from flowpilot import notes
from flowpilot.models import Step, StepCounts


@pytest.fixture
def mixed_session(engineer):
    """Done, failed (dead end), proposed from the fixture, plus one skipped and two more proposed."""
    session = make_worked_session(engineer)
    for order, status in ((4, "skipped"), (5, "proposed"), (6, "proposed")):
        Step.objects.create(
            session=session, account=session.account, order=order, title=f"Step {order}", source="ai", status=status
        )
    return session


def test_step_counts_ignore_proposed_and_keep_skipped_apart(mixed_session):
    counts = StepCounts.of(mixed_session.steps.all())
    assert (counts.steps, counts.tried, counts.skipped, counts.dead_ends) == (6, 2, 1, 1)
    assert counts.phrase == "2 steps tried, 1 skipped"


def test_snapshot_counts_tried_as_done_or_failed(mixed_session, engineer):
    handoff = services.escalate(mixed_session, engineer)
    counts = handoff.snapshot["counts"]
    assert counts["tried"] == 2 and counts["skipped"] == 1 and counts["steps"] == 6
    assert {"steps", "tried", "skipped", "dead_ends", "messages"} <= set(counts)


def test_old_snapshot_without_tried_counts_done_and_failed():
    assert StepCounts.from_snapshot({"steps": 5, "done": 1, "failed": 2}).tried == 3


def test_card_and_context_screen_say_tried_not_proposed(mixed_session, engineer, senior, client_for):
    handoff = services.escalate(mixed_session, engineer)
    client = client_for(senior)
    queue = client.get("/escalations/").content.decode()
    assert "2 steps tried, 1 skipped" in queue and "6 steps tried" not in queue
    context = client.get(f"/escalations/{handoff.pk}/").content.decode()
    assert "2 steps tried, 1 skipped, 1 dead end" in context


def test_email_states_the_same_count(mixed_session, engineer, senior, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        handoff = services.escalate(mixed_session, engineer)
    delivery.escalation_deliveries(handoff.pk)
    sent = [m for m in mail.outbox if senior.email in m.to]
    assert sent, "the senior gets the escalation email"
    assert "2 steps tried, 1 skipped" in sent[0].body
    assert "2 steps tried, 1 skipped" in sent[0].alternatives[0][0]


@pytest.mark.parametrize("fmt", notes.FORMATS)
def test_ticket_notes_state_the_same_count(mixed_session, fmt):
    body = notes.render_ticket_notes(mixed_session, fmt)
    assert "2 steps tried, 1 skipped" in body
