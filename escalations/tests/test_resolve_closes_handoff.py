"""Item 3 of issue 13: resolving a session with an open escalation or park closes that handoff."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalations import delivery, services
from escalations.models import Handoff
from escalations.tests.live_fixtures import GroupListener
from flowpilot import services as session_services
from flowpilot.models import Activity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_channel_layer")]


def resolve(session, user, capture):
    with capture(execute=True):
        session_services.resolve(session, user, "Reset the mailbox rules")


def test_resolving_an_escalated_session_closes_its_handoff_with_who_and_why(
    escalation, engineer, django_capture_on_commit_callbacks
):
    resolve(escalation.session, engineer, django_capture_on_commit_callbacks)
    escalation.refresh_from_db()
    assert escalation.closed_at is not None and escalation.closed_by == engineer
    assert escalation.closed_reason == services.CLOSED_ON_RESOLVE
    assert not escalation.is_open
    closed = Activity.objects.get(session=escalation.session, kind=Activity.Kind.WITHDRAWN)
    assert closed.actor == engineer
    assert closed.payload == {
        "handoff_id": str(escalation.pk),
        "intent": "escalate",
        "reason": "session resolved",
        "title": "escalation closed, the session was resolved",
    }


def test_resolving_removes_the_card_from_every_open_queue(
    account, escalation, engineer, senior, client_for, django_capture_on_commit_callbacks
):
    listener = GroupListener(account)
    resolve(escalation.session, engineer, django_capture_on_commit_callbacks)
    html = "".join(m["html"] for m in listener.messages())
    assert f'<div id="handoff-{escalation.pk}" hx-swap-oob="delete">' in html
    assert "0 awaiting pickup" in html
    assert f"handoff-{escalation.pk}" not in client_for(senior).get("/escalations/").content.decode()


def test_resolving_a_parked_session_by_its_owner_closes_the_park(
    parked, engineer, senior, client_for, django_capture_on_commit_callbacks
):
    resolve(parked.session, engineer, django_capture_on_commit_callbacks)
    parked.refresh_from_db()
    assert parked.closed_at is not None and parked.closed_by == engineer
    assert f"parked-{parked.pk}" not in client_for(senior).get("/escalations/").content.decode()


def test_renotify_skips_a_resolved_escalation(escalation, engineer, owner, django_capture_on_commit_callbacks):
    Handoff.objects.filter(pk=escalation.pk).update(created_at=timezone.now() - timedelta(hours=2))
    resolve(escalation.session, engineer, django_capture_on_commit_callbacks)
    assert delivery.renotify_deliveries() == []


def test_claim_after_resolve_is_409_saying_it_was_resolved_in_the_api(
    escalation, engineer, senior, api_for, django_capture_on_commit_callbacks
):
    resolve(escalation.session, engineer, django_capture_on_commit_callbacks)
    response = api_for(senior).post(f"/api/v1/handoffs/{escalation.pk}/claim/")
    assert response.status_code == 409
    assert "resolved" in response.json()["detail"]


def test_claim_after_resolve_is_409_saying_it_was_resolved_on_the_page(
    escalation, engineer, senior, client_for, django_capture_on_commit_callbacks
):
    resolve(escalation.session, engineer, django_capture_on_commit_callbacks)
    page = client_for(senior).post(f"/escalations/{escalation.pk}/claim/")
    assert page.status_code == 409 and b"resolved" in page.content
    context = client_for(senior).get(f"/escalations/{escalation.pk}/").content.decode()
    assert "the session was resolved by Jamie Junior" in context
    assert 'data-testid="start-here"' not in context


def test_a_claim_that_won_before_the_resolve_is_left_alone(escalation, engineer, senior):
    services.claim(escalation, senior)
    session_services.resolve(escalation.session, senior, "Fixed it")
    escalation.refresh_from_db()
    assert escalation.closed_at is None and escalation.claimed_by == senior
