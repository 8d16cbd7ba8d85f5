"""Celery tasks and outbox handlers of escalations. Each task has an explicit name "escalations.<name>".

The side effects of an escalation (AI assessment, email fan-out, one email per
recipient) are outbox messages (outbox/): recorded with the handoff, run by a
worker, swept again if a broker outage lost them. The beat jobs (re-notify,
retry) record their sends the same way, in the transaction that creates or
re-queues the email rows, so a broker outage never strands a queued row.
"""

from datetime import timedelta

from celery import shared_task
from django.db import transaction

from escalations import delivery
from escalations.assessment import assess_handoff
from escalations.assessment_tasks import *  # noqa: F403
from outbox import services as outbox
from outbox.registry import RetryLater, register

ASSESS = "escalations.assess"
EMAIL_FAN_OUT = "escalations.email_fan_out"
SEND_EMAIL = "escalations.send_email"
RETRY_BASE_SECONDS = 60


@register(ASSESS)
def assess(handoff_id: str) -> None:
    """The AI assessment; a ready one is never overwritten, so a second run is harmless."""
    assess_handoff(handoff_id)


@register(EMAIL_FAN_OUT)
def email_fan_out(handoff_id: str) -> None:
    """One email row per recipient, then one outbox message per still-queued row; idempotent.

    No transaction around both: a run that stops halfway is run again, and finds the
    rows still queued; a duplicate send message is harmless (`deliver` claims each row once).
    """
    send_emails(delivery.escalation_deliveries(handoff_id))


@register(SEND_EMAIL)
def send_email(log_id: str) -> None:
    """Send one queued row; a transient SMTP error comes back with backoff (bounded by delivery.MAX_ATTEMPTS)."""
    # In-process runs (no worker) cannot wait: the row ends failed and `retry_notifications` sends it later.
    outcome = delivery.deliver(log_id, may_retry=not outbox.is_eager())
    if outcome == delivery.RETRY:
        raise RetryLater(RETRY_BASE_SECONDS * 2, "SMTP failed; retrying")


def send_emails(log_ids) -> int:
    """Record one send per email row, in the caller's transaction: dispatched after it commits."""
    for log_id in log_ids:
        outbox.enqueue(SEND_EMAIL, log_id=str(log_id))
    return len(log_ids)


@shared_task(name="escalations.renotify_unclaimed")
def renotify_unclaimed() -> int:
    """Owners and admins hear once more about escalations still unclaimed after the delay."""
    with transaction.atomic():
        return send_emails(delivery.renotify_deliveries())


@shared_task(name="escalations.retry_notifications")
def retry_notifications(max_age_seconds: int = 86400) -> int:
    """Queue failed email rows younger than `max_age_seconds` again."""
    with transaction.atomic():
        return send_emails(delivery.requeue_failed(timedelta(seconds=max_age_seconds)))


# Task names older releases published straight to the broker: a message still queued under
# one at upgrade becomes an outbox message, so it is recorded and swept like the others.
@shared_task(name="escalations.send_notification")
def send_notification(log_id: str) -> None:
    with transaction.atomic():
        send_emails([log_id])


@shared_task(name="escalations.fan_out_escalation_emails")
def fan_out_escalation_emails(handoff_id: str) -> None:
    with transaction.atomic():
        outbox.enqueue(EMAIL_FAN_OUT, handoff_id=str(handoff_id))
