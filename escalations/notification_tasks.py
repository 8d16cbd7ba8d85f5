"""Email / re-notify tasks: thin wrappers that load a row, call `delivery`, and retry with backoff."""

import logging
from datetime import timedelta

from celery import shared_task

from escalations import delivery

logger = logging.getLogger(__name__)

__all__ = ["fan_out_escalation_emails", "renotify_unclaimed", "retry_notifications", "send_notification"]

RETRY_BASE_SECONDS = 60


@shared_task(name="escalations.send_notification", bind=True, acks_late=True, max_retries=delivery.MAX_ATTEMPTS)
def send_notification(self, log_id: str) -> str:
    """Send one queued email row; transient SMTP errors retry with backoff, bounded by MAX_ATTEMPTS."""
    # Eager runs (the embedded default) cannot wait between attempts: the row ends
    # failed with its error, and `retry_notifications` sends it again later.
    outcome = delivery.deliver(log_id, may_retry=not self.request.is_eager)
    if outcome == delivery.RETRY:
        raise self.retry(countdown=RETRY_BASE_SECONDS * 2**self.request.retries)
    return outcome


@shared_task(name="escalations.fan_out_escalation_emails", bind=True, acks_late=True, max_retries=3)
def fan_out_escalation_emails(self, handoff_id: str) -> int:
    """Create the email rows of a new escalation in one INSERT and queue one send per row; idempotent."""
    try:
        ids = delivery.escalation_deliveries(handoff_id)
        for log_id in ids:
            send_notification.delay(str(log_id))
    except Exception as exc:
        logger.exception("Email fan-out for handoff %s failed", handoff_id)
        if self.request.is_eager:
            # In-process runs have nobody to retry later; the handoff stays committed regardless.
            return 0
        raise self.retry(exc=exc, countdown=RETRY_BASE_SECONDS * 2**self.request.retries) from exc
    return len(ids)


@shared_task(name="escalations.renotify_unclaimed")
def renotify_unclaimed() -> int:
    """Owners and admins hear once more about escalations still unclaimed after the delay."""
    ids = delivery.renotify_deliveries()
    for log_id in ids:
        send_notification.delay(str(log_id))
    if ids:
        logger.info("Queued %d re-notify emails", len(ids))
    return len(ids)


@shared_task(name="escalations.retry_notifications")
def retry_notifications(max_age_seconds: int = 86400) -> int:
    """Queue failed email rows younger than `max_age_seconds` again."""
    ids = delivery.requeue_failed(timedelta(seconds=max_age_seconds))
    for log_id in ids:
        send_notification.delay(str(log_id))
    return len(ids)
