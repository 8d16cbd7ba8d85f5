"""Read-side queries for escalations, always scoped to the user's account."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.access import scoped
from accounts.models import User
from escalations.models import Handoff, HandoffView, NotificationLog
from flowpilot.models import Session


def open_escalations(user: User) -> QuerySet:
    """Unclaimed, not withdrawn escalations of the user's account, newest first."""
    return (
        scoped(Handoff.objects.open_escalations(), user)
        # The id breaks ties so the keyset pages of `queue_page` never skip or repeat a card.
        .order_by("-created_at", "-id")
    )


def with_card_data(qs: QuerySet) -> QuerySet:
    """What the queue card reads, in one query (session, escalator, releaser)."""
    return qs.select_related("session", "handed_off_by", "first_handed_off_by")


def with_read_state(qs: QuerySet, user: User) -> QuerySet:
    """Annotate `is_read`: opened, claimed or dismissed by this user (hover never counts)."""
    seen = HandoffView.objects.filter(handoff=OuterRef("pk"), user=user).filter(
        Q(opened_at__isnull=False) | Q(dismissed_at__isnull=False)
    )
    return qs.annotate(is_read=Exists(seen))


def queue_cards(user: User) -> QuerySet:
    """The open queue as the page renders it: card data plus this user's unread state."""
    return with_read_state(with_card_data(open_escalations(user)), user)


QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class QueuePage:
    """One page of queue cards; `total` counts every open card from the page's start on."""

    cards: list
    total: int

    @property
    def remaining(self) -> int:
        return self.total - len(self.cards)

    @property
    def next_size(self) -> int:
        return min(self.remaining, QUEUE_PAGE_SIZE)

    @property
    def cursor(self):
        """The id the next page starts after (the oldest card shown)."""
        return self.cards[-1].pk if self.cards else None


def queue_page(user: User, after: Handoff | None = None, size: int = QUEUE_PAGE_SIZE) -> QueuePage:
    """The newest `size` open cards, or those just older than `after` (a keyset page), in two queries."""
    rest = open_escalations(user)
    if after is not None:
        # Keyset, not offset: cards that arrive or leave meanwhile don't shift the next page.
        rest = rest.filter(Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, pk__lt=after.pk))
    # Always count, even for a short page: the query count stays the same for any queue length.
    return QueuePage(cards=list(with_read_state(with_card_data(rest), user)[:size]), total=rest.count())


def parked(user: User) -> QuerySet:
    """Open park handoffs of the account, newest first; any engineer (the parker too) picks one up by claiming."""
    return with_card_data(scoped(Handoff.objects.open(), user).filter(intent=Handoff.Intent.PARK)).order_by(
        "-created_at"
    )


def claimed_by_me(user: User) -> QuerySet:
    """Handoffs I picked up and still hold (not released, session not resolved)."""
    return with_card_data(
        scoped(Handoff, user)
        .filter(claimed_by=user, released_at__isnull=True)
        .exclude(session__status=Session.Status.RESOLVED)
    ).order_by("-claimed_at")


def latest_claimed_escalation(session: Session) -> Handoff | None:
    """The escalation whose context the session's current worker picked up, if any."""
    return (
        Handoff.objects.filter(
            session=session,
            account_id=session.account_id,
            intent=Handoff.Intent.ESCALATE,
            claimed_at__isnull=False,
            released_at__isnull=True,
        )
        .order_by("-claimed_at")
        .first()
    )


def open_handoff_for(session: Session) -> Handoff | None:
    """The session's unclaimed handoff (escalated or parked), if there is one."""
    return Handoff.objects.open().filter(session=session).order_by("-created_at").first()


DELIVERY_BADGES = {
    NotificationLog.Status.QUEUED: "badge-normal",
    NotificationLog.Status.SENT: "badge-done",
    NotificationLog.Status.FAILED: "badge-failed",
    NotificationLog.Status.SUPPRESSED: "badge-skipped",
}


def delivery_rows(handoff: Handoff) -> list[NotificationLog]:
    """The delivery log of one handoff for its panel: push row first, then emails by purpose and recipient."""
    rows = list(
        NotificationLog.objects.filter(handoff_id=handoff.pk, account_id=handoff.account_id)
        .select_related("recipient")
        .order_by("-channel", "purpose", "recipient__name", "recipient__email")
    )
    for row in rows:
        row.badge_class = DELIVERY_BADGES.get(row.status, "badge-normal")
    return rows
