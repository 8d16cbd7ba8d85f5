"""The entry point the session service calls after a resolve commits (escalations has its own: psa_package).

They must never raise into their caller: a PSA problem never undoes or blocks
a resolve.
"""

import logging

from flowpilot.psa import services
from flowpilot.psa.models import PsaPush
from flowpilot.psa.tasks import RESOLVED
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


@register(RESOLVED)
def session_resolved_once(session_id: str, resolved_at: str) -> None:
    """Outbox handler: at most one automatic notes push per resolve."""
    pushed = PsaPush.objects.filter(
        session_id=session_id, kind=PsaPush.Kind.NOTES, requested_by__isnull=True, created_at__gte=resolved_at
    )
    if not pushed.exists():
        session_resolved(session_id)
