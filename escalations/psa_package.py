"""The escalation package: a handoff's snapshot and AI assessment as a ConnectWise internal note.

escalations owns it and asks flowpilot.psa to deliver it: `escalated` runs after an
escalation commits; psa renders the body through `render_for_push`, registered in
`EscalationsConfig.ready()`, at the first delivery attempt.
"""

import logging

from django.conf import settings

from escalations.models import Handoff
from flowpilot.psa import services as psa_services
from flowpilot.psa.models import PsaPush
from flowpilot.redact import redact
from outbox.registry import register
from resolutionflow.domain import DomainError

log = logging.getLogger(__name__)

# The outbox kind of "push the escalation package" (enqueued by services.escalate with the handoff).
ESCALATED = "psa.escalated"
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


def render_for_push(push: PsaPush) -> str | None:
    """psa's renderer for escalation pushes; None when the handoff was removed meanwhile."""
    handoff = (
        Handoff.objects.select_related("session", "handed_off_by")
        .filter(pk=push.subject_id, account_id=push.account_id)
        .first()
    )
    return render_escalation_package(handoff) if handoff else None


def push_package_on_escalate(handoff_id) -> PsaPush | None:
    """Queue the package when the account turned "push on escalate" on and the session has a ticket.

    The body is rendered at the first delivery attempt, which a worker delays until
    the AI assessment has had its time budget, so the note carries the assessment.
    """
    handoff = Handoff.objects.select_related("session").filter(pk=handoff_id, intent=Handoff.Intent.ESCALATE).first()
    if not handoff or not psa_services.auto_push_enabled(
        handoff.account_id, "push_package_on_escalate", handoff.session.ticket_ref
    ):
        return None
    countdown = settings.AI_ASSESSMENT_TIMEOUT_S + 5
    return psa_services.request_package_push(handoff.session, PsaPush.Kind.ESCALATION, handoff.pk, countdown=countdown)


def escalated(handoff_id) -> None:
    """After an escalation commits; never raises: a PSA problem never undoes or blocks an escalation."""
    try:
        push_package_on_escalate(handoff_id)
    except DomainError as exc:
        log.info("No PSA push for handoff %s: %s", handoff_id, exc.message)
    except Exception:
        log.exception("PSA push on escalate failed for handoff %s", handoff_id)


@register(ESCALATED)
def escalated_once(handoff_id: str) -> None:
    """Outbox handler: at most one package push per escalation, however often the message runs."""
    if not PsaPush.objects.filter(subject_id=handoff_id, kind=PsaPush.Kind.ESCALATION).exists():
        escalated(handoff_id)
