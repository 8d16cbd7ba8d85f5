"""The manual stopwatch baseline the in-product number is compared with."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class BaselineEntry(models.Model):
    """T0: senior opens the ticket; T1: first diagnostic action after the verbal warm-up."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="baseline_entries")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    ticket_ref = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField(help_text="T0: senior opens the ticket")
    first_action_at = models.DateTimeField(help_text="T1: first diagnostic action")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name_plural = "baseline entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_action_at__gt=models.F("opened_at")), name="baseline_t1_after_t0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_ref or 'Baseline'} at {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def seconds(self) -> float:
        return (self.first_action_at - self.opened_at).total_seconds()
