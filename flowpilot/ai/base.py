"""The provider interface shared by the copilot and the escalation assessment.

Implementations live beside this file (`offline.py`, `anthropic_provider.py`);
`flowpilot.ai.get_provider()` picks one from settings (AI_PROVIDER, or the
presence of ANTHROPIC_API_KEY).
"""

from dataclasses import dataclass, field
from typing import Protocol


class AIError(Exception):
    """The provider could not answer (timeout, rate limit, refused connection, malformed reply).

    `message` is safe to show to a tech inline.
    """

    def __init__(self, message: str, *, kind: str = "error"):
        super().__init__(message)
        self.message = message
        self.kind = kind  # timeout | rate_limited | connection | malformed | error


@dataclass
class ProposedStep:
    title: str
    detail: str = ""
    command: str = ""
    expected_result: str = ""


@dataclass
class TriedStep:
    """A step already worked, fed back to the AI so follow-ups build on it."""

    title: str
    status: str  # proposed | done | failed | skipped
    result_note: str = ""
    output_excerpt: str = ""
    is_dead_end: bool = False


@dataclass
class CopilotRequest:
    problem_summary: str
    problem_domain: str
    question: str
    client_name: str = ""
    tried: list[TriedStep] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)  # [{"role": "user"|"assistant", "text": ...}]
    # The asker picked this session up from the queue: they are the senior, so never "escalate".
    picked_up: bool = False
    # The team's knowledge: similar resolved sessions and matching published flows ({kind, title, text}).
    references: list[dict] = field(default_factory=list)


@dataclass
class CopilotReply:
    reply: str
    steps: list[ProposedStep]
    model: str
    tier: str = ""  # fast | deep | offline (flowpilot/ai/routing.py)
    confidence: float | None = None  # the model's own 0..1, when it gave one
    escalated_from: str = ""  # the fast model whose low-confidence answer was retried on `model`


@dataclass
class Assessment:
    likely_cause: str
    suggested_steps: list[str]
    confidence: float  # 0..1, mapped to low/medium/high by the escalation service
    model: str
    tier: str = ""


class Provider(Protocol):
    label: str  # shown in the UI, e.g. "Rule-based (offline)"
    is_rule_based: bool

    def ask(self, request: CopilotRequest, *, task: str = "copilot") -> CopilotReply:
        """Answer on the task's tier (routing.TASK_TIERS); the reply names the model and tier used."""
        ...

    def assess(self, snapshot: dict, *, timeout: float) -> Assessment:
        """Assess a handoff snapshot (see escalations) within `timeout` seconds."""
        ...
