"""Escalation Mode operations: park, escalate, claim, release, withdraw, opened, dismissed.

Each function owns its transaction, writes Activity, and queues its side effects
(live push, email, PSA, AI assessment) after commit, so a failing side effect
never undoes or blocks the handoff.
"""

from django.db import transaction
from django.utils import timezone

from accounts.access import ensure_role
from accounts.models import User
from escalations import broadcast, claimed, psa_package, tasks
from escalations.models import Handoff, HandoffView, Priority
from escalations.snapshot import build_snapshot
from flowpilot.activity import record
from flowpilot.models import Activity, Session
from outbox import services as outbox
from resolutionflow.domain import Conflict, InvalidOperation

NOTES_MAX_CHARS = 4000
CLOSED_ON_RESOLVE = "session resolved"


def _require_same_account(actor: User, obj) -> None:
    # Views already answer 404 for other accounts; this guards commands and future callers.
    if obj.account_id != actor.account_id:
        raise InvalidOperation("That belongs to another account.")


def _after_commit(func, handoff_id) -> None:
    transaction.on_commit(lambda: func(handoff_id), robust=True)


def _queue_assessment(handoff: Handoff) -> None:
    # An outbox row in this transaction: dispatched after commit, swept again if the broker lost it.
    if handoff.intent == Handoff.Intent.ESCALATE:
        outbox.enqueue(tasks.ASSESS, handoff_id=str(handoff.pk))


def _clean_notes(engineer_notes: str | None) -> str:
    notes = (engineer_notes or "").strip()
    if len(notes) > NOTES_MAX_CHARS:
        raise InvalidOperation(f"Notes are limited to {NOTES_MAX_CHARS} characters.")
    return notes


def _hand_off(session: Session, actor: User, intent: str, engineer_notes: str, priority: str) -> Handoff:
    ensure_role(actor)
    _require_same_account(actor, session)
    if priority not in Priority.values:
        raise InvalidOperation(f"Priority must be one of {', '.join(Priority.values)}.")
    notes = _clean_notes(engineer_notes)
    verb = "escalated" if intent == Handoff.Intent.ESCALATE else "parked"
    with transaction.atomic():
        # Lock the session so two simultaneous hand-offs can't both pass the status check.
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status != Session.Status.ACTIVE:
            raise InvalidOperation(f"Only an active session can be {verb}; this one is {session.status}.")
        handoff = Handoff.objects.create(
            session=session,
            account_id=session.account_id,
            handed_off_by=actor,
            intent=intent,
            engineer_notes=notes,
            priority=priority,
            snapshot=build_snapshot(session, notes),
            # Only escalations are assessed; a park is a private pause with nobody to brief.
            assessment_status=Handoff.AssessmentStatus.PENDING
            if intent == Handoff.Intent.ESCALATE
            else Handoff.AssessmentStatus.UNAVAILABLE,
        )
        session.status = Session.Status.ESCALATED if intent == Handoff.Intent.ESCALATE else Session.Status.PARKED
        session.assignee = None
        session.save(update_fields=["status", "assignee", "updated_at"])
        kind = Activity.Kind.ESCALATED if intent == Handoff.Intent.ESCALATE else Activity.Kind.PARKED
        record(session, actor, kind, handoff_id=str(handoff.pk), priority=priority, notes=notes)
        if intent == Handoff.Intent.ESCALATE:
            # Order matters when tasks run in-process: the push first (the live
            # card), then the assessment, so the PSA package can include it.
            _after_commit(broadcast.escalation_created, handoff.pk)
            _queue_assessment(handoff)
            outbox.enqueue(tasks.EMAIL_FAN_OUT, handoff_id=str(handoff.pk))
            outbox.enqueue(psa_package.ESCALATED, handoff_id=str(handoff.pk))
    return handoff


def escalate(session: Session, actor: User, engineer_notes: str = "", priority: str = Priority.NORMAL) -> Handoff:
    """Hand an active session (anyone's in the account) to the team's queue."""
    return _hand_off(session, actor, Handoff.Intent.ESCALATE, engineer_notes, priority)


