"""The escalation package: a handoff's snapshot and AI assessment as a Markdown ticket note."""

from escalations.models import Handoff
from flowpilot.redact import redact

STATUS_MARK = {"done": "✔", "failed": "✘", "skipped": "-", "proposed": "·"}


def render_escalation_package(handoff: Handoff) -> str:
    """What was tried and what the AI thinks, frozen at escalation time; secrets redacted."""
    snap = handoff.snapshot or {}
    lines = [
        f"## Escalated by {handoff.handed_off_by.display_name} — priority {handoff.get_priority_display()}",
        "",
        f"**Problem:** {snap.get('summary') or handoff.session.problem_summary}",
    ]
    if snap.get("client"):
        lines.append(f"**Client:** {snap['client']}")
    if snap.get("domain"):
        lines.append(f"**Domain:** {snap['domain']}")
    if handoff.engineer_notes:
        lines += ["", "### Why escalated", handoff.engineer_notes]
    lines += ["", "### What's been tried"]
    steps = snap.get("steps") or []
    for step in steps:
        mark = STATUS_MARK.get(step.get("status"), "·")
        dead_end = " (dead end)" if step.get("is_dead_end") else ""
        lines.append(f"- {mark} {step.get('title', '')} — {step.get('status', '')}{dead_end}")
        if step.get("result_note"):
            lines.append(f"  - Result: {step['result_note']}")
    if not steps:
        lines.append("- No steps recorded.")
    lines += ["", "### AI assessment", *_assessment_lines(handoff)]
    return redact("\n".join(lines))


def _assessment_lines(handoff: Handoff) -> list[str]:
    assessment = handoff.ai_assessment or {}
    if handoff.assessment_status != Handoff.AssessmentStatus.READY or not assessment:
        if handoff.assessment_status == Handoff.AssessmentStatus.UNAVAILABLE:
            return ["Assessment unavailable."]
        return ["Assessment still generating when this note was pushed; see ResolutionFlow."]
    lines = [
        f"**Likely cause:** {assessment.get('likely_cause', '')}",
        f"**Confidence:** {assessment.get('confidence', '')}",
    ]
    suggested = assessment.get("suggested_steps") or []
    if suggested:
        lines += ["**Suggested next steps:**", *[f"{n}. {s}" for n, s in enumerate(suggested, 1)]]
    return lines
