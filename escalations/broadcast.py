"""Live queue updates over the channel layer (implemented by the live-delivery work).

Each function is called from `transaction.on_commit` by the escalation
services, with the handoff's id, and must never raise into its caller.
"""


def escalation_created(handoff_id) -> None:
    """A new escalation: insert its card at the top of every open queue of the account."""


def handoff_claimed(handoff_id) -> None:
    """Claimed: show "Claimed by NAME" briefly on the card, then remove it everywhere."""


def handoff_withdrawn(handoff_id) -> None:
    """Withdrawn by the escalator: remove the card everywhere."""


def assessment_ready(handoff_id) -> None:
    """The AI assessment finished (ready or unavailable): update open context screens."""
