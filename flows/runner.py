"""Running a published flow inside a session: start, answer, back, leave.

Every answered node becomes a Step (`source` flow) with the answer as its result,
through `flowpilot.services.add_step`, so ticket notes, the handoff snapshot, the
copilot context and time to first action need no special case.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from flowpilot import activity
from flowpilot import services as session_services
from flowpilot.models import Activity, Session, Step
from flowpilot.redact import redact
from flows.models import Flow, FlowRun, FlowVersion
from resolutionflow.domain import Conflict, InvalidOperation

# Activity kinds of a run's lifecycle (answers are recorded as step activities).
STARTED, WENT_BACK, LEFT, REACHED_OUTCOME = (
    Activity.Kind.FLOW_STARTED,
    Activity.Kind.FLOW_BACK,
    Activity.Kind.FLOW_LEFT,
    Activity.Kind.FLOW_OUTCOME,
)
LINK_DEPTH_MAX = 10
RESULT_STATUSES = (Step.Status.DONE, Step.Status.FAILED, Step.Status.SKIPPED)


# Where `remember` leaves a run on a session instance, so one request looks it up once.
_KNOWN_RUN = "_flows_latest_run"


def remember(session: Session, run: FlowRun) -> None:
    """Let later `latest_run(session)` calls in this request use `run` (just written) instead of a query."""
    setattr(session, _KNOWN_RUN, run)


def latest_run(session: Session) -> FlowRun | None:
    known = getattr(session, _KNOWN_RUN, None)
    if known is not None:
        return known
    # Through the related manager, so the run's `session` is this instance (no query to load it again).
    return session.flow_runs.select_related("flow", "version", "current_version").order_by("-started_at").first()


def _record(run: FlowRun, user: User | None, kind: str, **payload) -> None:
    activity.record(run.session, user, kind, flow_id=str(run.flow_id), title=run.version.title, **payload)


def _move_to(run: FlowRun, key: str, user: User) -> None:
    """Make `key` current, following link nodes into their flow's published version; an outcome ends the run."""
    for _ in range(LINK_DEPTH_MAX):
        node = run.current_version.node(key)
        if node is None or node["type"] != "link":
            break
        target = FlowVersion.objects.filter(flow_id=node.get("flow"), account_id=run.account_id).order_by("-number")
        version = target.first()
        if version is None:
            raise InvalidOperation(f"{key}: the linked flow has no published version")
        run.current_version = version
        key = version.graph["start"]
    else:
        raise InvalidOperation("links nest too deeply")
    run.current = key
    if node is not None and node["type"] == "outcome":
        run.outcome = node["outcome"]
        run.ended_at = timezone.now()
        _record(run, user, REACHED_OUTCOME, node=key, outcome=node["outcome"], text=node.get("text", "")[:200])


def start_run(session: Session, user: User, flow: Flow) -> FlowRun:
    """Start `flow` in its current published version; one open run per session."""
    session_services.require_workable(session, user)
    if flow.account_id != session.account_id:
        raise InvalidOperation("flow belongs to another account")
    version = flow.versions.order_by("-number").first()
    if flow.status != Flow.Status.PUBLISHED or version is None:
        raise InvalidOperation("only a published flow can be run")
    run = FlowRun(
        account_id=session.account_id,
        session=session,
        flow=flow,
        version=version,
        current_version=version,
        started_by=user,
    )
    try:
        with transaction.atomic():
            run.save()
            _record(run, user, STARTED, version=version.number)
            _move_to(run, version.graph["start"], user)
            run.save()
    except IntegrityError:
        # The partial unique constraint: another run is still open on this session.
        raise Conflict("This session is already following a flow; leave it first.") from None
    return run


def _step_for(run: FlowRun, node: dict, user: User, answer, status, result_note: str, output: str):
    """The Step recording this answer and the key of the next node."""
    common = {"title": node["text"][:200], "source": Step.Source.FLOW}
    if node["type"] == "question":
        labels = {a["label"].lower(): a for a in node["answers"]}
        chosen = labels.get(str(answer or "").strip().lower())
        if chosen is None:
            raise InvalidOperation("answer must be one of: " + ", ".join(a["label"] for a in node["answers"]))
        step = session_services.add_step(
            run.session, user, status=Step.Status.DONE, result_note=f"Answer: {chosen['label']}", **common
        )
        return step, chosen["next"], chosen["label"]
    if node["type"] == "action":
        if status not in RESULT_STATUSES:
            raise InvalidOperation("status must be done, failed or skipped")
        step = session_services.add_step(
            run.session,
            user,
            detail=node.get("expect", "") and f"Expect: {node['expect']}",
            command=node.get("command", ""),
            status=status,
            result_note=result_note,
            output=output,
            **common,
        )
        return step, node["next"], status
    raise InvalidOperation("this node takes no answer")


