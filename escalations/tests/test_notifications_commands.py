"""Operator commands: retry_notifications, send_test_email, renotify_unclaimed."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from escalations import delivery, services
from escalations.management.commands.retry_notifications import parse_age
from escalations.models import NotificationLog
from escalations.tests.live_fixtures import make_session

pytestmark = pytest.mark.django_db


def failed_row(engineer, recipient, hours_ago=0):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    [log_id] = delivery.create_deliveries(handoff, [recipient], NotificationLog.Purpose.ESCALATED)
    NotificationLog.objects.filter(pk=log_id).update(
        status="failed",
        attempts=3,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        created_at=timezone.now() - timedelta(hours=hours_ago),
    )
    return log_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", timedelta(hours=24)),
        ("90m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("30s", timedelta(seconds=30)),
    ],
)
def test_max_age_parses_units(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "24", "h", "-1h", "0h", "1.5h", "3w"])
def test_bad_max_age_is_a_command_error_naming_the_option(text):
    with pytest.raises(CommandError, match="--max-age"):
        call_command("retry_notifications", "--max-age", text)


def test_retry_sends_failed_rows_younger_than_max_age_only(engineer, senior, senior2):
    recent = failed_row(engineer, senior, hours_ago=1)
    old = failed_row(engineer, senior2, hours_ago=30)
    out = io.StringIO()
    call_command("retry_notifications", "--max-age", "24h", stdout=out)
    assert "Retried 1 failed email notification(s): 1 sent" in out.getvalue()
    assert [m.to for m in mail.outbox] == [[senior.email]]
    assert NotificationLog.objects.get(pk=recent).status == "sent"
    assert NotificationLog.objects.get(pk=recent).attempts == 4
    assert NotificationLog.objects.get(pk=old).status == "failed"


def test_retry_with_nothing_failed_says_so(db):
    out = io.StringIO()
    call_command("retry_notifications", stdout=out)
    assert "Retried 0 failed email notification(s): nothing to do" in out.getvalue()


def test_retry_suppresses_rows_whose_escalation_was_claimed_meanwhile(engineer, senior, senior2):
    log_id = failed_row(engineer, senior)
    services.claim(NotificationLog.objects.get(pk=log_id).handoff, senior2)
    call_command("retry_notifications", stdout=io.StringIO())
    assert mail.outbox == []
    assert NotificationLog.objects.get(pk=log_id).status == "suppressed"


def test_send_test_email_sends_one_message(db):
    out = io.StringIO()
    call_command("send_test_email", "ops@northwind.test", stdout=out)
    [message] = mail.outbox
    assert message.to == ["ops@northwind.test"]
    assert message.subject == "ResolutionFlow test email"
    assert "ops@northwind.test" in message.body
    assert "Sent a test email to ops@northwind.test" in out.getvalue()


def test_send_test_email_rejects_a_bad_address(db):
    with pytest.raises(CommandError, match="Not an email address"):
        call_command("send_test_email", "not-an-address")
    assert mail.outbox == []


def test_send_test_email_reports_an_unreachable_server(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(CommandError, match=r"Could not send to ops@northwind\.test"):
        call_command("send_test_email", "ops@northwind.test")


def test_renotify_command_reports_what_it_queued(engineer, owner, django_capture_on_commit_callbacks):
    handoff = services.escalate(make_session(engineer), engineer, engineer_notes="", priority="normal")
    type(handoff).objects.filter(pk=handoff.pk).update(created_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the sends are dispatched after commit
        call_command("renotify_unclaimed", stdout=out)
    assert out.getvalue().strip() == "Queued 1 re-notify email(s)"
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_renotify_command_rejects_a_negative_loop(db):
    with pytest.raises(CommandError, match="--loop"):
        call_command("renotify_unclaimed", "--loop", "-5")
