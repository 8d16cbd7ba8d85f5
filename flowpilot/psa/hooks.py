"""Entry points the session and escalation services call after commit.

They must never raise into their caller: a PSA problem never undoes or blocks
a resolve or an escalation.
"""

import logging

from flowpilot.psa import services
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
