"""Email notifications: the right recipients, one log row each, failures recorded, never touching the handoff."""

import socket
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role
from conftest import make_user
from escalations import delivery, notifications, services
from escalations.models import Handoff, NotificationLog
from escalations.notification_tasks import fan_out_escalation_emails, renotify_unclaimed, send_notification
from escalations.tests.live_fixtures import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_members(owner, admin_user, engineer, senior, senior2, viewer, outsider, account):
    """Everyone who must or must not hear about an escalation by `engineer`."""
    return {
        "inactive": make_user(account, Role.ENGINEER, "left@northwind.test", "Len Left", is_active=False),
        "quiet": make_user(account, Role.ADMIN, "quiet@northwind.test", "Quinn Quiet", email_notifications=False),
    }


@pytest.fixture
def smtp_down(settings):
    """A real SMTP backend pointed at a port nobody listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    return settings


def escalate(user, capture, notes="Rebooted the firewall, no change", priority="urgent"):
    with capture(execute=True):
        return services.escalate(make_session(user), user, engineer_notes=notes, priority=priority)


def email_rows(handoff, **filters):
    return NotificationLog.objects.filter(handoff=handoff, channel="email", **filters)


def test_escalation_emails_exactly_the_active_engineers_and_admins_except_the_escalator(
    engineer, team_members, django_capture_on_commit_callbacks
):
    handoff = escalate(engineer, django_capture_on_commit_callbacks)
    sent_to = sorted(address for message in mail.outbox for address in message.to)
    assert sent_to == [
        "admin@northwind.test",
        "owner@northwind.test",
        "senior2@northwind.test",
        "senior@northwind.test",
    ]
    statuses = {row.recipient.email: row.status for row in email_rows(handoff).select_related("recipient")}
    assert statuses == {
        "admin@northwind.test": "sent",
        "owner@northwind.test": "sent",
        "senior2@northwind.test": "sent",
        "senior@northwind.test": "sent",
        "quiet@northwind.test": "suppressed",
    }
    assert email_rows(handoff, status="sent", attempts=1, sent_at__isnull=False).count() == 4


def test_email_has_summary_priority_notes_and_a_link_to_the_handoff(
    engineer, senior, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://rf.northwind.example"
    handoff = escalate(engineer, django_capture_on_commit_callbacks, notes="Tried <b>safe mode</b> & a reboot")
    [message] = mail.outbox
    assert message.subject == "[Urgent] Escalation: VPN drops every 10 minutes for the Leeds office"
    assert f"https://rf.northwind.example/escalations/{handoff.pk}/" in message.body
    assert "Tried <b>safe mode</b> & a reboot" in message.body
    assert "Priority: Urgent" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Tried &lt;b&gt;safe mode&lt;/b&gt; &amp; a reboot" in html
    assert f'href="https://rf.northwind.example/escalations/{handoff.pk}/"' in html


def test_refused_smtp_marks_rows_failed_keeps_the_handoff_and_retry_command_sends_them(
    engineer, senior, senior2, smtp_down, django_capture_on_commit_callbacks
):
    handoff = escalate(engineer, django_capture_on_commit_callbacks)
    rows = list(email_rows(handoff))
    assert len(rows) == 2
    for row in rows:
        assert row.status == "failed"
        assert row.attempts == 1
        assert "ConnectionRefusedError" in row.last_error
        assert row.sent_at is None
    handoff.refresh_from_db()
    assert handoff.session.status == "escalated"
    assert handoff.is_open

    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("retry_notifications", stdout=mock.Mock())
    assert sorted(m.to[0] for m in mail.outbox) == ["senior2@northwind.test", "senior@northwind.test"]
    assert email_rows(handoff, status="sent", attempts=2).count() == 2


def test_transient_errors_retry_with_backoff_then_fail_after_three_attempts(engineer, senior, smtp_down):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    [log_id] = delivery.create_deliveries(handoff, [senior], NotificationLog.Purpose.ESCALATED)
    # Called directly (as a worker would, not eagerly), the task asks Celery to retry.
    with pytest.raises(Retry):
        send_notification(str(log_id))
    row = NotificationLog.objects.get(pk=log_id)
    assert (row.status, row.attempts) == ("queued", 1)
    assert delivery.deliver(log_id, may_retry=True) == delivery.RETRY
    assert delivery.deliver(log_id, may_retry=True) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)
    assert "ConnectionRefusedError" in row.last_error
    handoff.refresh_from_db()
    assert handoff.is_open


def test_email_is_suppressed_when_the_escalation_was_claimed_before_sending(engineer, senior, senior2):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    services.claim(handoff, senior)
    notifications.escalation_created(handoff.pk)
    assert mail.outbox == []
    rows = email_rows(handoff)
    assert {row.status for row in rows} == {"suppressed"}
    assert "claimed" in rows.first().last_error


def test_email_is_suppressed_when_the_escalation_was_withdrawn_before_sending(engineer, senior):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    services.withdraw(handoff, engineer)
    notifications.escalation_created(handoff.pk)
    assert mail.outbox == []
    assert email_rows(handoff).get().status == "suppressed"


def test_email_is_suppressed_when_the_recipient_turned_email_off_after_it_was_queued(engineer, senior):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    [log_id] = delivery.create_deliveries(handoff, [senior], NotificationLog.Purpose.ESCALATED)
    senior.email_notifications = False
    senior.save(update_fields=["email_notifications"])
    assert delivery.deliver(log_id, may_retry=False) == "suppressed"
    assert mail.outbox == []


def test_sending_is_idempotent_when_a_task_runs_twice(engineer, senior):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    [log_id] = delivery.create_deliveries(handoff, [senior], NotificationLog.Purpose.ESCALATED)
    assert send_notification.apply(args=[str(log_id)]).get() == "sent"
    assert send_notification.apply(args=[str(log_id)]).get() == delivery.SKIPPED
    assert len(mail.outbox) == 1
    assert NotificationLog.objects.get(pk=log_id).attempts == 1


def test_repeated_notification_call_creates_no_duplicate_rows_or_emails(
    engineer, senior, django_capture_on_commit_callbacks
):
    handoff = escalate(engineer, django_capture_on_commit_callbacks)
    notifications.escalation_created(handoff.pk)
    assert email_rows(handoff).count() == 1
    assert len(mail.outbox) == 1


def test_a_failure_while_queueing_emails_never_reaches_the_escalation(
    engineer, senior, django_capture_on_commit_callbacks
):
    with mock.patch.object(delivery, "create_deliveries", side_effect=RuntimeError("database hiccup")):
        handoff = escalate(engineer, django_capture_on_commit_callbacks)
    assert Handoff.objects.filter(pk=handoff.pk, session__status="escalated").exists()
    assert mail.outbox == []


def test_parking_sends_no_email(engineer, senior, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        handoff = services.park(make_session(engineer), engineer, engineer_notes="", priority="normal")
    assert mail.outbox == []
    assert not NotificationLog.objects.filter(handoff=handoff).exists()


def _age(handoff, minutes):
    Handoff.objects.filter(pk=handoff.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_renotify_emails_owners_and_admins_once_after_the_delay(engineer, team_members, owner, admin_user, settings):
    settings.ESCALATION_RENOTIFY_MINUTES = 15
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    _age(handoff, 14)
    assert renotify_unclaimed() == 0
    _age(handoff, 16)
    assert renotify_unclaimed() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@northwind.test", "owner@northwind.test"]
    assert mail.outbox[0].subject.startswith("Still unclaimed after 15 min: ")
    rows = NotificationLog.objects.filter(handoff=handoff, purpose="renotify")
    assert {(r.recipient.email, r.status) for r in rows.select_related("recipient")} == {
        ("admin@northwind.test", "sent"),
        ("owner@northwind.test", "sent"),
        ("quiet@northwind.test", "suppressed"),
    }
    assert renotify_unclaimed() == 0
    call_command("renotify_unclaimed", stdout=mock.Mock())
    assert len(mail.outbox) == 2


def test_renotify_skips_claimed_withdrawn_and_parked_handoffs(engineer, senior, owner):
    claimed = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    services.claim(claimed, senior)
    withdrawn = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    services.withdraw(withdrawn, engineer)
    parked = services.park(make_session(engineer), engineer, engineer_notes="", priority="normal")
    for handoff in (claimed, withdrawn, parked):
        _age(handoff, 60)
    assert renotify_unclaimed() == 0
    assert mail.outbox == []


def test_renotify_never_emails_the_escalating_admin(admin_user, owner):
    handoff = services.escalate(make_session(admin_user), admin_user, engineer_notes="", priority="normal")
    _age(handoff, 30)
    assert renotify_unclaimed() == 1
    assert [m.to for m in mail.outbox] == [["owner@northwind.test"]]


def test_escalation_created_only_queues_one_fan_out_task_without_touching_the_database(
    engineer, senior, django_assert_num_queries
):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    with (
        mock.patch.object(notifications.fan_out_escalation_emails, "delay") as fan_out,
        django_assert_num_queries(0),
    ):
        notifications.escalation_created(handoff.pk)
    fan_out.assert_called_once_with(str(handoff.pk))
    assert not email_rows(handoff).exists()


def test_broker_outage_while_queueing_the_fan_out_is_logged_and_swallowed(engineer, senior, caplog):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    with mock.patch.object(notifications.fan_out_escalation_emails, "delay", side_effect=ConnectionError("no broker")):
        notifications.escalation_created(handoff.pk)
    assert "Could not queue the email fan-out" in caplog.text
    assert Handoff.objects.filter(pk=handoff.pk, session__status="escalated").exists()


def test_fan_out_inserts_all_rows_in_one_query_and_queues_one_send_each(
    engineer, team_members, django_assert_num_queries
):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    # The handoff, the recipients, one INSERT for every row, the ids still to send.
    with mock.patch.object(send_notification, "delay") as send, django_assert_num_queries(4):
        assert fan_out_escalation_emails(str(handoff.pk)) == 4
    assert send.call_count == 4
    assert email_rows(handoff).count() == 5  # four to send, one suppressed (email off)


def test_fan_out_running_twice_creates_no_duplicate_rows_or_emails(engineer, team_members):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    assert fan_out_escalation_emails.apply(args=[str(handoff.pk)]).get() == 4
    assert fan_out_escalation_emails.apply(args=[str(handoff.pk)]).get() == 0
    assert email_rows(handoff).count() == 5
    assert len(mail.outbox) == 4


def test_redelivered_fan_out_sends_rows_a_crashed_run_inserted_but_never_queued(engineer, senior, senior2):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    with mock.patch.object(send_notification, "delay", side_effect=RuntimeError("worker killed")):
        fan_out_escalation_emails.apply(args=[str(handoff.pk)])
    assert email_rows(handoff, status="queued").count() == 2
    assert mail.outbox == []
    fan_out_escalation_emails.apply(args=[str(handoff.pk)])
    assert sorted(m.to[0] for m in mail.outbox) == ["senior2@northwind.test", "senior@northwind.test"]
    assert email_rows(handoff, status="sent", attempts=1).count() == 2


def test_fan_out_for_a_missing_handoff_does_nothing(db):
    assert fan_out_escalation_emails.apply(args=["00000000-0000-0000-0000-000000000000"]).get() == 0
    assert not NotificationLog.objects.exists()


def test_failed_fan_out_on_a_worker_is_retried_with_backoff(engineer, senior):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    with (
        mock.patch.object(delivery, "create_deliveries", side_effect=RuntimeError("database hiccup")),
        mock.patch.object(fan_out_escalation_emails, "retry", side_effect=Retry()) as retry,
        pytest.raises(Retry),
    ):
        fan_out_escalation_emails(str(handoff.pk))  # called as a worker would: not eager
    assert retry.call_args.kwargs["countdown"] == 60
    assert isinstance(retry.call_args.kwargs["exc"], RuntimeError)
