"""The assignee's email about a due run: one RunEmail row per (run, recipient), delivered at most once.

Row lifecycle as for escalation emails: queued -> sent | failed | suppressed, with attempts and last_error.
"""

import logging
import smtplib

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from maintenance.models import Run, RunEmail
from resolutionflow.mail import build_templated_mail

logger = logging.getLogger(__name__)

EMAIL_TEMPLATE = "maintenance/email/run_due"
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
SKIPPED = "skipped"
Status = RunEmail.Status


def email_assignee(run_id) -> str:
    """Create (once) and send the assignee's row; returns its status, or skipped."""
    run = Run.objects.select_related("assignee", "account", "flow").filter(pk=run_id).first()
    if run is None or run.assignee is None:
        return SKIPPED
    user = run.assignee
    row, _ = RunEmail.objects.get_or_create(run=run, recipient=user, defaults={"account_id": run.account_id})
    reason = _suppression_reason(run, user)
    if reason:
        _update_queued(row, status=Status.SUPPRESSED, last_error=reason)
        return Status.SUPPRESSED
    # Claim the row: with acks_late the task may run twice, and only one run moves it out of queued.
    if not _update_queued(row, status=Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1):
        return SKIPPED
    try:
        context = {"run": run, "recipient": user, "link": f"{settings.SITE_URL}/runs/{run.pk}/"}
        build_templated_mail(EMAIL_TEMPLATE, context, [user.email]).send()
    except Exception as exc:
        if not isinstance(exc, TRANSIENT_ERRORS):
            logger.exception("Run email %s failed", row.pk)
        RunEmail.objects.filter(pk=row.pk).update(
            status=Status.FAILED, sent_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return Status.FAILED
    return Status.SENT


def _suppression_reason(run: Run, user) -> str:
    if not user.is_active or user.account_id != run.account_id:
        return "Assignee is no longer an active member of the account"
    if not user.email_notifications:
        return "Assignee turned email notifications off"
    if run.finished_at is not None:
        return "The run was finished before the email was sent"
    return ""


def _update_queued(row: RunEmail, **fields) -> bool:
    return bool(RunEmail.objects.filter(pk=row.pk, status=Status.QUEUED).update(**fields))
