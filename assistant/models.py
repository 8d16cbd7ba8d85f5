"""The quick assistant's record: a conversation of questions and answers, kept per account."""

import uuid

from django.conf import settings
from django.db import models


class AssistantConversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    # Set once, by "Turn into a session" (assistant.services.turn_into_session).
    session = models.OneToOneField(
        "flowpilot.Session", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["account", "user", "-updated_at"])]

    def __str__(self) -> str:
        return self.title


class AssistantMessage(models.Model):
    class Role(models.TextChoices):
        USER = "user", "Tech"
        ASSISTANT = "assistant", "Assistant"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(AssistantConversation, on_delete=models.CASCADE, related_name="messages")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=9, choices=Role.choices)
    text = models.TextField()
    # Assistant answers: the model and tier that answered, the steps it suggested
    # ([{title, detail, command, expected_result}]) and what it was based on ([{kind, id, title, url, summary}]).
    model = models.CharField(max_length=100, blank=True)
    tier = models.CharField(max_length=10, blank=True)
    rule_based = models.BooleanField(default=False)
    steps = models.JSONField(default=list, blank=True)
    citations = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.text[:60]}"
