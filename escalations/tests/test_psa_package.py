"""The escalation package pushed to ConnectWise: escalations asks flowpilot.psa to deliver it."""

import pytest

from escalations import psa_package
from escalations import services as escalation_services
from flowpilot.psa.models import PsaPush
from flowpilot.psa.tests import conftest as psa_fixtures

pytestmark = pytest.mark.django_db

# The PSA app's fixtures: a fake ConnectWise, a saved connection, a session with a ticket.
fake_cw, connection, ticket_session = psa_fixtures.fake_cw, psa_fixtures.connection, psa_fixtures.ticket_session


def test_escalated_never_raises(monkeypatch, caplog):
    def boom(_):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(psa_package, "push_package_on_escalate", boom)

    psa_package.escalated("x")

    assert [r.getMessage() for r in caplog.records] == ["PSA push on escalate failed for handoff x"]


@pytest.fixture
def push_on_escalate(connection):
    connection.push_package_on_escalate = True
    connection.save()
    return connection


def test_escalate_pushes_the_package_when_the_account_turned_it_on(
    ticket_session, engineer, push_on_escalate, fake_cw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        handoff = escalation_services.escalate(ticket_session, engineer, "Stuck on the tunnel", "high")

    push = PsaPush.objects.get(session=ticket_session)
    assert push.kind == PsaPush.Kind.ESCALATION and push.subject_id == handoff.pk
    assert push.status == PsaPush.Status.SENT
    text = fake_cw.notes[0]["text"]
    assert "Escalated by Jamie Junior" in text and "priority High" in text
    assert "Stuck on the tunnel" in text
    assert "### What's been tried" in text and "### AI assessment" in text
    assert "hunter2" not in text


def test_park_never_pushes_a_package(
    ticket_session, engineer, push_on_escalate, fake_cw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        escalation_services.park(ticket_session, engineer, "Waiting on the client")

    assert not PsaPush.objects.exists()


def test_escalate_does_not_push_when_the_toggle_is_off(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        escalation_services.escalate(ticket_session, engineer, "Stuck")

    assert not PsaPush.objects.exists()
