"""Celery task that delivers a queued PsaPush ("psa.push_note"); thin over `delivery`."""

import logging

from celery import shared_task

from flowpilot.psa import delivery

log = logging.getLogger(__name__)
BACKOFF_S = (10, 30, 90, 270)


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
