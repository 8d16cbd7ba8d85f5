"""Entry points the session and escalation services call after commit (PSA work fills them)."""


def session_resolved(session_id) -> None:
    """Push ticket notes when the account turned "push on resolve" on."""


def escalated(handoff_id) -> None:
    """Push the escalation package when the account turned "push on escalate" on."""
