"""Outbox handler for the run email ("maintenance.email_assignee"); thin over `notify` (delivered at most once)."""

from maintenance import notify
from outbox.registry import register

EMAIL_ASSIGNEE = "maintenance.email_assignee"


@register(EMAIL_ASSIGNEE)
def email_assignee(run_id: str) -> None:
    notify.email_assignee(run_id)