def park(session: Session, actor: User, engineer_notes: str = "", priority: str = Priority.NORMAL) -> Handoff:
    """Pause an active session privately: no notification, no broadcast, no assessment."""
    return _hand_off(session, actor, Handoff.Intent.PARK, engineer_notes, priority)


def _seconds_since(moment) -> int:
    return max(0, int((timezone.now() - moment).total_seconds()))


def _not_available(handoff_id) -> Conflict:
    """The 409 for a handoff someone else already took (or that left the queue)."""
    return _taken_conflict(Handoff.objects.select_related("claimed_by", "closed_by").get(pk=handoff_id))


def _taken_conflict(current: Handoff) -> Conflict:
    if current.closed_at is not None:
        return _resolved_conflict(current)
    if current.withdrawn_at is not None:
        return Conflict("This escalation was withdrawn by the engineer who raised it.")
    if current.released_at is not None:
        return Conflict("This handoff was released back to the queue; pick up its new card.")
    name = current.claimed_by.display_name if current.claimed_by else "someone"
    return _claimed_conflict(str(current.claimed_by_id) if current.claimed_by_id else None, name, current.claimed_at)


def _claimed_conflict(claimer_id: str | None, name: str, claimed_at) -> Conflict:
    return Conflict(
        f"Already claimed by {name} {_seconds_since(claimed_at)}s ago",
        claimed_by={"id": claimer_id, "name": name},
        claimed_by_name=name,
        claimed_at=claimed_at.isoformat(),
    )


def refuse_known_claim(handoff_id, actor: User) -> None:
    """Raise the 409 that claim() would, when the cache knows the handoff was claimed (escalations.claimed).

    Callers try this before reading the handoff: under a burst, the losers that arrive after the
    winner committed are answered without a query. Anything else returns, and claim() decides.
    """
    known = claimed.lookup(handoff_id)
    if known is None or known.account_id != str(actor.account_id):
        return  # not known here, or another account's (which answers 404 the usual way)
    ensure_role(actor)
    if known.intent == Handoff.Intent.ESCALATE and known.handed_off_by_id == str(actor.pk):
        return  # claim() answers its own refusal ("you escalated this yourself")
    raise _claimed_conflict(known.claimer_id, known.claimer_name, known.claimed_at)


def _resolved_conflict(handoff: Handoff) -> Conflict:
    who = f" by {handoff.closed_by.display_name}" if handoff.closed_by else ""
    when = f" {_seconds_since(handoff.closed_at)}s ago" if handoff.closed_at else ""
    return Conflict(f"This session was resolved{who}{when}; there is nothing left to pick up.")


def _mark_view(handoff: Handoff, user: User, **fields) -> HandoffView:
    # A new row is written with its fields at once: the claim runs this while it holds the handoff's lock.
    view, created = HandoffView.objects.get_or_create(user=user, handoff=handoff, defaults=fields)
    if created:
        return view
    changed = [name for name, value in fields.items() if getattr(view, name) is None and value is not None]
    for name in changed:
        setattr(view, name, fields[name])
    if changed:
        view.save(update_fields=changed)
    return view


