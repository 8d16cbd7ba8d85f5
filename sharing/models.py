"""Share links: a session shown read-only, redacted, to a member (`account`) or to anyone (`public`)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ShareLink(models.Model):
    """The raw token is shown once; only its SHA-256 is stored, so the table cannot be replayed as links."""

    class Visibility(models.TextChoices):
        ACCOUNT = "account", "Members of the account"
        PUBLIC = "public", "Anyone with the link"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("flowpilot.Session", on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="share_links"
    )
    visibility = models.CharField(max_length=7, choices=Visibility.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "-created_at"], name="sharelink_account_idx")]

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} link to {self.session_id}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"
