"""Celery tasks of the flows app (thin: load, call the service)."""

from celery import shared_task

from flows import proposals


@shared_task(name="flows.propose_from_session", acks_late=True, ignore_result=True)
def propose_from_session(session_id: str) -> str:
    """Turn one resolved session into (or group it with) a flow proposal; safe to run twice."""
    proposal = proposals.propose_from_session(session_id)
    return str(proposal.pk) if proposal else ""
