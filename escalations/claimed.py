"""Who claimed a handoff, kept in the shared cache for a while after the claim commits.

Under a burst of Pick Ups on one card every request but one loses, most of them after the
winner committed. A claimed handoff stays claimed (a release queues a fresh handoff, and
forgets this entry), so those 409s can be answered from the cache instead of reading the
handoff and its claimer (bench_claim, docs/benchmarks.md). Anything the cache does not know,
or cannot be asked, goes the database's way; the cache only ever shortens the path to a 409.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

from resolutionflow.cache import best_effort

logger = logging.getLogger(__name__)

PREFIX = "handoff-claimed:"
# Bursts last seconds; an entry a failed forget left behind can mislabel a 409 for this long at most.
SECONDS = 120
WHAT = "Claim cache (claims read the handoff meanwhile)"


@dataclass(frozen=True)
class Claimed:
    account_id: str
    handed_off_by_id: str | None
    intent: str
    claimer_id: str
    claimer_name: str
    claimed_at: datetime


def remember(handoff, claimer, claimed_at: datetime) -> None:
    """After the claim committed (on_commit): the next claimers of this handoff are answered from here."""
    fact = Claimed(
        account_id=str(handoff.account_id),
        handed_off_by_id=str(handoff.handed_off_by_id) if handoff.handed_off_by_id else None,
        intent=handoff.intent,
        claimer_id=str(claimer.pk),
        claimer_name=claimer.display_name,
        claimed_at=claimed_at,
    )
    best_effort(cache.set, PREFIX + str(handoff.pk), fact, SECONDS, logger=logger, what=WHAT)


def forget(handoff_id) -> None:
    """The handoff's state changed after its claim (a release): answer from the database again.
    If the cache cannot be asked, the entry lives SECONDS at most."""
    best_effort(cache.delete, PREFIX + str(handoff_id), logger=logger, what=WHAT)


def lookup(handoff_id) -> Claimed | None:
    return best_effort(cache.get, PREFIX + str(handoff_id), logger=logger, what=WHAT)
