"""The time-to-first-action card on the escalation queue, contributed through `escalations.hooks`."""

import logging

from django.core.cache import cache
from django.utils import timezone

from analytics.queries import escalation_report

log = logging.getLogger(__name__)

TEMPLATE = "analytics/_stat_card.html"
# The card is on every queue render; a minute-old figure is fine there, and the card says how old it is.
STAT_CARD_CACHE_S = 60
STAT_CARD_PERIOD = "30d"


def _cache_key(account_id) -> str:
    return f"analytics:ttfa-stat-card:{account_id}:{STAT_CARD_PERIOD}"


def stat_card_report(account_id) -> dict:
    """The card's report for one account, computed at most once a minute (shared cache: Redis in production).

    The cache is an optimisation only: when it raises (Redis down), the figures are computed for this
    request and the page still renders."""
    key = _cache_key(account_id)
    try:
        cached = cache.get(key)
    except Exception:
        log.warning("Stat-card cache read failed; computing the figures directly", exc_info=True)
        cached = None
    if cached is not None:
        return cached
    report = {**escalation_report(account_id, STAT_CARD_PERIOD), "computed_at": timezone.now()}
    try:
        cache.set(key, report, STAT_CARD_CACHE_S)
    except Exception:
        log.warning("Stat-card cache write failed", exc_info=True)
    return report


def queue_stat_card(user) -> dict | None:
    """The card's context for an engineer-or-admin; None (no card) for viewers, who may not see metrics."""
    if not getattr(user, "is_engineer_or_admin", False):
        return None
    report = stat_card_report(user.account_id)
    claimed, with_action = report["n_handoffs_claimed"], report["n_handoffs_with_action"]
    return {
        "template": TEMPLATE,
        "report": report,
        "reached_pct": round(100 * with_action / claimed) if claimed else None,
        "max_age_s": STAT_CARD_CACHE_S,
    }