def claim(handoff: Handoff, actor: User) -> Handoff:
    """Pick up an escalation or a parked session; exactly one concurrent claimer wins."""
    ensure_role(actor)
    _require_same_account(actor, handoff)
    if handoff.intent == Handoff.Intent.ESCALATE and handoff.handed_off_by_id == actor.pk:
        raise InvalidOperation("You escalated this yourself, so you can't claim it; withdraw it instead.")
    if not handoff.is_open:
        # Already out of the queue when the caller read it, and a handoff never re-opens (a release
        # queues a fresh one): answer the 409 from that row, with no transaction. Under a burst of
        # claims most losers arrive after the winner committed; this path is 1 query instead of 4.
        raise _taken_conflict(handoff)
    now = timezone.now()
    with transaction.atomic():
        # The conditional UPDATE comes first: losers learn they lost with one statement, and the
        # winner holds the row lock for as little as possible.
        won = Handoff.objects.filter(pk=handoff.pk).open().update(claimed_by=actor, claimed_at=now)
        if won != 1:
            # The conditional update matched no row: someone else claimed (or withdrew, or resolved) it first.
            raise _not_available(handoff.pk)
        session = Session.objects.get(pk=handoff.session_id)
        if session.status == Session.Status.RESOLVED:
            # Raising rolls the claim back.
            raise _resolved_conflict(Handoff.objects.select_related("closed_by").get(pk=handoff.pk))
        session.status = Session.Status.ACTIVE
        session.assignee = actor
        session.save(update_fields=["status", "assignee", "updated_at"])
        _mark_view(handoff, actor, opened_at=now)
        record(
            session,
            actor,
            Activity.Kind.CLAIMED,
            handoff_id=str(handoff.pk),
            intent=handoff.intent,
            waited_s=int((now - handoff.created_at).total_seconds()),
        )
        transaction.on_commit(lambda: claimed.remember(handoff, actor, now), robust=True)
        if handoff.intent == Handoff.Intent.ESCALATE:
            _after_commit(broadcast.handoff_claimed, handoff.pk)
    handoff.refresh_from_db()
    return handoff


def start(handoff: Handoff, actor: User) -> Handoff:
    """ "Start here": claim if still open; if it is already mine, just go."""
    ensure_role(actor)
    _require_same_account(actor, handoff)
    if handoff.claimed_by_id == actor.pk and handoff.released_at is None:
        return handoff
    return claim(handoff, actor)


def release(handoff: Handoff, actor: User) -> Handoff:
    """The claimer hands it back: the old handoff keeps its claim, a fresh one joins the queue."""
    ensure_role(actor)
    _require_same_account(actor, handoff)
    if handoff.claimed_by_id != actor.pk:
        raise InvalidOperation("Only the engineer who claimed this handoff can release it.")
    if handoff.released_at is not None:
        raise InvalidOperation("This handoff was already released.")
    now = timezone.now()
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=handoff.session_id)
        if session.status == Session.Status.RESOLVED:
            raise InvalidOperation("This session is resolved; there is nothing to release.")
        released = Handoff.objects.filter(pk=handoff.pk, claimed_by=actor, released_at__isnull=True).update(
            released_at=now
        )
        if released != 1:
            # A concurrent release of the same handoff got there first.
            raise InvalidOperation("This handoff was already released.")
        # Late claimers of the old card now hear "released back to the queue", not "claimed by".
        transaction.on_commit(lambda: claimed.forget(handoff.pk), robust=True)
        notes = f"Released by {actor.display_name}: {handoff.engineer_notes}".strip()[:NOTES_MAX_CHARS]
        fresh = Handoff.objects.create(
            session=session,
            account_id=session.account_id,
            # The releaser hands it off now, so they (not the first escalator) can't claim it back;
            # the card still names the engineer who first raised it.
            handed_off_by=actor,
            first_handed_off_by_id=handoff.first_handed_off_by_id or handoff.handed_off_by_id,
            intent=handoff.intent,
            engineer_notes=notes,
            priority=handoff.priority,
            snapshot=build_snapshot(session, notes),
            assessment_status=Handoff.AssessmentStatus.PENDING
            if handoff.intent == Handoff.Intent.ESCALATE
            else Handoff.AssessmentStatus.UNAVAILABLE,
        )
        is_escalation = handoff.intent == Handoff.Intent.ESCALATE
        session.status = Session.Status.ESCALATED if is_escalation else Session.Status.PARKED
        session.assignee = None
        session.save(update_fields=["status", "assignee", "updated_at"])
        record(session, actor, Activity.Kind.RELEASED, handoff_id=str(handoff.pk), new_handoff_id=str(fresh.pk))
        if is_escalation:
            _after_commit(broadcast.escalation_created, fresh.pk)
            _queue_assessment(fresh)
    handoff.refresh_from_db()
    return fresh


