"""Guided flows: the team's decision trees and procedures, their frozen versions and runs in sessions."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from flowpilot.models import ProblemDomain

GRAPH_SCHEMA_VERSION = 1


def empty_graph() -> dict:
    return {"schema_version": GRAPH_SCHEMA_VERSION, "start": "", "nodes": []}


class Flow(models.Model):
    class Kind(models.TextChoices):
        TROUBLESHOOTING = "troubleshooting", "Troubleshooting"
        PROCEDURE = "procedure", "Procedure"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="flows")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TROUBLESHOOTING)
    problem_domain = models.CharField(max_length=12, choices=ProblemDomain.choices, default=ProblemDomain.OTHER)
    tags = models.JSONField(default=list, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The draft being edited; publishing freezes a copy into a FlowVersion.
    graph = models.JSONField(default=empty_graph)
    # Bumped by one conditional UPDATE per publish (see services.publish).
    latest_version = models.PositiveIntegerField(default=0)
    # Kept current by services: title, description, tags and node text.
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["account", "status", "problem_domain"], name="flow_account_status_idx")]
        # The GIN index on search_vector is created by migration 0001 on PostgreSQL only.

    def __str__(self) -> str:
        return self.title

    @property
    def published_version(self) -> int | None:
        return self.latest_version or None


class FlowVersion(models.Model):
    """A published graph, frozen: the product never changes one after it is saved."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="versions")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    graph = models.JSONField()
    title = models.CharField(max_length=200)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["flow", "-number"]
        constraints = [models.UniqueConstraint(fields=["flow", "number"], name="flowversion_number_unique")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("a published flow version is immutable")
        super().save(*args, **kwargs)

    def node(self, key: str) -> dict | None:
        return next((n for n in self.graph.get("nodes", []) if n.get("key") == key), None)


class FlowRun(models.Model):
    """A session following a flow, pinned to the version it started on."""

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        ESCALATE = "escalate", "Escalate"
        LEFT = "left", "Left"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("flowpilot.Session", on_delete=models.CASCADE, related_name="flow_runs")
    flow = models.ForeignKey(Flow, on_delete=models.PROTECT, related_name="runs")
    version = models.ForeignKey(FlowVersion, on_delete=models.PROTECT, related_name="runs")
    # The version whose graph holds `current` (differs from `version` after a link node).
    current_version = models.ForeignKey(FlowVersion, on_delete=models.PROTECT, related_name="+")
    current = models.CharField(max_length=64, blank=True)
    # Every answer in order, undone ones kept and flagged: [{node, version, answer|status, step, undone}].
    history = models.JSONField(default=list)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(ended_at__isnull=True), name="flowrun_one_open_per_session"
            )
        ]
        indexes = [
            models.Index(fields=["flow", "started_at"], name="flowrun_flow_started_idx"),
            # Flow analytics (analytics/flow_metrics.py) reads runs from this alone on PostgreSQL, in flow
            # order for the per-flow median: an index-only scan instead of ~50,000 random heap pages.
            models.Index(
                fields=["account", "flow", "started_at"],
                include=["outcome", "ended_at", "current", "session"],
                name="flowrun_account_flow_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flow} on {self.session_id}"

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def path(self) -> list[str]:
        return [entry["node"] for entry in self.history if not entry.get("undone")]


class LibraryStep(models.Model):
    """A reusable step of the account's step library (title, detail, command)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    command = models.TextField(blank=True)
    problem_domain = models.CharField(max_length=12, choices=ProblemDomain.choices, default=ProblemDomain.OTHER)
    usage_count = models.PositiveIntegerField(default=0)
    thumbs_up = models.PositiveIntegerField(default=0)
    thumbs_down = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-usage_count", "title"]

    def __str__(self) -> str:
        return self.title


class LibraryStepVote(models.Model):
    """One thumbs up or down per user and library step (a second vote replaces the first)."""

    step = models.ForeignKey(LibraryStep, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    up = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "user"], name="librarystepvote_one_per_user")]

    def __str__(self) -> str:
        return f"{'up' if self.up else 'down'} on {self.step_id}"


class FlowProposal(models.Model):
    """A flow (or an amendment to one) proposed from resolved sessions, waiting for a reviewer."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    # The flow to amend; none for a new flow.
    flow = models.ForeignKey(Flow, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals")
    # Where the amendment goes in (the node where the source session's run stopped).
    at_node = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=200)
    problem_domain = models.CharField(max_length=12, choices=ProblemDomain.choices, default=ProblemDomain.OTHER)
    # The problem's words, for grouping proposals of the same problem.
    problem_text = models.TextField(blank=True)
    graph = models.JSONField(default=empty_graph)
    rationale = models.TextField(blank=True)
    model = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The draft the accept created.
    draft = models.ForeignKey(Flow, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["account", "status", "problem_domain"], name="proposal_account_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_amendment(self) -> bool:
        return self.flow_id is not None


class ProposalSource(models.Model):
    """A resolved session a proposal learned from; a session yields at most one proposal."""

    proposal = models.ForeignKey(FlowProposal, on_delete=models.CASCADE, related_name="sources")
    session = models.ForeignKey("flowpilot.Session", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at"]
        constraints = [models.UniqueConstraint(fields=["session"], name="proposalsource_one_per_session")]

    def __str__(self) -> str:
        return f"{self.session_id} -> {self.proposal_id}"
