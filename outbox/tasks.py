"""Celery tasks of the outbox: run one message, and the periodic sweep."""

from celery import shared_task

from outbox import services


@shared_task(name=services.DELIVER_TASK, bind=True, acks_late=True, ignore_result=True)
def deliver(self, message_id: str) -> str:
    """Run one outbox message's handler and mark it done; idempotent."""
    return services.run(message_id, eager=bool(self.request.is_eager))


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep() -> int:
    """Re-dispatch what never reached a worker (beat every 15 s)."""
    return services.sweep()
