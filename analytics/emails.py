"""The monthly time-saved email to owners and admins: one logged delivery per (recipient, month), opt-out per user.

`queue_monthly_reports` creates the rows (idempotent: a unique constraint per recipient and month) and
`deliver` sends one, claiming the row first so a task that runs twice (acks_late) sends at most once."""

import logging
import smtplib
from datetime import date

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from accounts.access import has_role
from accounts.models import ADMIN_OR_OWNER, User
from analytics.models import EmailPreference, TimeSavedEmail
from analytics.time_saved import month_before, time_saved_report
from resolutionflow.mail import build_templated_mail

log = logging.getLogger(__name__)

TEMPLATE = "analytics/email/time_saved"
Status = TimeSavedEmail.Status
SKIPPED = "skipped"


def wants_monthly_report(user: User) -> bool:
    """On unless the user turned it off."""
    return not EmailPreference.objects.filter(user=user, monthly_time_saved=False).exists()


def set_monthly_report(user: User, on: bool) -> EmailPreference:
    preference, _ = EmailPreference.objects.update_or_create(user=user, defaults={"monthly_time_saved": on})
    return preference


def recent_deliveries(account_id, limit: int = 10):
    return TimeSavedEmail.objects.filter(account_id=account_id).select_related("recipient")[:limit]


def previous_month(now=None) -> date:
    return month_before(timezone.localtime(now or timezone.now()).date().replace(day=1))


def queue_monthly_reports(month: date | None = None, now=None) -> list:
    """One queued row per active owner and admin of every account for `month` (default: last month); their ids."""
    month = month or previous_month(now)
    recipients = User.objects.filter(is_active=True, account__isnull=False, account_role__in=ADMIN_OR_OWNER)
    TimeSavedEmail.objects.bulk_create(
        [TimeSavedEmail(account_id=user.account_id, recipient=user, month=month) for user in recipients],
        ignore_conflicts=True,
    )
    return list(TimeSavedEmail.objects.filter(month=month, status=Status.QUEUED).values_list("pk", flat=True))


def suppression_reason(row: TimeSavedEmail) -> str:
    user = row.recipient
    if not user.is_active or user.account_id != row.account_id or not has_role(user, ADMIN_OR_OWNER):
        return "Recipient is no longer an active owner or admin of the account"
    if not wants_monthly_report(user):
        return "Recipient turned the monthly time-saved email off"
    return ""


def email_context(row: TimeSavedEmail) -> dict:
    report = time_saved_report(row.account_id, row.month)
    return {
        "report": report,
        "account": row.account,
        "recipient": row.recipient,
        "month": row.month,
        "link": f"{settings.SITE_URL}/analytics/time-saved/?period={report['period']}",
    }


def _update_queued(row: TimeSavedEmail, **fields) -> bool:
    return TimeSavedEmail.objects.filter(pk=row.pk, status=Status.QUEUED).update(**fields) == 1


def deliver(row_id) -> str:
    """Send one queued report; its new status, or SKIPPED when it is not queued any more."""
    row = TimeSavedEmail.objects.select_related("recipient", "account").filter(pk=row_id).first()
    if row is None or row.status != Status.QUEUED:
        return SKIPPED
    if reason := suppression_reason(row):
        _update_queued(row, status=Status.SUPPRESSED, last_error=reason)
        return Status.SUPPRESSED
    message = build_templated_mail(TEMPLATE, email_context(row), [row.recipient.email])
    # Claim before sending: only one run moves the row out of queued (at most once).
    if not _update_queued(row, status=Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1):
        return SKIPPED
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        TimeSavedEmail.objects.filter(pk=row.pk).update(status=Status.FAILED, sent_at=None, last_error=str(exc)[:500])
        log.warning("Time-saved report %s to %s failed: %s", row.pk, row.recipient.email, exc)
        return Status.FAILED
    return Status.SENT
