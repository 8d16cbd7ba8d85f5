"""Maintenance runs: one published procedure across many targets, and the schedules that create them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from resolutionflow.mail import DeliveryStatus

MAX_TARGETS = 500


class Schedule(models.Model):
    """Creates a run of `flow` over `targets` at every due time of `recurrence`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    flow = models.ForeignKey("flows.Flow", on_delete=models.PROTECT, related_name="+")
    # [{"name", "client_name", "ticket_ref"}], copied into each run's targets.
    targets = models.JSONField(default=list)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # "weekly", "monthly" or a five-field cron expression (maintenance/recurrence.py).
    recurrence = models.CharField(max_length=100)
    # Moved forward by one conditional UPDATE per firing (services.fire_schedule).
    next_due_at = models.DateTimeField()
    # A monthly schedule's day of the month (its first due time's), kept through short months.
    day_of_month = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["next_due_at"]
        indexes = [models.Index(fields=["active", "next_due_at"], name="schedule_due_idx")]

    def __str__(self) -> str:
        return f"{self.flow_id} {self.recurrence}"


class Run(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    flow = models.ForeignKey("flows.Flow", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey("flows.FlowVersion", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    schedule = models.ForeignKey(Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set when no item is pending any more; cleared when one is reopened (services.set_item).
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A schedule fires once per due time, even when beat (or two beats) fire twice.
            models.UniqueConstraint(
                fields=["schedule", "due_at"], condition=Q(schedule__isnull=False), name="run_one_per_schedule_due"
            )
        ]
        indexes = [models.Index(fields=["account", "finished_at", "due_at"], name="run_account_open_idx")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, now=None) -> bool:
        return self.finished_at is None and self.due_at is not None and self.due_at < (now or timezone.now())


class RunTarget(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    client_name = models.CharField(max_length=200, blank=True)
    ticket_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="runtarget_name_unique")]

    def __str__(self) -> str:
        return self.name


class RunItem(models.Model):
    """One action node of the procedure on one target."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="items")
    target = models.ForeignKey(RunTarget, on_delete=models.CASCADE, related_name="items")
    node_key = models.CharField(max_length=64)
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    result_note = models.TextField(blank=True)
    output = models.TextField(blank=True)
    output_truncated = models.BooleanField(default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    # Every status change stamps this, so a page can ask "anything new since I rendered?" (run_grid ?since=).
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target__position", "position"]
        constraints = [models.UniqueConstraint(fields=["target", "node_key"], name="runitem_one_per_node")]
        indexes = [models.Index(fields=["run", "status"], name="runitem_run_status_idx")]

    def __str__(self) -> str:
        return f"{self.node_key} on {self.target_id}: {self.status}"


class RunEmail(models.Model):
    """One email to a run's assignee, with its outcome (delivered like escalation emails)."""

    Status = DeliveryStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="emails")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["run", "recipient"], name="runemail_one_per_recipient")]

    def __str__(self) -> str:
        return f"run email {self.run_id} to {self.recipient_id}: {self.status}"
