"""Celery task for the AI assessment of an escalation (queued after commit)."""

from celery import shared_task

from escalations.assessment import assess_handoff


@shared_task(name="escalations.generate_assessment", acks_late=True, ignore_result=True)
def generate_assessment(handoff_id: str) -> str:
    """Assess one handoff; safe to run twice (a ready assessment is never overwritten)."""
    return assess_handoff(handoff_id)
