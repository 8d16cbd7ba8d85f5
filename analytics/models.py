"""The manual stopwatch baselines the in-product numbers are compared with, and the monthly report's email."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from resolutionflow.mail import DeliveryStatus


class BaselineEntry(models.Model):
    """One stopwatch measurement of work done without the product, by kind.

    Escalation hand-over: T0 senior opens the ticket, T1 first diagnostic action after the verbal warm-up.
    Ticket-note writing: T0 starts writing the ticket notes by hand, T1 done."""

    class Kind(models.TextChoices):
        ESCALATION = "escalation", "Escalation hand-over"
        TICKET_NOTES = "ticket_notes", "Ticket-note writing"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="baseline_entries")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ESCALATION)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    ticket_ref = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField(help_text="T0: senior opens the ticket")
    first_action_at = models.DateTimeField(help_text="T1: first diagnostic action")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name_plural = "baseline entries"
        indexes = [models.Index(fields=["account", "kind"], name="baseline_account_kind_idx")]
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


class EmailPreference(models.Model):
    """A user's choice about the analytics emails (kept here so the accounts app's tables stay untouched)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="analytics_email"
    )
    monthly_time_saved = models.BooleanField(default=True, help_text="Monthly time-saved report (owners, admins)")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: monthly report {'on' if self.monthly_time_saved else 'off'}"


class TimeSavedEmail(models.Model):
    """One delivery of the monthly time-saved report per (recipient, month), with its outcome."""

    Status = DeliveryStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the reported month")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "created_at"]
        constraints = [models.UniqueConstraint(fields=["recipient", "month"], name="time_saved_email_once_a_month")]

    def __str__(self) -> str:
        return f"Time-saved report {self.month:%Y-%m} to {self.recipient_id}: {self.status}"
