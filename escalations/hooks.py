"""Named extension points of the escalation queue that upper apps fill at start-up.

escalations sits below analytics and must never import it. The queue page asks
these hooks for the panels an upper app contributes; receivers register from
their `AppConfig.ready()` (see `analytics/apps.py`).
"""

from flowpilot.hooks import Hook

queue_stat_card = Hook(
    "queue_stat_card",
    "Called with the user on each queue page render; a receiver returns a context dict with a `template` "
    "(the partial the queue includes) or None to show nothing. The first non-None answer is shown.",
)


def stat_card_for(user) -> dict | None:
    """The first contributed stat-card context for `user`, or None."""
    return next((card for card in queue_stat_card(user) if card), None)
