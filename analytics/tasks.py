"""Monthly time-saved email tasks: thin wrappers around `analytics.emails` (beat runs the first one)."""

import logging

from celery import shared_task

from analytics import emails

logger = logging.getLogger(__name__)


@shared_task(name="analytics.send_time_saved_email", acks_late=True)
def send_time_saved_email(row_id: str) -> str:
    return emails.deliver(row_id)


@shared_task(name="analytics.send_monthly_time_saved")
def send_monthly_time_saved() -> int:
    """Queue last month's report for every owner and admin; re-running the same month sends nothing twice."""
    ids = emails.queue_monthly_reports()
    for row_id in ids:
        send_time_saved_email.delay(str(row_id))
    logger.info("Queued %d monthly time-saved emails", len(ids))
    return len(ids)
