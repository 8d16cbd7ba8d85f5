"""Entry points the session and escalation services call after commit.

They must never raise into their caller: a PSA problem never undoes or blocks
a resolve or an escalation.
"""

import logging

from flowpilot.psa import services
from flowpilot.psa.models import PsaPush
from flowpilot.psa.tasks import ESCALATED, RESOLVED
from outbox.registry import register
from resolutionflow.domain import DomainError

log = logging.getLogger(__name__)


def session_resolved(session_id) -> None:
    """Push ticket notes when the account turned "push on resolve" on."""
    try:
        services.push_notes_on_resolve(session_id)
    except DomainError as exc:
        log.info("No PSA push for resolved session %s: %s", session_id, exc.message)
    except Exception:
        log.exception("PSA push on resolve failed for session %s", session_id)


def escalated(handoff_id) -> None:
    """Push the escalation package when the account turned "push on escalate" on."""
    try:
        services.push_package_on_escalate(handoff_id)
    except DomainError as exc:
        log.info("No PSA push for handoff %s: %s", handoff_id, exc.message)
    except Exception:
        log.exception("PSA push on escalate failed for handoff %s", handoff_id)


@register(ESCALATED)
def escalated_once(handoff_id: str) -> None:
    """Outbox handler: at most one package push per escalation, however often the message runs."""
    if not PsaPush.objects.filter(handoff_id=handoff_id, kind=PsaPush.Kind.ESCALATION).exists():
        escalated(handoff_id)


@register(RESOLVED)
def session_resolved_once(session_id: str, resolved_at: str) -> None:
    """Outbox handler: at most one automatic notes push per resolve."""
    pushed = PsaPush.objects.filter(
        session_id=session_id, kind=PsaPush.Kind.NOTES, requested_by__isnull=True, created_at__gte=resolved_at
    )
    if not pushed.exists():
        session_resolved(session_id)
