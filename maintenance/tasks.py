"""Celery tasks of maintenance, each named "maintenance.<name>"; beat runs `fire_schedules`."""

import logging

from celery import shared_task

from maintenance import services
from maintenance.email_tasks import email_assignee

__all__ = ["email_assignee", "fire_schedules"]

logger = logging.getLogger(__name__)


@shared_task(name="maintenance.fire_schedules")
def fire_schedules() -> int:
    """Create the runs of every due schedule (idempotent: one run per schedule and due time)."""
    created = services.fire_due_schedules()
    if created:
        logger.info("Created %d scheduled run(s)", len(created))
    return len(created)
