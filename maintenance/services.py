"""Maintenance runs and schedules: the one write path for pages, the API, the consumer and commands.

Each function owns its transaction and queues its side effects (live push, email,
ConnectWise push) after commit, each behind one small `_queue_*` function.
"""

import logging
import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.access import ensure_role
from accounts.models import ENGINEER_OR_ADMIN, User
from flowpilot.psa import services as psa
from flowpilot.psa.models import PsaPush
from flowpilot.services import cap_output
from flows.models import Flow, FlowVersion
from maintenance import broadcast, email_tasks
from maintenance import recurrence as recurrences
from maintenance.models import MAX_TARGETS, Run, RunItem, RunTarget, Schedule
from maintenance.notes import render_target_notes
from maintenance.procedure import action_nodes
from outbox import services as outbox
from resolutionflow.domain import Conflict, InvalidOperation

log = logging.getLogger(__name__)

NAME_MAX = 200
TICKET_MAX = 64
NOT_A_PROCEDURE = "flow must be a published procedure flow of this account"


# --- reading the procedure ----------------------------------------------------


def published_procedure(user: User, flow_id) -> tuple[Flow, FlowVersion]:
    """The account's published procedure flow and its latest version; 400 for anything else.

    A 400 (not 404) because the id comes in the body; another account's flow reads the same as none.
    """
    flow = (
        Flow.objects.filter(account_id=user.account_id, kind=Flow.Kind.PROCEDURE, status=Flow.Status.PUBLISHED)
        .filter(pk=flow_id)
        .first()
        if _is_uuid(flow_id)
        else None
    )
    version = flow and FlowVersion.objects.filter(flow=flow, number=flow.latest_version).first()
    if version is None or not action_nodes(version.graph):
        raise InvalidOperation(NOT_A_PROCEDURE)
    return flow, version


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- targets ------------------------------------------------------------------


def parse_target_lines(text: str) -> list[dict]:
    """ "name | client | ticket" per line (client and ticket optional); blank lines ignored."""
    targets = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        targets.append({"name": parts[0], "client_name": _at(parts, 1), "ticket_ref": _at(parts, 2)})
    return targets


def _at(parts: list[str], index: int) -> str:
    return parts[index] if len(parts) > index else ""


def clean_targets(targets) -> list[dict]:
    """1 to 500 targets with unique names (names, or dicts with name/client_name/ticket_ref)."""
    if not isinstance(targets, list | tuple):
        raise InvalidOperation("targets must be a list of names")
    cleaned, seen = [], set()
    for raw in targets:
        target = {"name": raw} if isinstance(raw, str) else raw
        if not isinstance(target, dict) or not isinstance(target.get("name"), str):
            raise InvalidOperation("each target is a name (or an object with a name)")
        name = " ".join(target["name"].split())
        if not name or len(name) > NAME_MAX:
            raise InvalidOperation(f"a target name must be 1 to {NAME_MAX} characters")
        if name.lower() in seen:
            raise InvalidOperation(f"target “{name}” is listed twice")
        seen.add(name.lower())
        cleaned.append(
            {
                "name": name,
                "client_name": str(target.get("client_name") or "").strip()[:NAME_MAX],
                "ticket_ref": str(target.get("ticket_ref") or "").strip()[:TICKET_MAX],
            }
        )
    if not 1 <= len(cleaned) <= MAX_TARGETS:
        raise InvalidOperation(f"a run has 1 to {MAX_TARGETS} targets (got {len(cleaned)})")
    return cleaned


def _member(user: User, assignee) -> User | None:
    """The assignee, who must be an active engineer-or-admin of the user's account."""
    if assignee in (None, ""):
        return None
    if not isinstance(assignee, User):
        assignee = User.objects.filter(pk=assignee).first() if _is_uuid(assignee) else None
    if assignee is None or assignee.account_id != user.account_id or not assignee.is_active:
        raise InvalidOperation("assignee must be an active member of this account")
    if not assignee.has_role(ENGINEER_OR_ADMIN):
        raise InvalidOperation("assignee must be an engineer, admin or owner")
    return assignee


# --- runs ---------------------------------------------------------------------


