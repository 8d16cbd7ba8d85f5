"""One row per side effect of a committed write, written in the same transaction as the write."""

import uuid

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """`kind` names a handler registered in `outbox.registry`; `args` are its keyword arguments."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=100)
    args = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Not before this moment (a delayed side effect, or a retry's backoff).
    run_after = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Last hand-over to the broker; None = never reached it (the sweep sends it).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "run_after"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.args} ({self.status})"