def answer(
    run: FlowRun,
    user: User,
    *,
    node: str,
    answer: str | None = None,
    status: str | None = None,
    result_note: str = "",
    output: str = "",
) -> FlowRun:
    """Answer the current node and move on. A node that is no longer current is a 409 (stale page)."""
    session_services.require_workable(run.session, user)
    with transaction.atomic():
        run = (
            FlowRun.objects.select_for_update()
            .select_related("session", "flow", "version", "current_version")
            .get(pk=run.pk)
        )
        if run.ended:
            raise Conflict("This flow run has ended.", current=run.current)
        if node != run.current:
            raise Conflict(
                f"“{node}” is no longer the current step (now “{run.current}”); reload.", current=run.current
            )
        current = run.current_version.node(run.current)
        step, next_key, given = _step_for(run, current, user, answer, status, result_note.strip(), output)
        entry = {
            "node": run.current,
            "text": current["text"][:200],
            "type": current["type"],
            "answer": given,
            "note": redact(result_note.strip())[:500],
            "version_id": str(run.current_version_id),
            "step": str(step.pk),
            "at": timezone.now().isoformat(),
        }
        run.history = [*run.history, entry]
        _move_to(run, next_key, user)
        run.save()
    return run


def back(run: FlowRun, user: User) -> FlowRun:
    """Undo the last answer: kept in the history (flagged), its step marked skipped, never deleted."""
    session_services.require_workable(run.session, user)
    with transaction.atomic():
        run = FlowRun.objects.select_for_update().select_related("session", "flow", "version").get(pk=run.pk)
        if run.outcome == FlowRun.Outcome.LEFT:
            raise InvalidOperation("You left this flow; start it again instead.")
        if FlowRun.objects.filter(session=run.session, started_at__gt=run.started_at).exists():
            raise Conflict("A newer flow run replaced this one.")
        active = [i for i, e in enumerate(run.history) if not e.get("undone")]
        if not active:
            raise InvalidOperation("Nothing to undo: this is the first step of the flow.")
        history = [dict(e) for e in run.history]
        entry = history[active[-1]]
        entry["undone"] = True
        entry["undone_at"] = timezone.now().isoformat()
        step = Step.objects.filter(pk=entry["step"], session=run.session).first()
        if step is not None:
            note = f"{step.result_note} (undone: went back)".strip()
            session_services.record_result(step, user, status=Step.Status.SKIPPED, result_note=note)
        run.history = history
        run.current_version = FlowVersion.objects.get(pk=entry["version_id"])
        run.current, run.outcome, run.ended_at = entry["node"], "", None
        run.save()
        _record(run, user, WENT_BACK, node=entry["node"])
    return run


def leave(run: FlowRun, user: User) -> FlowRun:
    """End the run; the tech goes on with the copilot."""
    session_services.require_workable(run.session, user)
    with transaction.atomic():
        ended = FlowRun.objects.filter(pk=run.pk, ended_at__isnull=True).update(
            outcome=FlowRun.Outcome.LEFT, ended_at=timezone.now()
        )
        if ended != 1:
            raise InvalidOperation("This flow run has already ended.")
        # Only these fields: a full refresh would drop the loaded flow and versions the panel reads next.
        run.refresh_from_db(fields=["outcome", "ended_at"])
        _record(run, user, LEFT, node=run.current)
    return run


def run_facts(run: FlowRun) -> dict:
    """The run as plain JSON: the API's `flow_run` and the handoff snapshot's `flow`."""
    current = run.current_version.node(run.current) if run.current else None
    taken = [e for e in run.history if not e.get("undone")]
    return {
        "id": str(run.pk),
        "flow": str(run.flow_id),
        "title": run.version.title,
        "version": run.version.number,
        "current": current,
        "path": [e["node"] for e in taken],
        "steps": [
            {"node": e["node"], "text": e["text"], "answer": e["answer"], "note": e.get("note", "")} for e in taken
        ],
        "ended": run.ended,
        "outcome": run.outcome or None,
        "stopped_at": {"node": run.current, "text": (current or {}).get("text", "")} if run.current else None,
    }
