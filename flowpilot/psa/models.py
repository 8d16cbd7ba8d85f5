"""ConnectWise PSA connection per account and the log of every push."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from flowpilot.models import Session


class PsaConnection(models.Model):
    """An account's ConnectWise Manage connection; keys are Fernet-encrypted at rest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, related_name="psa_connection")
    site = models.CharField(max_length=255, help_text="Host name, or a full base URL for a test server.")
    company_id = models.CharField(max_length=64)
    public_key_encrypted = models.TextField()
    private_key_encrypted = models.TextField()
    client_id = models.CharField(max_length=64)
    push_notes_on_resolve = models.BooleanField(default=False)
    push_package_on_escalate = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"ConnectWise {self.site}"


class PsaPush(models.Model):
    """One attempt series to put a note on a ConnectWise ticket, with its outcome."""

    class Kind(models.TextChoices):
        NOTES = "notes", "Ticket notes"
        ESCALATION = "escalation", "Escalation package"
        RUN_TARGET = "run_target", "Maintenance run notes"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    # None for notes that are not about a session (a maintenance run's target: see subject_id).
    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, blank=True, related_name="psa_pushes")
    # What a package push is about (an escalation package: the Handoff's id). A plain id, not a
    # foreign key: psa sits below escalations and must not know its models (docs/architecture.md).
    subject_id = models.UUIDField(null=True, blank=True, db_index=True, db_column="handoff_id")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NOTES)
    ticket_ref = models.CharField(max_length=64)
    # The redacted note text, rendered once when queued so every retry sends the same words.
    body = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # The ConnectWise member the note is posted as; blank = the integration's own API member.
    member = models.CharField(max_length=100, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    external_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to ticket {self.ticket_ref}: {self.status}"


class PsaMember(models.Model):
    """Which ConnectWise member a user is, so notes they push are attributed to them."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="psa_member")
    identifier = models.CharField(max_length=100, help_text="The member identifier in ConnectWise, e.g. jsmith.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["identifier"]
        constraints = [models.UniqueConstraint(fields=["account", "identifier"], name="psamember_identifier_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} = {self.identifier}"
