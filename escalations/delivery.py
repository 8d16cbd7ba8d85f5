"""Email delivery of escalation notifications, one NotificationLog row per recipient.

Row lifecycle: queued → sent | failed | suppressed. A failed row can be queued
again by `retry_notifications`. Nothing here touches the handoff itself.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from accounts.access import has_role
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN, User
from escalations.models import Handoff, NotificationLog
from flowpilot.redact import redact
from resolutionflow.mail import build_templated_mail

logger = logging.getLogger(__name__)

# ConnectionRefusedError and socket.timeout (TimeoutError) are OSErrors.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
MAX_ATTEMPTS = 3
EMAIL_TEMPLATE = "escalations/email/escalation"

# Outcomes of one delivery attempt, beyond the row statuses.
RETRY = "retry"
SKIPPED = "skipped"

Status = NotificationLog.Status


def recipients(handoff: Handoff, roles: Iterable[str] = ENGINEER_OR_ADMIN) -> QuerySet:
    """Active members of the handoff's account with one of `roles`, never the escalator."""
    return (
        User.objects.filter(account_id=handoff.account_id, is_active=True, account_role__in=list(roles))
        .exclude(pk=handoff.handed_off_by_id)
        .order_by("email")
    )


def escalation_deliveries(handoff_id) -> list:
    """Email rows for a new escalation's recipients (see `recipients`); ids of the rows to send."""
    handoff = Handoff.objects.filter(pk=handoff_id).first()
    if handoff is None:
        logger.warning("Email fan-out skipped: handoff %s does not exist", handoff_id)
        return []
    return create_deliveries(handoff, recipients(handoff), NotificationLog.Purpose.ESCALATED)


