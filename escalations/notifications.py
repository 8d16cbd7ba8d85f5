"""Email notifications with a per-recipient NotificationLog; called after commit by the escalation services."""

import logging

from escalations.notification_tasks import fan_out_escalation_emails

logger = logging.getLogger(__name__)


def escalation_created(handoff_id) -> None:
    """Queue the email fan-out for a new escalation: one broker publish, no queries in the request."""
    try:
        fan_out_escalation_emails.delay(str(handoff_id))
    except Exception:
        # The handoff is committed; a broker problem must never reach the caller.
        logger.exception("Could not queue the email fan-out for handoff %s", handoff_id)
