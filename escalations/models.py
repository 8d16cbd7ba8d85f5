"""Handoffs (park / escalate), per-user unread state and the delivery log."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from flowpilot.models import ProblemDomain, StepCounts
from resolutionflow.mail import DeliveryStatus

SNAPSHOT_SCHEMA_VERSION = 1
# The context screen stops polling a pending assessment after this long.
ASSESSMENT_POLL_GIVE_UP_S = 300


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


# "Open": still waiting for someone — not claimed, withdrawn, or closed by a resolve. The one definition,
# used by the queue, the claim and withdraw updates, the broadcasts, re-notification and the queue's index.
OPEN = Q(claimed_at__isnull=True, withdrawn_at__isnull=True, closed_at__isnull=True)


class HandoffQuerySet(models.QuerySet):
    def open(self) -> "HandoffQuerySet":
        return self.filter(OPEN)

    def open_escalations(self) -> "HandoffQuerySet":
        return self.open().filter(intent=Handoff.Intent.ESCALATE)


class Handoff(models.Model):
    class Intent(models.TextChoices):
        PARK = "park", "Park"
        ESCALATE = "escalate", "Escalate"

    class AssessmentStatus(models.TextChoices):
        PENDING = "pending", "Generating"
        READY = "ready", "Ready"
        UNAVAILABLE = "unavailable", "Unavailable"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey("flowpilot.Session", on_delete=models.CASCADE, related_name="handoffs")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="handoffs")
    handed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set on a handoff re-queued by a release: who raised the escalation in the first place
    # (the card keeps naming them; handed_off_by is the releaser, who can't claim it back).
    first_handed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    intent = models.CharField(max_length=8, choices=Intent.choices)
    engineer_notes = models.TextField(blank=True)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    snapshot = models.JSONField(default=dict)
    ai_assessment = models.JSONField(null=True, blank=True)
    assessment_status = models.CharField(
        max_length=11, choices=AssessmentStatus.choices, default=AssessmentStatus.PENDING
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # DESIGN: a released handoff keeps its claim (history and the TTFA metric keep
    # it) and gets released_at; releasing opens a fresh handoff with a new snapshot
    # for the queue. Parked handoffs are never assessed: they are created with
    # assessment_status "unavailable" and the UI says "not assessed", not "failed".
    released_at = models.DateTimeField(null=True, blank=True)
    # Closed without a claim: the session was resolved while the handoff was open
    # (escalations.closing). closed_by/closed_reason record who and why.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_reason = models.CharField(max_length=200, blank=True)
    # The claimer's first work Activity after the claim (SPEC section 6), stored when
    # it is recorded (flowpilot.activity.record) so the TTFA metric needs no subquery.
    first_action_at = models.DateTimeField(null=True, blank=True)
    # A copy of the session's domain (set once, when the session opens; filled by save()), so the
    # dashboard's per-domain figures need no join to every session of the account (analytics/period_figures.py).
    problem_domain = models.CharField(max_length=12, choices=ProblemDomain.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = HandoffQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["account", "intent", "-created_at"],
                name="handoff_open_queue_idx",
                condition=OPEN,
            ),
            models.Index(fields=["account", "claimed_at"], name="handoff_account_claimed_idx"),
            # The dashboard's AI calls count a period's assessments (analytics/ai_usage.py): without it,
            # a year of the account's handoffs is read for a week's question.
            models.Index(
                fields=["account", "created_at"],
                name="handoff_assessed_idx",
                condition=Q(assessment_status="ready"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_intent_display()}: {self.session}"

    def save(self, *args, **kwargs):
        if not self.problem_domain:  # every way of creating one (bulk loads set it themselves)
            self.problem_domain = self.session.problem_domain
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.claimed_at is None and self.withdrawn_at is None and self.closed_at is None

    @property
    def escalator(self):
        """Who raised this handoff; a re-queued one keeps its original escalator."""
        return self.first_handed_off_by or self.handed_off_by

    @property
    def counts(self) -> StepCounts:
        """The step counts frozen at handoff time (one definition: flowpilot.models.StepCounts)."""
        return StepCounts.from_snapshot((self.snapshot or {}).get("counts"))

    @property
    def assessment_overdue(self) -> bool:
        """Pending for so long that the page should stop polling (worker down or backlog)."""
        return (
            self.assessment_status == self.AssessmentStatus.PENDING
            and (timezone.now() - self.created_at).total_seconds() > ASSESSMENT_POLL_GIVE_UP_S
        )


class HandoffView(models.Model):
    """Unread state: a handoff is unread for a user until opened, claimed or dismissed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handoff_views")
    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="views")
    opened_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "handoff"], name="handoffview_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.handoff_id}"


class NotificationLog(models.Model):
    """One delivery per (handoff, channel, recipient, purpose); push rows have no recipient."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PUSH = "push", "Live push"

    Status = DeliveryStatus

    class Purpose(models.TextChoices):
        ESCALATED = "escalated", "New escalation"
        RENOTIFY = "renotify", "Still unclaimed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="notifications")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    purpose = models.CharField(max_length=9, choices=Purpose.choices, default=Purpose.ESCALATED)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["handoff", "channel", "recipient", "purpose"], name="notification_unique_delivery"
            )
        ]
        indexes = [models.Index(fields=["status", "channel", "created_at"], name="notification_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_status_display().lower()}: {self.handoff_id}"