def create_run(
    user: User | None,
    *,
    flow_id,
    title: str,
    targets,
    assignee=None,
    due_at: datetime | None = None,
    schedule: Schedule | None = None,
    actor_account_id=None,
) -> Run:
    """A run of a published procedure: one target row per name, one item per target x action node."""
    if user is not None:
        ensure_role(user, ENGINEER_OR_ADMIN)
    scope = user or User(account_id=actor_account_id)
    flow, version = published_procedure(scope, flow_id)
    targets = clean_targets(targets)
    title = " ".join(str(title or "").split())[:200] or f"{flow.title} — {timezone.localdate():%d %b %Y}"
    assignee = _member(scope, assignee)
    nodes = action_nodes(version.graph)
    with transaction.atomic():
        run = Run.objects.create(
            account_id=flow.account_id,
            flow=flow,
            version=version,
            title=title,
            assignee=assignee,
            due_at=due_at,
            schedule=schedule,
            created_by=user,
        )
        rows = RunTarget.objects.bulk_create(
            [RunTarget(run=run, position=i, **target) for i, target in enumerate(targets)]
        )
        RunItem.objects.bulk_create(
            [
                RunItem(run=run, target=target, node_key=node["key"], position=i)
                for target in rows
                for i, node in enumerate(nodes)
            ],
            batch_size=2000,
        )
        if assignee is not None and assignee != user:
            _queue_due_email(run.pk)
    log.info("Run %s created: %d targets x %d items", run.pk, len(rows), len(nodes))
    return run


def _clean_status(status: str) -> str:
    if status not in RunItem.Status.values:
        raise InvalidOperation(f"status must be one of {', '.join(RunItem.Status.values)}")
    return status


def set_item(
    item: RunItem, user: User, *, status: str, result_note: str | None = None, output: str | None = None
) -> RunItem:
    """Record one item's result (a tick is status done); reopening it (pending) reopens the run."""
    ensure_role(user, ENGINEER_OR_ADMIN)
    status = _clean_status(status)
    fields = {"status": status}
    fields.update(_done_fields(status, user))
    if result_note is not None:
        fields["result_note"] = result_note
    if output is not None:
        fields["output"], fields["output_truncated"] = cap_output(output)
    with transaction.atomic():
        RunItem.objects.filter(pk=item.pk).update(**fields)
        _settle_finished(item.run_id)
        _queue_broadcast(item.run_id, [item.pk])
    item.refresh_from_db()
    return item


def toggle_item(item: RunItem, user: User) -> RunItem:
    """The grid's tick: pending -> done, anything else -> pending."""
    status = RunItem.Status.DONE if item.status == RunItem.Status.PENDING else RunItem.Status.PENDING
    return set_item(item, user, status=status)


def bulk_done(run: Run, user: User, node_key: str) -> int:
    """Mark one item done on every target still pending it; how many items changed."""
    ensure_role(user, ENGINEER_OR_ADMIN)
    with transaction.atomic():
        pending = RunItem.objects.filter(run=run, node_key=node_key, status=RunItem.Status.PENDING)
        ids = list(pending.values_list("pk", flat=True))
        # Only still-pending rows: a teammate's failed/skipped result is never overwritten.
        changed = RunItem.objects.filter(pk__in=ids, status=RunItem.Status.PENDING).update(
            status=RunItem.Status.DONE, **_done_fields(RunItem.Status.DONE, user)
        )
        _settle_finished(run.pk)
        if ids:
            _queue_broadcast(run.pk, ids)
    return changed


def _done_fields(status: str, user: User) -> dict:
    """Who and when for a status change (every write path of an item's status goes through here)."""
    now = timezone.now()
    if status == RunItem.Status.PENDING:
        return {"done_by": None, "done_at": None, "changed_at": now}
    return {"done_by": user, "done_at": now, "changed_at": now}


def _settle_finished(run_id) -> None:
    """finished_at follows the items: set once none is pending, cleared when one is reopened."""
    pending = RunItem.objects.filter(run_id=run_id, status=RunItem.Status.PENDING).exists()
    if pending:
        Run.objects.filter(pk=run_id, finished_at__isnull=False).update(finished_at=None)
    else:
        # Conditional: of two last ticks at once, one sets the time and the other changes nothing.
        Run.objects.filter(pk=run_id, finished_at__isnull=True).update(finished_at=timezone.now())


