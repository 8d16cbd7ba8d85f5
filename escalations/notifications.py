"""Email notifications with a per-recipient NotificationLog (implemented by the live-delivery work)."""


def escalation_created(handoff_id) -> None:
    """Queue one email per active engineer-or-admin teammate (never the escalator or viewers)."""
