"""Email notifications with a per-recipient NotificationLog; called after commit by the escalation services."""

import logging

from escalations import delivery
from escalations.models import Handoff, NotificationLog
from escalations.notification_tasks import send_notification

logger = logging.getLogger(__name__)


def escalation_created(handoff_id) -> None:
    """Queue one email per active engineer-or-admin teammate (never the escalator or viewers)."""
    try:
        handoff = Handoff.objects.get(pk=handoff_id)
        # Runs after commit already: the rows exist before any task can look for them.
        ids = delivery.create_deliveries(handoff, delivery.recipients(handoff), NotificationLog.Purpose.ESCALATED)
        for log_id in ids:
            send_notification.delay(str(log_id))
    except Exception:
        # The handoff is committed; a notification problem must never reach the caller.
        logger.exception("Could not queue notifications for handoff %s", handoff_id)