def push_target_notes(target: RunTarget, user: User) -> PsaPush:
    """Queue the target's redacted notes as an internal note on its ConnectWise ticket, as the user's member."""
    ensure_role(user, ENGINEER_OR_ADMIN)
    if not target.ticket_ref:
        raise InvalidOperation("This target has no ticket; add one to push its notes.")
    body = render_target_notes(target)
    return psa.request_ticket_note_push(
        target.run.account_id, target.ticket_ref, body, user, kind=PsaPush.Kind.RUN_TARGET, subject_id=target.pk
    )


# --- schedules ----------------------------------------------------------------


def create_schedule(
    user: User, *, flow_id, targets, recurrence: str, assignee=None, next_due_at: datetime | None = None
) -> Schedule:
    ensure_role(user, ENGINEER_OR_ADMIN)
    flow, _ = published_procedure(user, flow_id)
    rule = recurrences.validate(recurrence)
    return Schedule.objects.create(
        account_id=user.account_id,
        flow=flow,
        targets=clean_targets(targets),
        assignee=_member(user, assignee),
        **_due_fields(rule, next_due_at),
        created_by=user,
    )


KEEP = object()  # update_schedule: "this field is not being changed" (None is a value: nobody assigned)


def update_schedule(
    user: User, schedule: Schedule, *, flow_id=KEEP, targets=KEEP, assignee=KEEP, recurrence=KEEP, next_due_at=KEEP
) -> Schedule:
    """Change what a schedule runs, over which targets, for whom, or when; the runs it created stay.

    Checked like creation. A new recurrence (or a chosen next due time) moves the due time as
    creation sets it, from now; targets, assignee or flow alone leave it. InvalidOperation carries
    `errors` {field: [message]} so the API says which field is wrong.
    """
    ensure_role(user, ENGINEER_OR_ADMIN)
    changes = {}
    if flow_id is not KEEP:
        changes["flow"] = _checked("flow", lambda: published_procedure(user, flow_id)[0])
    if targets is not KEEP:
        changes["targets"] = _checked("targets", lambda: clean_targets(targets))
    if assignee is not KEEP:
        changes["assignee"] = _checked("assignee", lambda: _member(user, assignee))
    rule = _checked("recurrence", lambda: recurrences.validate(recurrence)) if recurrence is not KEEP else None
    chosen = None if next_due_at is KEEP else next_due_at
    _checked("next_due_at", lambda: recurrences.check_first_due(chosen, timezone.now()))
    with transaction.atomic():
        # Locked: a firing locks the row too (fire_schedule), so an edit waits for a firing in
        # progress and the next firing reads the edit; neither overwrites the other.
        current = Schedule.objects.select_for_update().filter(pk=schedule.pk).first()
        if current is None:
            raise Conflict("This schedule was deleted meanwhile.")
        if (rule is not None and rule != current.recurrence) or chosen is not None:
            changes.update(_due_fields(rule or current.recurrence, chosen))
        changes = {name: value for name, value in changes.items() if _differs(current, name, value)}
        for name, value in changes.items():
            setattr(current, name, value)
        if changes:
            current.save(update_fields=list(changes))
    log.info("Schedule %s changed by %s: %s", current.pk, user.pk, ", ".join(changes) or "nothing")
    return current


def _checked(field: str, check):
    """`check()`, its InvalidOperation naming `field` (the API's {"errors": {field: [message]}})."""
    try:
        return check()
    except InvalidOperation as exc:
        raise InvalidOperation(exc.message, errors={field: [exc.message]}) from None


