"""Outbox handlers of the flows app (thin: load, call the service)."""

from flows import proposals
from outbox.registry import register

PROPOSE = "flows.propose_from_session"


@register(PROPOSE)
def propose_from_session(session_id: str) -> None:
    """Turn one resolved session into (or group it with) a flow proposal; safe to run twice."""
    proposals.propose_from_session(session_id)
