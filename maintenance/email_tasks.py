"""Celery task for the run email ("maintenance.email_assignee"); thin over `notify`."""

from celery import shared_task

from maintenance import notify


@shared_task(name="maintenance.email_assignee", acks_late=True)
def email_assignee(run_id: str) -> str:
    return notify.email_assignee(run_id)