def _differs(schedule: Schedule, name: str, value) -> bool:
    if name in ("flow", "assignee"):  # compared by id: no query for the stored row
        return getattr(schedule, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(schedule, name) != value


def _due_fields(rule: str, chosen: datetime | None) -> dict:
    """The recurrence and its first due time (chosen, or the rule's next from now), as creation sets them."""
    now = timezone.now()
    recurrences.check_first_due(chosen, now)
    first = chosen or recurrences.next_due(rule, now)
    return {"recurrence": rule, "next_due_at": first, "day_of_month": recurrences.anchor_day(rule, first)}


def pause_schedule(user: User, schedule: Schedule) -> Schedule:
    """No runs until resumed; the runs it already created stay as they are."""
    ensure_role(user, ENGINEER_OR_ADMIN)
    Schedule.objects.filter(pk=schedule.pk, active=True).update(active=False)
    schedule.refresh_from_db()
    return schedule


def resume_schedule(user: User, schedule: Schedule) -> Schedule:
    """Active again from its next due time still ahead: what fell due while paused makes no run."""
    ensure_role(user, ENGINEER_OR_ADMIN)
    now = timezone.now()
    due = schedule.next_due_at
    if due <= now:
        due = recurrences.due_after(schedule.recurrence, due, now, schedule.day_of_month)
    # Conditional: a paused schedule never fires, so nothing moved next_due_at since it was read.
    Schedule.objects.filter(pk=schedule.pk, active=False).update(active=True, next_due_at=due)
    schedule.refresh_from_db()
    return schedule


def delete_schedule(user: User, schedule: Schedule) -> int:
    """Delete the schedule; its runs stay (their `schedule` becomes empty). How many runs it had made."""
    ensure_role(user, ENGINEER_OR_ADMIN)
    schedule_id = schedule.pk
    with transaction.atomic():
        made = Run.objects.filter(schedule_id=schedule_id).count()
        schedule.delete()
    log.info("Schedule %s deleted by %s; %d runs stay", schedule_id, user.pk, made)
    return made


def fire_due_schedules(now: datetime | None = None) -> list:
    """A run for every active schedule whose due time has come; ids of the runs created."""
    now = now or timezone.now()
    created = []
    due = Schedule.objects.filter(active=True, next_due_at__lte=now).values_list("pk", "next_due_at")
    for schedule_id, due_at in list(due):
        run = fire_schedule(schedule_id, due_at, now)
        if run is not None:
            created.append(run.pk)
    return created


def fire_schedule(schedule_id, due_at: datetime, now: datetime) -> Run | None:
    """Exactly one run per (schedule, due time), however many times beat (or two beats) fire."""
    following = None
    try:
        with transaction.atomic():
            # Read under the row lock edits take (update_schedule): the run is made from what the
            # schedule says now, and a schedule an edit moved off this due time is not due any more.
            schedule = (
                Schedule.objects.select_for_update(of=("self",))
                .select_related("flow")
                .filter(pk=schedule_id, next_due_at=due_at, active=True)
                .first()
            )
            if schedule is None:
                return None
            # Beat was down: one run for the missed time, none per missed period.
            following = recurrences.due_after(schedule.recurrence, due_at, now, schedule.day_of_month)
            # Whoever moves next_due_at on from this due time creates the run; a second
            # firing finds it moved (0 rows) and stops. The unique constraint backs this up.
            if (
                Schedule.objects.filter(pk=schedule.pk, next_due_at=due_at, active=True).update(next_due_at=following)
                != 1
            ):
                return None
            return create_run(
                None,
                actor_account_id=schedule.account_id,
                flow_id=schedule.flow_id,
                title=f"{schedule.flow.title} — {timezone.localtime(due_at):%d %b %Y}",
                targets=schedule.targets,
                assignee=schedule.assignee,
                due_at=due_at,
                schedule=schedule,
            )
    except IntegrityError:
        log.info("Schedule %s already fired for %s", schedule_id, due_at)
        _move_on(schedule_id, due_at, following)
        return None
    except InvalidOperation as exc:
        # The flow was archived or the assignee left: the schedule stays, the due time moves on.
        _move_on(schedule_id, due_at, following)
        log.warning("Schedule %s could not create its run: %s", schedule_id, exc.message)
        return None


def _move_on(schedule_id, due_at: datetime, following: datetime | None) -> None:
    """After a firing that made no run: past this due time, unless someone moved it meanwhile."""
    if following is not None:
        Schedule.objects.filter(pk=schedule_id, next_due_at=due_at).update(next_due_at=following)


def overdue_filter(now: datetime | None = None) -> Q:
    return Q(finished_at__isnull=True, due_at__lt=now or timezone.now())


# --- side effects -------------------------------------------------------------


def _queue_broadcast(run_id, item_ids: list) -> None:
    """Live push of changed cells to everyone watching the run (after commit)."""
    ids = [str(pk) for pk in item_ids]
    transaction.on_commit(lambda: broadcast.items_changed(str(run_id), ids), robust=True)


def _queue_due_email(run_id) -> None:
    """Email the run's assignee: an outbox row in this transaction, sent after commit (a delivery row records it)."""
    outbox.enqueue(email_tasks.EMAIL_ASSIGNEE, run_id=str(run_id))
