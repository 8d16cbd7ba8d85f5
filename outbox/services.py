"""The outbox: record a side effect with the write, dispatch it after commit, sweep what never ran.

`enqueue()` is called inside the write's transaction: the row commits (or rolls
back) with the write. After commit the message goes to the broker; if the
broker is down then, or loses the message on a restart, `sweep()` (beat every
15 s in production, the worker's embedded beat under `make run`) sends it again.
`run()` executes the handler once and marks the row done; handlers are
idempotent, so a duplicate dispatch costs a little work and nothing else.
"""

import contextvars
import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import OutboxMessage
from outbox.registry import RetryLater, handler_for

logger = logging.getLogger(__name__)

# A message created this recently is still in its own on_commit dispatch: the sweep leaves it alone.
SWEEP_GRACE = timedelta(seconds=5)
SWEEP_BATCH = 500
DELIVER_TASK = "outbox.deliver"
_eager = contextvars.ContextVar("outbox_eager", default=False)


def enqueue(kind: str, *, countdown: float = 0, **args) -> OutboxMessage:
    """Record a side effect in the current transaction; it is dispatched after commit."""
    if handler_for(kind) is None:
        raise LookupError(f"No outbox handler registered for {kind!r}")
    message = OutboxMessage.objects.create(
        kind=kind, args=args, run_after=timezone.now() + timedelta(seconds=countdown)
    )
    message_id = message.pk
    transaction.on_commit(lambda: dispatch(message_id, countdown=countdown), robust=True)
    return message


def dispatch(message_id, countdown: float = 0) -> bool:
    """Hand the message to the broker; False (and a sweep later) when the broker is unreachable."""
    try:
        # By name: outbox.tasks imports this module (registered by OutboxConfig.ready()).
        current_app.tasks[DELIVER_TASK].apply_async((str(message_id),), countdown=countdown or None)
    except Exception:
        logger.warning("Outbox message %s not dispatched (broker unavailable); the sweep retries", message_id)
        return False
    OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).update(
        dispatched_at=timezone.now() + timedelta(seconds=countdown)
    )
    return True


def is_eager() -> bool:
    """True while a handler runs in-process (no worker): it cannot wait between attempts."""
    return _eager.get()


def run(message_id, *, eager: bool = False) -> str:
    """Run one message's handler; returns done, failed, retry or skipped."""
    claimed = OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).update(
        attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    handler = handler_for(message.kind)
    token = _eager.set(eager)
    try:
        if handler is None:
            raise LookupError(f"No outbox handler registered for {message.kind!r}")
        handler(**message.args)
    except RetryLater as later:
        return _retry_later(message, later.countdown, later.reason or str(later), eager)
    except Exception as exc:
        logger.exception("Outbox message %s (%s) failed", message.pk, message.kind)
        return _retry_later(message, 30 * 2 ** min(message.attempts, 6), f"{type(exc).__name__}: {exc}", eager)
    finally:
        _eager.reset(token)
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.DONE, done_at=timezone.now(), last_error=""
    )
    return "done"


def _retry_later(message: OutboxMessage, countdown: float, reason: str, eager: bool) -> str:
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING).update(
            status=OutboxMessage.Status.FAILED, last_error=reason[:2000], done_at=timezone.now()
        )
        logger.warning("Outbox message %s (%s) gave up after %s attempts", message.pk, message.kind, message.attempts)
        return "failed"
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING).update(
        last_error=reason[:2000], run_after=timezone.now() + timedelta(seconds=countdown), dispatched_at=None
    )
    if not eager:
        # In-process runs cannot wait; the sweep picks the row up once `run_after` has passed.
        dispatch(message.pk, countdown=countdown)
    return "retry"


def sweep(now=None) -> int:
    """Dispatch pending messages that never reached a worker or whose dispatch went unanswered; how many."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_S)
    due = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, run_after__lte=now)
        .filter(Q(dispatched_at__isnull=True, created_at__lte=now - SWEEP_GRACE) | Q(dispatched_at__lte=stale))
        .order_by("run_after")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    sent = 0
    for message_id in list(due):
        if not dispatch(message_id):
            break  # the broker is down: the next sweep tries again
        sent += 1
    if sent:
        logger.info("Outbox sweep re-dispatched %d message(s)", sent)
    return sent
