"""Email notifications: the right recipients, one log row each, failures recorded, never touching the handoff."""

import socket
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from accounts.models import Role
from conftest import make_user
from escalations import delivery, services, tasks
from escalations.models import Handoff, NotificationLog
from escalations.tests.live_fixtures import make_session
from outbox.models import OutboxMessage
from outbox.registry import RetryLater

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


def fan_out(handoff) -> None:
    """The escalation's email fan-out as the outbox runs it, with its sends dispatched after commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.email_fan_out(str(handoff.pk))


def renotify_unclaimed() -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return tasks.renotify_unclaimed()


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
    # Run as a worker would (not eagerly), the outbox handler asks for a later attempt.
    with pytest.raises(RetryLater):
        tasks.send_email(str(log_id))
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
    fan_out(handoff)
    assert mail.outbox == []
    rows = email_rows(handoff)
    assert {row.status for row in rows} == {"suppressed"}
    assert "claimed" in rows.first().last_error


def test_email_is_suppressed_when_the_escalation_was_withdrawn_before_sending(engineer, senior):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    services.withdraw(handoff, engineer)
    fan_out(handoff)
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
    tasks.send_email(str(log_id))
    tasks.send_email(str(log_id))
    assert len(mail.outbox) == 1
    assert NotificationLog.objects.get(pk=log_id).attempts == 1


def test_repeated_notification_call_creates_no_duplicate_rows_or_emails(
    engineer, senior, django_capture_on_commit_callbacks
):
    handoff = escalate(engineer, django_capture_on_commit_callbacks)
    fan_out(handoff)
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


def test_fan_out_inserts_all_rows_and_records_one_send_each(engineer, team_members):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    tasks.email_fan_out(str(handoff.pk))
    sends = OutboxMessage.objects.filter(kind=tasks.SEND_EMAIL)
    queued = set(email_rows(handoff, status="queued").values_list("pk", flat=True))
    assert {message.args["log_id"] for message in sends} == {str(pk) for pk in queued}
    assert len(queued) == 4
    assert email_rows(handoff).count() == 5  # four to send, one suppressed (email off)


def test_fan_out_running_twice_creates_no_duplicate_rows_or_emails(engineer, team_members):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    fan_out(handoff)
    fan_out(handoff)
    assert email_rows(handoff).count() == 5
    assert len(mail.outbox) == 4


def test_a_second_fan_out_sends_rows_a_crashed_run_inserted_but_never_recorded(engineer, senior, senior2):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    with (
        mock.patch.object(tasks.outbox, "enqueue", side_effect=RuntimeError("worker killed")),
        pytest.raises(RuntimeError),
    ):
        tasks.email_fan_out(str(handoff.pk))
    assert email_rows(handoff, status="queued").count() == 2
    assert mail.outbox == []
    fan_out(handoff)
    assert sorted(m.to[0] for m in mail.outbox) == ["senior2@northwind.test", "senior@northwind.test"]
    assert email_rows(handoff, status="sent", attempts=1).count() == 2


def test_fan_out_for_a_missing_handoff_does_nothing(db):
    tasks.email_fan_out("00000000-0000-0000-0000-000000000000")
    assert not NotificationLog.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_renotify_records_its_sends_with_the_rows_so_a_broker_outage_loses_none(engineer, owner, admin_user):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    _age(handoff, 60)
    OutboxMessage.objects.all().delete()
    with mock.patch.object(tasks.outbox, "dispatch", return_value=False):  # the broker is down
        assert renotify_unclaimed() == 2
    assert mail.outbox == []
    rows = NotificationLog.objects.filter(handoff=handoff, purpose="renotify", status="queued")
    pending = OutboxMessage.objects.filter(kind=tasks.SEND_EMAIL, status=OutboxMessage.Status.PENDING)
    assert {m.args["log_id"] for m in pending} == {str(pk) for pk in rows.values_list("pk", flat=True)}


def test_messages_published_by_an_older_release_run_through_the_outbox(engineer, senior, senior2):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.fan_out_escalation_emails.apply(args=[str(handoff.pk)])
    assert sorted(m.to[0] for m in mail.outbox) == ["senior2@northwind.test", "senior@northwind.test"]
    [log_id] = delivery.create_deliveries(handoff, [senior], NotificationLog.Purpose.RENOTIFY)
    with TestCase.captureOnCommitCallbacks(execute=True):
        tasks.send_notification.apply(args=[str(log_id)])
    assert len(mail.outbox) == 3
    assert NotificationLog.objects.get(pk=log_id).status == "sent"
