"""Delivery visible: admins and owners see who was notified, how, with what status and error."""

import pytest
from django.core import mail

from accounts.models import Role
from conftest import make_user
from escalations import delivery, services
from escalations.models import NotificationLog
from escalations.tests.live_fixtures import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(engineer, senior, senior2, admin_user, django_capture_on_commit_callbacks):
    """An escalation whose emails went out, one of which then failed."""
    with django_capture_on_commit_callbacks(execute=True):
        handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="high")
    NotificationLog.objects.filter(handoff=handoff, recipient=senior2).update(
        status="failed", last_error="SMTPServerDisconnected: <b>Connection unexpectedly closed</b>"
    )
    return handoff


def panel(response) -> str:
    html = response.content.decode()
    start = html.find('data-testid="delivery-panel"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


@pytest.mark.parametrize("role_fixture", ["owner", "admin_user"])
def test_owner_and_admin_see_every_delivery_with_status_and_error(role_fixture, request, notified, client_for):
    response = client_for(request.getfixturevalue(role_fixture)).get(f"/escalations/{notified.pk}/")
    assert response.status_code == 200
    html = panel(response)
    assert html.count('data-testid="delivery-row"') == 4  # push + senior, senior2, admin
    assert 'data-channel="push" data-status="sent"' in html
    assert 'data-channel="email" data-status="failed"' in html
    assert "senior2@northwind.test" in html
    assert "SMTPServerDisconnected: &lt;b&gt;Connection unexpectedly closed&lt;/b&gt;" in html


@pytest.mark.parametrize("role_fixture", ["senior", "viewer"])
def test_engineers_and_viewers_do_not_see_the_delivery_panel(role_fixture, request, notified, client_for):
    response = client_for(request.getfixturevalue(role_fixture)).get(f"/escalations/{notified.pk}/")
    assert response.status_code == 200
    assert 'data-testid="delivery-panel"' not in response.content.decode()


def test_outsider_gets_404_for_the_handoff_and_its_panel(notified, outsider, client_for):
    assert client_for(outsider).get(f"/escalations/{notified.pk}/").status_code == 404


def test_panel_explains_that_parking_notifies_nobody(engineer, owner, client_for):
    handoff = services.park(make_session(engineer), engineer, engineer_notes="", priority="low")
    html = panel(client_for(owner).get(f"/escalations/{handoff.pk}/"))
    assert "No notifications yet." in html
    assert "Parking is private" in html


def test_panel_shows_suppressed_rows_with_the_reason(
    engineer, account, owner, client_for, django_capture_on_commit_callbacks
):
    make_user(account, Role.ENGINEER, "quiet@northwind.test", "Quinn Quiet", email_notifications=False)
    with django_capture_on_commit_callbacks(execute=True):
        handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    html = panel(client_for(owner).get(f"/escalations/{handoff.pk}/"))
    assert 'data-status="suppressed"' in html
    assert "Recipient turned email notifications off" in html


@pytest.fixture
def operator(db):
    return make_user(None, Role.ENGINEER, "ops@resolutionflow.test", "Otto Operator", is_staff=True, is_superuser=True)


def test_admin_lists_notification_logs_with_filters(notified, operator, client_for):
    response = client_for(operator).get("/admin/escalations/notificationlog/?status__exact=failed")
    assert response.status_code == 200
    html = response.content.decode()
    assert "senior2@northwind.test" in html or "Rita Senior" in html
    assert "By status" in html and "By channel" in html
    assert client_for(operator).get("/admin/escalations/notificationlog/add/").status_code == 403


def test_admin_action_resends_failed_emails(
    notified, operator, client_for, senior2, django_capture_on_commit_callbacks
):
    failed = NotificationLog.objects.get(handoff=notified, recipient=senior2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the sends are dispatched after commit
        response = client_for(operator).post(
            "/admin/escalations/notificationlog/",
            {"action": "resend_failed", "_selected_action": [str(failed.pk)]},
            follow=True,
        )
    assert response.status_code == 200
    assert "Queued 1 email(s) again." in response.content.decode()
    assert [m.to for m in mail.outbox] == [[senior2.email]]
    failed.refresh_from_db()
    assert failed.status == "sent"


def test_requeue_only_moves_failed_email_rows(notified, senior):
    sent = NotificationLog.objects.get(handoff=notified, recipient=senior)
    push = NotificationLog.objects.get(handoff=notified, channel="push")
    assert delivery.requeue(sent.pk) is False
    assert delivery.requeue(push.pk) is False
