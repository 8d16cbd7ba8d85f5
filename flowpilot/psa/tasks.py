"""Delivery of a queued PsaPush: outbox handler "psa.push_note" (and the older Celery task); thin over `delivery`."""

import logging

from celery import shared_task

from flowpilot.psa import delivery
from outbox import services as outbox
from outbox.registry import RetryLater, register

log = logging.getLogger(__name__)
BACKOFF_S = (10, 30, 90, 270)

# Outbox kinds of the PSA side effects (the resolve handler lives in hooks.py; the escalation
# package's kind and handler belong to escalations: escalations/psa_package.py).
PUSH = "psa.push_note"
RESOLVED = "psa.session_resolved"


@register(PUSH)
def deliver_push(push_id: str) -> None:
    """One attempt; timeouts and 5xx come back with backoff, bounded by PSA_PUSH_MAX_ATTEMPTS."""
    # In-process (no worker) a timeout is not retried: the tech would wait attempts x timeout.
    try:
        outcome = delivery.attempt_push(push_id, retry_timeouts=not outbox.is_eager())
        # In-process there is no later: 5xx retries run at once, as Celery's eager retries did
        # (bounded by PSA_PUSH_MAX_ATTEMPTS, after which attempt_push answers failed).
        while outcome == delivery.RETRY and outbox.is_eager():
            outcome = delivery.attempt_push(push_id, retry_timeouts=False)
    except Exception:
        # A bug or a database error must not leave the push "queued" (and the panel polling) forever.
        log.exception("PSA push %s crashed", push_id)
        delivery.mark_abandoned(push_id, "Unexpected error while pushing; see the server log.")
        return
    if outcome == delivery.RETRY:
        attempts = delivery.attempts_of(push_id)
        raise RetryLater(BACKOFF_S[min(max(attempts - 1, 0), len(BACKOFF_S) - 1)], "ConnectWise unavailable")


@shared_task(bind=True, name="psa.push_note", acks_late=True, max_retries=8)
def push_note(self, push_id: str) -> str:
    """Post one queued note; timeouts and 5xx come back here with backoff, bounded by PSA_PUSH_MAX_ATTEMPTS."""
    # Eagerly (the embedded default) a retry runs at once inside the request, so a
    # timeout is not retried there: the tech would wait attempts x timeout.
    try:
        outcome = delivery.attempt_push(push_id, retry_timeouts=not self.request.is_eager)
    except Exception:
        # A bug or a database error must not leave the push "queued" (and the panel polling) forever.
        log.exception("PSA push %s crashed", push_id)
        delivery.mark_abandoned(push_id, "Unexpected error while pushing; see the server log.")
        return delivery.FAILED
    if outcome == delivery.RETRY:
        countdown = BACKOFF_S[min(self.request.retries, len(BACKOFF_S) - 1)]
        try:
            raise self.retry(countdown=countdown)
        except self.MaxRetriesExceededError:
            delivery.mark_abandoned(push_id, "Gave up after too many retries.")
            return delivery.FAILED
    return outcome