def create_deliveries(handoff: Handoff, users: Iterable[User], purpose: str) -> list:
    """One email row per user (suppressed at once for users with email off); ids of the rows still to send."""
    users = list(users)
    rows = [
        NotificationLog(
            handoff=handoff,
            account_id=handoff.account_id,
            channel=NotificationLog.Channel.EMAIL,
            recipient=user,
            purpose=purpose,
            status=Status.QUEUED if user.email_notifications else Status.SUPPRESSED,
            last_error="" if user.email_notifications else "Recipient turned email notifications off",
        )
        for user in users
    ]
    # One INSERT; the unique constraint on (handoff, channel, recipient, purpose) turns a repeat into a no-op.
    NotificationLog.objects.bulk_create(rows, ignore_conflicts=True)
    # Every still-queued row, not only the ones inserted now: a run that crashed after the
    # INSERT and is redelivered still sends them, and `deliver` claims each row only once.
    return list(
        NotificationLog.objects.filter(
            handoff=handoff,
            channel=NotificationLog.Channel.EMAIL,
            purpose=purpose,
            recipient__in=users,
            status=Status.QUEUED,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


def deliver(log_id, *, may_retry: bool) -> str:
    """Send one queued email row; returns its new status, RETRY or SKIPPED (not queued any more)."""
    log = (
        NotificationLog.objects.select_related("handoff__session", "handoff__handed_off_by", "recipient", "account")
        .filter(pk=log_id, channel=NotificationLog.Channel.EMAIL)
        .first()
    )
    if log is None or log.status != Status.QUEUED:
        return SKIPPED
    reason = suppression_reason(log)
    if reason:
        _update_queued(log, status=Status.SUPPRESSED, last_error=reason)
        return Status.SUPPRESSED
    try:
        message = build_templated_mail(EMAIL_TEMPLATE, email_context(log), [log.recipient.email])
    except Exception as exc:
        logger.exception("Could not render notification %s", log.pk)
        _update_queued(log, status=Status.FAILED, last_error=_describe(exc))
        return Status.FAILED
    # Claim the row before sending: with acks_late a task may run twice, and only one
    # run can move the row out of queued. A crash mid-send leaves it "sent" (at most once).
    if not _update_queued(log, status=Status.SENT, sent_at=timezone.now(), last_error="", attempts=F("attempts") + 1):
        return SKIPPED
    try:
        message.send()
    except TRANSIENT_ERRORS as exc:
        retry = may_retry and log.attempts + 1 < MAX_ATTEMPTS
        status = Status.QUEUED if retry else Status.FAILED
        _update(log, status=status, sent_at=None, last_error=_describe(exc))
        logger.warning("Notification %s to %s failed (%s): %s", log.pk, log.recipient.email, status, exc)
        return RETRY if retry else Status.FAILED
    except Exception as exc:
        logger.exception("Notification %s failed permanently", log.pk)
        _update(log, status=Status.FAILED, sent_at=None, last_error=_describe(exc))
        return Status.FAILED
    return Status.SENT


def suppression_reason(log: NotificationLog) -> str:
    """Why this email should not go out any more, or "" to send it."""
    handoff, user = log.handoff, log.recipient
    if handoff.claimed_at is not None:
        return "Escalation was claimed before the email was sent"
    if handoff.withdrawn_at is not None:
        return "Escalation was withdrawn before the email was sent"
    if handoff.closed_at is not None:
        return "The session was resolved before the email was sent"
    if user is None or not user.is_active or user.account_id != handoff.account_id:
        return "Recipient is no longer an active member of the account"
    if not has_role(user, ENGINEER_OR_ADMIN):
        return "Recipient no longer has an engineer or admin role"
    if not user.email_notifications:
        return "Recipient turned email notifications off"
    return ""


def email_context(log: NotificationLog) -> dict:
    handoff = log.handoff
    return {
        "handoff": handoff,
        "session": handoff.session,
        # Email leaves the product: session text goes through the same redaction as ticket notes.
        "summary": redact(handoff.session.problem_summary),
        "notes": redact(handoff.engineer_notes),
        "counts": handoff.counts,
        "escalator": handoff.escalator,
        "recipient": log.recipient,
        "account": log.account,
        "is_renotify": log.purpose == NotificationLog.Purpose.RENOTIFY,
        "renotify_minutes": settings.ESCALATION_RENOTIFY_MINUTES,
        "link": f"{settings.SITE_URL}/escalations/{handoff.pk}/",
    }


def renotify_deliveries(now=None) -> list:
    """Rows for owners and admins of escalations unclaimed past the re-notify delay; ids to send."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.ESCALATION_RENOTIFY_MINUTES)
    already = NotificationLog.objects.filter(handoff=OuterRef("pk"), purpose=NotificationLog.Purpose.RENOTIFY)
    due = Handoff.objects.open_escalations().filter(created_at__lte=cutoff).filter(~Exists(already))
    to_send = []
    for handoff in due:
        to_send += create_deliveries(handoff, recipients(handoff, ADMIN_OR_OWNER), NotificationLog.Purpose.RENOTIFY)
    return to_send


def requeue_failed(max_age: timedelta, now=None) -> list:
    """Move failed email rows younger than `max_age` back to queued; their ids."""
    since = (now or timezone.now()) - max_age
    ids = list(
        NotificationLog.objects.filter(
            channel=NotificationLog.Channel.EMAIL, status=Status.FAILED, created_at__gte=since
        ).values_list("pk", flat=True)
    )
    return [pk for pk in ids if requeue(pk)]


def requeue(log_id) -> bool:
    """Failed email row → queued; False when it is not failed (any more)."""
    # Conditional: a concurrent retry run may have taken the row already.
    return bool(
        NotificationLog.objects.filter(pk=log_id, channel=NotificationLog.Channel.EMAIL, status=Status.FAILED).update(
            status=Status.QUEUED, updated_at=timezone.now()
        )
    )


def _update_queued(log: NotificationLog, **fields) -> bool:
    return bool(
        NotificationLog.objects.filter(pk=log.pk, status=Status.QUEUED).update(updated_at=timezone.now(), **fields)
    )


def _update(log: NotificationLog, **fields) -> None:
    NotificationLog.objects.filter(pk=log.pk).update(updated_at=timezone.now(), **fields)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