def withdraw(handoff: Handoff, actor: User) -> Handoff:
    """The escalator takes back an unclaimed handoff and works the session again."""
    ensure_role(actor)
    _require_same_account(actor, handoff)
    if handoff.handed_off_by_id != actor.pk:
        raise InvalidOperation("Only the engineer who raised this handoff can withdraw it.")
    now = timezone.now()
    with transaction.atomic():
        withdrawn = Handoff.objects.filter(pk=handoff.pk).open().update(withdrawn_at=now)
        if withdrawn != 1:
            # Claimed (or withdrawn) in the meantime: the update matched no row.
            raise _not_available(handoff.pk)
        session = Session.objects.select_for_update().get(pk=handoff.session_id)
        if session.status != Session.Status.RESOLVED:
            session.status = Session.Status.ACTIVE
            session.assignee = actor
            session.save(update_fields=["status", "assignee", "updated_at"])
        record(session, actor, Activity.Kind.WITHDRAWN, handoff_id=str(handoff.pk), intent=handoff.intent)
        if handoff.intent == Handoff.Intent.ESCALATE:
            _after_commit(broadcast.handoff_withdrawn, handoff.pk)
    handoff.refresh_from_db()
    return handoff


def close_on_resolve(session: Session, actor: User) -> list[Handoff]:
    """The session was resolved: close its open escalation or park, so nobody can pick it up.

    Registered on flowpilot.hooks.session_resolved, so it runs inside the resolve
    transaction; the card's removal and the end of re-notify follow after commit.
    """
    now = timezone.now()
    closed = []
    for handoff in Handoff.objects.open().filter(session=session).order_by("created_at"):
        updated = (
            Handoff.objects.filter(pk=handoff.pk)
            .open()
            .update(closed_at=now, closed_by=actor, closed_reason=CLOSED_ON_RESOLVE)
        )
        if updated != 1:
            # Claimed or withdrawn a moment earlier: that outcome stands.
            continue
        is_escalation = handoff.intent == Handoff.Intent.ESCALATE
        # Recorded as the handoff leaving the queue, with who and why.
        record(
            session,
            actor,
            Activity.Kind.WITHDRAWN,
            handoff_id=str(handoff.pk),
            intent=handoff.intent,
            reason=CLOSED_ON_RESOLVE,
            # The session timeline shows `title` beside the kind: "Withdrawn: escalation closed, …".
            title=f"{'escalation' if is_escalation else 'park'} closed, the session was resolved",
        )
        if is_escalation:
            _after_commit(broadcast.handoff_closed, handoff.pk)
        closed.append(handoff)
    return closed


def mark_opened(handoff: Handoff, user: User) -> HandoffView:
    """The user opened the context screen: clears unread; the first open is recorded."""
    _require_same_account(user, handoff)
    with transaction.atomic():
        view, _ = HandoffView.objects.get_or_create(user=user, handoff=handoff)
        if view.opened_at is None:
            view.opened_at = timezone.now()
            view.save(update_fields=["opened_at"])
            record(handoff.session, user, Activity.Kind.CONTEXT_VIEWED, handoff_id=str(handoff.pk))
    return view


def dismiss(handoff: Handoff, user: User) -> HandoffView:
    """Clear the unread dot without opening the handoff."""
    ensure_role(user)
    _require_same_account(user, handoff)
    with transaction.atomic():
        return _mark_view(handoff, user, dismissed_at=timezone.now())


def retry_assessment(handoff: Handoff) -> bool:
    """Queue the AI assessment again for an escalation whose assessment is unavailable (operators, admin)."""
    with transaction.atomic():
        # Conditional: only an unavailable escalation goes back to pending; a ready one is kept.
        retried = Handoff.objects.filter(
            pk=handoff.pk,
            intent=Handoff.Intent.ESCALATE,
            assessment_status=Handoff.AssessmentStatus.UNAVAILABLE,
        ).update(assessment_status=Handoff.AssessmentStatus.PENDING)
        if retried:
            _queue_assessment(handoff)
    return bool(retried)
