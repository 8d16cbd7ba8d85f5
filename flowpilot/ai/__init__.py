"""The copilot: one Provider interface (base.py), an offline and an Anthropic implementation."""

from django.conf import settings

from flowpilot.ai.anthropic_provider import AnthropicProvider
from flowpilot.ai.base import AIError, Assessment, CopilotReply, CopilotRequest, ProposedStep, Provider, TriedStep
from flowpilot.ai.offline import OfflineProvider

__all__ = [
    "AIError",
    "Assessment",
    "CopilotReply",
    "CopilotRequest",
    "ProposedStep",
    "Provider",
    "TriedStep",
    "get_provider",
]


def get_provider() -> Provider:
    """The provider chosen by settings.AI_PROVIDER ("offline" or "anthropic")."""
    if settings.AI_PROVIDER == "anthropic":
        return AnthropicProvider()
    return OfflineProvider()
