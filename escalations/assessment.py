"""The AI assessment of an escalation: ask the provider, store it once, announce it.

Runs from the Celery task, never in the request path. Idempotent: a re-run
never overwrites a ready assessment.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from escalations import broadcast
from escalations.models import Handoff
from flowpilot import ai, similar
from flowpilot.ai import evidence
from flowpilot.ai.base import AIError, Assessment

logger = logging.getLogger(__name__)

MAX_SUGGESTED_STEPS = 5
STEP_MAX_CHARS = 200
CAUSE_MAX_CHARS = 1000


def confidence_label(value: float) -> str:
    """Provider confidence 0..1 → low (< 0.4), medium (< 0.7) or high."""
    if value < 0.4:
        return "low"
    if value < 0.7:
        return "medium"
    return "high"


def stored_assessment(result: Assessment, snapshot: dict | None = None) -> dict:
    """Validate and trim the provider's answer; a malformed one raises AIError.

    Whatever the provider, a suggestion that repeats a step done or failed is dropped.
    """
    cause = str(result.likely_cause or "").strip()
    steps = [str(s).strip()[:STEP_MAX_CHARS] for s in (result.suggested_steps or []) if str(s).strip()]
    steps = evidence.not_repeated(steps, evidence.tried_titles((snapshot or {}).get("steps") or []))
    try:
        confidence = min(1.0, max(0.0, float(result.confidence)))
    except (TypeError, ValueError):
        raise AIError("The assessment had no usable confidence.", kind="malformed") from None
    if not cause or not steps:
        raise AIError("The assessment was empty.", kind="malformed")
    return {
        "likely_cause": cause[:CAUSE_MAX_CHARS],
        "suggested_steps": steps[:MAX_SUGGESTED_STEPS],
        "confidence": confidence_label(confidence),
        "confidence_score": round(confidence, 2),
        "model": str(result.model or ""),
        "generated_at": timezone.now().isoformat(),
    }


def assess_handoff(handoff_id) -> str:
    """Generate and store the assessment; returns the resulting assessment_status."""
    handoff = Handoff.objects.filter(pk=handoff_id).first()
    if handoff is None:
        return "missing"
    if handoff.assessment_status == Handoff.AssessmentStatus.READY or handoff.intent != Handoff.Intent.ESCALATE:
        return handoff.assessment_status
    try:
        provider = ai.get_provider()
        snapshot = handoff.snapshot or {}
        refs = similar.references(
            handoff.account_id,
            snapshot.get("summary", ""),
            domain=snapshot.get("domain", ""),
            exclude=[handoff.session_id],
        )
        data = stored_assessment(
            provider.assess({**snapshot, "references": refs}, timeout=settings.AI_ASSESSMENT_TIMEOUT_S), snapshot
        )
        data["based_on"] = similar.based_on(refs)
        fields = {"ai_assessment": data, "assessment_status": Handoff.AssessmentStatus.READY}
    except AIError as exc:
        logger.warning("Assessment of handoff %s unavailable (%s): %s", handoff_id, exc.kind, exc.message)
        fields = {"assessment_status": Handoff.AssessmentStatus.UNAVAILABLE}
    except Exception:
        # Any other failure (bug, provider misconfiguration) still ends in an explicit state.
        logger.exception("Assessment of handoff %s failed", handoff_id)
        fields = {"assessment_status": Handoff.AssessmentStatus.UNAVAILABLE}
    with transaction.atomic():
        # Conditional: a concurrent or earlier run that already stored a ready one wins.
        updated = (
            Handoff.objects.filter(pk=handoff.pk).exclude(assessment_status=Handoff.AssessmentStatus.READY)
        ).update(**fields)
        if updated:
            transaction.on_commit(lambda: broadcast.assessment_ready(handoff.pk), robust=True)
    return Handoff.objects.values_list("assessment_status", flat=True).get(pk=handoff.pk)
