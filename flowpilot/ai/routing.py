"""Model routing: which model answers which task.

Quick, frequent calls (copilot follow-ups, step suggestions, the quick assistant)
go to the fast tier; calls whose answer a senior acts on (escalation assessment,
flow building, flow proposals) go to the deep tier. A fast answer that says its
own confidence is low is asked once more on the deep tier (anthropic_provider.py).

Settings: AI_MODEL_FAST, AI_MODEL_DEEP; AI_MODEL, when set, stands for both.
Resolved at call time, so tests and operators can change one setting.
"""

from django.conf import settings

FAST = "fast"
DEEP = "deep"
# The rule-based provider has one tier; its activities say so.
OFFLINE = "offline"

DEFAULT_FAST_MODEL = "claude-haiku-5-5"
DEFAULT_DEEP_MODEL = "claude-sonnet-5-5"

# Task -> tier. A new AI task names itself here rather than picking a model id.
COPILOT = "copilot"
ASSISTANT = "assistant"
ASSESSMENT = "assessment"
FLOW_BUILD = "flow_build"
PROPOSAL = "proposal"
TASK_TIERS = {COPILOT: FAST, ASSISTANT: FAST, ASSESSMENT: DEEP, FLOW_BUILD: DEEP, PROPOSAL: DEEP}

# A fast answer below this self-reported confidence (0..1) is retried once on the deep tier:
# the same boundary as the assessment's "low" label (escalations/assessment.py).
LOW_CONFIDENCE = 0.4


def model_for_tier(tier: str) -> str:
    if tier == DEEP:
        return settings.AI_MODEL_DEEP or settings.AI_MODEL or DEFAULT_DEEP_MODEL
    return settings.AI_MODEL_FAST or settings.AI_MODEL or DEFAULT_FAST_MODEL


def tier_for(task: str) -> str:
    """The tier of a task; an unknown task is a programming error, not a silent default."""
    return TASK_TIERS[task]


def model_for(task: str) -> str:
    return model_for_tier(tier_for(task))


def should_escalate(tier: str, confidence: float | None) -> bool:
    """A low-confidence fast answer goes to the deep model once (never when both tiers are one model)."""
    return (
        tier == FAST
        and confidence is not None
        and confidence < LOW_CONFIDENCE
        and model_for_tier(DEEP) != model_for_tier(FAST)
    )
