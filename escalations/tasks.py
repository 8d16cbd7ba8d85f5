"""Celery tasks and outbox handlers of escalations. Each task has an explicit name "escalations.<name>".

The side effects of an escalation (AI assessment, email fan-out, one email per
recipient) are outbox messages (outbox/): recorded with the handoff, run by a
worker, swept again if a broker outage lost them. The Celery tasks in
`assessment_tasks.py` and `notification_tasks.py` stay registered for messages
already in a broker queue and for the operator commands.
"""

from escalations import delivery
from escalations.assessment import assess_handoff
from escalations.assessment_tasks import *  # noqa: F403
from escalations.notification_tasks import *  # noqa: F403
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
    for log_id in delivery.escalation_deliveries(handoff_id):
        outbox.enqueue(SEND_EMAIL, log_id=str(log_id))


@register(SEND_EMAIL)
def send_email(log_id: str) -> None:
    """Send one queued row; a transient SMTP error comes back with backoff (bounded by delivery.MAX_ATTEMPTS)."""
    # In-process runs (no worker) cannot wait: the row ends failed and `retry_notifications` sends it later.
    outcome = delivery.deliver(log_id, may_retry=not outbox.is_eager())
    if outcome == delivery.RETRY:
        raise RetryLater(RETRY_BASE_SECONDS * 2, "SMTP failed; retrying")
