"""Troubleshooting sessions, their structured steps and the append-only activity log."""

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

OUTPUT_CAP_BYTES = 64 * 1024


class ProblemDomain(models.TextChoices):
    NETWORKING = "networking", "Networking"
    IDENTITY = "identity", "Identity"
    EMAIL = "email", "Email"
    ENDPOINT = "endpoint", "Endpoint"
    SERVER = "server", "Server"
    CLOUD = "cloud", "Cloud"
    SECURITY = "security", "Security"
    PRINTING = "printing", "Printing"
    OTHER = "other", "Other"


class Session(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PARKED = "parked", "Parked"
        ESCALATED = "escalated", "Escalated"
        RESOLVED = "resolved", "Resolved"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="sessions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_sessions")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_sessions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    problem_summary = models.TextField()
    problem_domain = models.CharField(max_length=12, choices=ProblemDomain.choices, default=ProblemDomain.OTHER)
    client_name = models.CharField(max_length=200, blank=True)
    ticket_ref = models.CharField(max_length=64, blank=True)
    resolution_summary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # PostgreSQL only (null elsewhere): kept current by flowpilot.search.refresh_search_vector.
    # Stored uncompressed out of line (migration 0006): ranking reads it twice as fast.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account", "status", "-created_at"], name="session_account_status_idx"),
            models.Index(fields=["account", "-updated_at"], name="session_account_updated_idx"),
            # Search walks an account's newest sessions for the matches it ranks (flowpilot.search).
            models.Index(fields=["account", "-created_at"], name="session_account_created_idx"),
            # Created on PostgreSQL only (see migration 0003); SQLite searches with icontains.
            GinIndex(fields=["search_vector"], name="session_search_gin"),
        ]

    def __str__(self) -> str:
        return self.problem_summary[:80]


class Step(models.Model):
    class Source(models.TextChoices):
        AI = "ai", "AI"
        TECH = "tech", "Tech"
        FLOW = "flow", "Flow"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="steps")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    command = models.TextField(blank=True)
    expected_result = models.TextField(blank=True)
    source = models.CharField(max_length=4, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    result_note = models.TextField(blank=True)
    output = models.TextField(blank=True, help_text=f"Command output, capped at {OUTPUT_CAP_BYTES} bytes.")
    output_truncated = models.BooleanField(default=False)
    is_dead_end = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "order"]
        constraints = [models.UniqueConstraint(fields=["session", "order"], name="step_order_unique_per_session")]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """Append-only record of a session. The product never edits or deletes one."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Session opened"
        MESSAGE = "message", "Message to copilot"
        AI_REPLY = "ai_reply", "Copilot reply"
        AI_ERROR = "ai_error", "Copilot unavailable"
        STEP_PROPOSED = "step_proposed", "Step proposed"
        STEP_ADDED = "step_added", "Step added"
        STEP_RESULT = "step_result", "Step result"
        NOTE = "note", "Note"
        OUTPUT = "output", "Command output"
        PSA_PUSH = "psa_push", "Pushed to PSA"
        PARKED = "parked", "Parked"
        ESCALATED = "escalated", "Escalated"
        CLAIMED = "claimed", "Claimed"
        RELEASED = "released", "Released"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RESOLVED = "resolved", "Resolved"
        CONTEXT_VIEWED = "context_viewed", "Handoff context viewed"
        NOTES_EXPORTED = "notes_exported", "Ticket notes exported"
        # A guided flow's lifecycle in the session (flows/runner.py); its answers are Steps.
        FLOW_STARTED = "flow_started", "Guided flow started"
        FLOW_BACK = "flow_back", "Went back in the flow"
        FLOW_LEFT = "flow_left", "Left the guided flow"
        FLOW_OUTCOME = "flow_outcome", "Guided flow outcome"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="activities")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "activities"
        indexes = [
            # The TTFA query: first work activity by the claimer after claimed_at.
            models.Index(fields=["session", "actor", "created_at"], name="activity_session_actor_idx"),
            # Time saved's ticket-note source (analytics/time_saved.py): an account's note exports in a date range,
            # and whether a session had an earlier one. Partial: only the notes_exported rows are indexed.
            models.Index(
                fields=["account", "created_at"],
                condition=models.Q(kind="notes_exported"),
                name="activity_account_export_idx",
            ),
            models.Index(
                fields=["session", "created_at"],
                condition=models.Q(kind="notes_exported"),
                name="activity_session_export_idx",
            ),
            # The dashboard's AI calls per model (analytics/ai_usage.py): an account's AI answers since a date,
            # without walking every activity of the period.
            models.Index(
                fields=["account", "created_at"],
                condition=models.Q(kind__in=["ai_reply", "ai_error"]),
                name="activity_account_ai_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"


# "Tried" means the step has a result (SPEC section 3): proposed steps never count,
# skipped ones are shown apart. The card, the context screen, the snapshot, emails and
# ticket notes all count through StepCounts, so they can't disagree.
TRIED_STATUSES = frozenset({Step.Status.DONE, Step.Status.FAILED})


@dataclass(frozen=True)
class StepCounts:
    """How far a session got: `tried` = done or failed; `skipped` apart; proposed steps never count."""

    steps: int = 0
    tried: int = 0
    skipped: int = 0
    dead_ends: int = 0

    @classmethod
    def of(cls, steps: Iterable) -> "StepCounts":
        """Count Step objects (or anything with `status` and `is_dead_end`)."""
        steps = list(steps)
        return cls(
            steps=len(steps),
            tried=sum(1 for s in steps if s.status in TRIED_STATUSES),
            skipped=sum(1 for s in steps if s.status == Step.Status.SKIPPED),
            dead_ends=sum(1 for s in steps if s.is_dead_end),
        )

    @classmethod
    def from_snapshot(cls, counts: dict | None) -> "StepCounts":
        """Counts frozen in a handoff snapshot; older snapshots lack `tried`/`skipped` but have done/failed."""
        counts = counts or {}
        tried = counts.get("tried", counts.get("done", 0) + counts.get("failed", 0))
        return cls(
            steps=counts.get("steps", 0),
            tried=tried,
            skipped=counts.get("skipped", 0),
            dead_ends=counts.get("dead_ends", 0),
        )

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def phrase(self) -> str:
        """'3 steps tried, 1 skipped' — the one wording every surface uses."""
        text = f"{self.tried} step{'' if self.tried == 1 else 's'} tried"
        if self.skipped:
            text += f", {self.skipped} skipped"
        return text


# What counts as *work* for time to first action (SPEC section 6). Lifecycle
# kinds (claimed, released, escalated, parked, resolved, context viewed) don't.
WORK_ACTIVITY_KINDS = frozenset(
    {
        Activity.Kind.MESSAGE,
        Activity.Kind.STEP_ADDED,
        Activity.Kind.STEP_RESULT,
        Activity.Kind.NOTE,
        Activity.Kind.OUTPUT,
        Activity.Kind.PSA_PUSH,
    }
)
