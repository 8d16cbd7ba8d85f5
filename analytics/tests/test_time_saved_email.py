"""The monthly time-saved email: owners and admins, once per month, logged, opt-out, same figures as the page."""

import socket
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from analytics import emails, tasks
from analytics.models import BaselineEntry, EmailPreference, TimeSavedEmail
from analytics.time_saved import time_saved_report
from escalations.tests.factories import claimed_escalation

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def october_saving(engineer, senior):
    opened = timezone.make_aware(datetime(2026, 9, 1, 9))
    BaselineEntry.objects.create(
        account=senior.account, recorded_by=senior, opened_at=opened, first_action_at=opened + timedelta(minutes=7)
    )
    claimed_escalation(engineer, senior, claimed_at=timezone.make_aware(datetime(2026, 10, 14, 10)), action_after_s=60)


def test_previous_month_wraps_the_year():
    assert emails.previous_month(timezone.make_aware(datetime(2026, 1, 1, 7))) == date(2025, 12, 1)
    assert emails.previous_month(timezone.make_aware(datetime(2026, 11, 1, 7))) == OCTOBER


def test_owners_and_admins_get_one_email_each_with_the_pages_figures(
    owner, admin_user, engineer, viewer, outsider, october_saving
):
    ids = emails.queue_monthly_reports(OCTOBER)
    for row_id in ids:
        assert emails.deliver(row_id) == "sent"

    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([owner.email, admin_user.email, outsider.email])
    northwind = next(m for m in mail.outbox if m.to == [owner.email])
    report = time_saved_report(owner.account_id, OCTOBER)
    assert report["hours_saved"] == 0.1  # 420 - 60 s
    assert northwind.subject == "Northwind MSP: 0.10 hours saved in October 2026"
    assert "Escalation hand-over: 0.10 hours" in northwind.body
    assert "Ticket-note writing: measure this" in northwind.body
    assert f"{settings.SITE_URL}/analytics/time-saved/?period=2026-10" in northwind.body
    html = northwind.alternatives[0][0]
    assert "0.10 hours saved this month" in html
    contoso = next(m for m in mail.outbox if m.to == [outsider.email])
    assert "0.10" not in contoso.subject  # another account's figures never travel
    assert set(TimeSavedEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_the_same_month_is_never_sent_twice(owner, october_saving):
    for _ in range(2):
        for row_id in emails.queue_monthly_reports(OCTOBER):
            emails.deliver(row_id)
    emails.deliver(TimeSavedEmail.objects.get().pk)

    assert len(mail.outbox) == 1
    assert TimeSavedEmail.objects.count() == 1


def test_opted_out_owner_is_logged_as_suppressed(owner, admin_user, october_saving):
    emails.set_monthly_report(owner, False)

    for row_id in emails.queue_monthly_reports(OCTOBER):
        emails.deliver(row_id)

    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    row = TimeSavedEmail.objects.get(recipient=owner)
    assert row.status == "suppressed"
    assert "turned the monthly time-saved email off" in row.last_error
    assert EmailPreference.objects.get(user=owner).monthly_time_saved is False


def test_smtp_refusal_is_logged_as_failed(owner, settings, october_saving):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    [row_id] = emails.queue_monthly_reports(OCTOBER)

    assert emails.deliver(row_id) == "failed"
    row = TimeSavedEmail.objects.get()
    assert (row.status, row.attempts, row.sent_at) == ("failed", 1, None)
    assert row.last_error


def test_the_beat_task_reports_last_month(owner, october_saving, monkeypatch):
    monkeypatch.setattr(emails, "previous_month", lambda now=None: OCTOBER)

    assert tasks.send_monthly_time_saved.apply().get() == 1
    assert len(mail.outbox) == 1
    assert TimeSavedEmail.objects.get().month == OCTOBER


def test_beat_schedule_has_the_monthly_entry():
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-time-saved-email"]
    assert entry["task"] == "analytics.send_monthly_time_saved"
    assert entry["schedule"].day_of_month == {1}


def test_owner_page_lists_the_deliveries(owner, october_saving, client_for):
    for row_id in emails.queue_monthly_reports(OCTOBER):
        emails.deliver(row_id)

    body = client_for(owner).get("/analytics/time-saved/").content.decode()

    assert 'data-testid="ts-deliveries"' in body
    assert "October 2026" in body and "Sent" in body
