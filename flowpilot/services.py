"""Session operations: open, ask the copilot, add a step, record a result, note, resolve.

Each function owns its transaction and appends its Activity; pages, the API,
commands and the demo all call these. Side effects run after commit.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.access import ensure_role
from accounts.models import User
from flowpilot import activity, hooks, similar
from flowpilot.ai import AIError, CopilotReply, CopilotRequest, Provider, TriedStep, get_provider
from flowpilot.excerpt import output_excerpt
from flowpilot.models import OUTPUT_CAP_BYTES, Activity, ProblemDomain, Session, Step
from flowpilot.psa import tasks as psa_tasks
from flowpilot.redact import redact
from flowpilot.search import refresh_search_vector
from outbox import services as outbox
from resolutionflow.domain import InvalidOperation
from resolutionflow.text import NAME_MESSAGE, has_control_characters

RESULT_STATUSES = (Step.Status.DONE, Step.Status.FAILED, Step.Status.SKIPPED)
HISTORY_TURNS = 10


@dataclass
class CopilotTurn:
    reply: str
    steps: list[Step]
    model: str
    provider_label: str


def _require_workable(session: Session, user: User) -> None:
    ensure_role(user)
    if session.account_id != user.account_id:
        raise InvalidOperation("session belongs to another account")
    if session.status == Session.Status.RESOLVED:
        raise InvalidOperation("session is resolved")


# Public for the apps above (flows' runner) so the "can this session be worked" rule is written once.
require_workable = _require_workable


def cap_output(output: str) -> tuple[str, bool]:
    """Output cut to OUTPUT_CAP_BYTES of UTF-8 (never mid-character) and whether it was cut."""
    encoded = output.encode("utf-8")
    if len(encoded) <= OUTPUT_CAP_BYTES:
        return output, False
    return encoded[:OUTPUT_CAP_BYTES].decode("utf-8", errors="ignore"), True


def _touch(session: Session) -> None:
    # Keeps "recently worked" ordering honest without loading the row again.
    Session.objects.filter(pk=session.pk).update(updated_at=timezone.now())


def _next_order(session: Session) -> int:
    """The next step number; call inside a transaction (the session row lock serialises adders)."""
    Session.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True).first()
    return (session.steps.aggregate(m=Max("order"))["m"] or 0) + 1


def open_session(
    user: User,
    *,
    problem_summary: str,
    problem_domain: str = "",
    client_name: str = "",
    ticket_ref: str = "",
) -> Session:
    """A new active session owned and worked by `user`."""
    ensure_role(user)
    summary = problem_summary.strip()
    if not summary:
        raise InvalidOperation("describe the problem")
    domain = problem_domain or ProblemDomain.OTHER
    if domain not in ProblemDomain.values:
        raise InvalidOperation(f"unknown problem domain {domain!r}")
    for label, value in (("Client name", client_name), ("Ticket", ticket_ref)):
        if has_control_characters(value):
            raise InvalidOperation(f"{label}: {NAME_MESSAGE}")
    with transaction.atomic():
        session = Session.objects.create(
            account_id=user.account_id,
            owner=user,
            assignee=user,
            problem_summary=summary,
            problem_domain=domain,
            client_name=client_name.strip(),
            ticket_ref=ticket_ref.strip(),
        )
        activity.record(session, user, Activity.Kind.OPENED, summary=summary[:200], domain=domain)
        refresh_search_vector(session.pk)
    return session


def tried_steps(session: Session) -> list[TriedStep]:
    """Every step on the checklist with its result, secrets redacted, for the copilot."""
    return [
        TriedStep(
            title=step.title,
            status=step.status,
            result_note=redact(step.result_note),
            output_excerpt=output_excerpt(step.output),
            is_dead_end=step.is_dead_end,
        )
        for step in session.steps.order_by("order")
    ]


def _history(session: Session, before: Activity) -> list[dict]:
    turns = (
        session.activities.filter(kind__in=[Activity.Kind.MESSAGE, Activity.Kind.AI_REPLY])
        .exclude(pk=before.pk)
        .order_by("-created_at")[:HISTORY_TURNS]
    )
    return [
        {"role": "assistant" if a.kind == Activity.Kind.AI_REPLY else "user", "text": redact(a.payload.get("text", ""))}
        for a in reversed(turns)
    ]


def ask_copilot(session: Session, user: User, text: str, *, provider: Provider | None = None) -> CopilotTurn:
    """Record the tech's message, ask the provider, save its steps. Raises AIError (recorded) on failure."""
    _require_workable(session, user)
    text = text.strip()
    if not text:
        raise InvalidOperation("type a message for the copilot")
    # Committed before the AI call: whatever happens next, the typed message is kept.
    with transaction.atomic():
        message = activity.record(session, user, Activity.Kind.MESSAGE, text=text)
        _touch(session)
    provider = provider or get_provider()
    request = CopilotRequest(
        problem_summary=session.problem_summary,
        problem_domain=session.problem_domain,
        question=redact(text),
        client_name=session.client_name,
        tried=tried_steps(session),
        history=_history(session, message),
        # Whoever claimed this session is the senior it was escalated to: never tell them to escalate.
        picked_up=session.activities.filter(kind=Activity.Kind.CLAIMED, actor=user).exists(),
        references=similar.references(
            session.account_id, session.problem_summary, domain=session.problem_domain, exclude=[session.pk]
        ),
    )
    try:
        reply = provider.ask(request)
    except AIError as exc:
        activity.record(
            session,
            None,
            Activity.Kind.AI_ERROR,
            message=exc.message,
            error_kind=exc.kind,
            model=getattr(provider, "model", ""),
        )
        raise
    with transaction.atomic():
        steps = save_ai_reply(
            session, reply, rule_based=provider.is_rule_based, based_on=similar.based_on(request.references)
        )
        refresh_search_vector(session.pk)
    return CopilotTurn(reply=reply.reply, steps=steps, model=reply.model, provider_label=provider.label)


def save_ai_reply(session: Session, reply: CopilotReply, *, rule_based: bool, **extra) -> list[Step]:
    """A copilot answer on the record: its steps as proposed Steps, then the AI_REPLY Activity naming the
    model and tier (and the fast model it was escalated from). Call inside a transaction."""
    order = _next_order(session)
    steps = []
    for offset, proposed in enumerate(reply.steps):
        step = Step.objects.create(
            session=session,
            account_id=session.account_id,
            order=order + offset,
            title=proposed.title[:200],
            detail=proposed.detail,
            command=proposed.command,
            expected_result=proposed.expected_result,
            source=Step.Source.AI,
        )
        activity.record(session, None, Activity.Kind.STEP_PROPOSED, step_id=str(step.pk), title=step.title)
        steps.append(step)
    model = {"model": reply.model, "tier": reply.tier}
    if reply.escalated_from:
        model["escalated_from"] = reply.escalated_from
    activity.record(
        session,
        None,
        Activity.Kind.AI_REPLY,
        text=reply.reply,
        rule_based=rule_based,
        step_ids=[str(s.pk) for s in steps],
        **model,
        **extra,
    )
    return steps


def _result_payload(step: Step) -> dict:
    return {
        "step_id": str(step.pk),
        "title": step.title,
        "status": step.status,
        "result_note": step.result_note[:500],
        "is_dead_end": step.is_dead_end,
        "output_bytes": len(step.output.encode("utf-8")),
        "output_truncated": step.output_truncated,
    }


def add_step(
    session: Session,
    user: User,
    *,
    title: str,
    detail: str = "",
    command: str = "",
    status: str = Step.Status.PROPOSED,
    result_note: str = "",
    output: str = "",
    is_dead_end: bool = False,
    source: str = Step.Source.TECH,
) -> Step:
    """The tech's own step (or a guided flow's, `source=flow`), optionally with its result recorded."""
    _require_workable(session, user)
    title = title.strip()
    if not title:
        raise InvalidOperation("a step needs a title")
    if status not in Step.Status.values:
        raise InvalidOperation(f"unknown step status {status!r}")
    capped, truncated = cap_output(output)
    with transaction.atomic():
        step = Step.objects.create(
            session=session,
            account_id=session.account_id,
            order=_next_order(session),
            title=title[:200],
            detail=detail.strip(),
            command=command.strip(),
            source=source,
            status=status,
            result_note=result_note.strip(),
            output=capped,
            output_truncated=truncated,
            is_dead_end=is_dead_end,
            created_by=user,
        )
        activity.record(session, user, Activity.Kind.STEP_ADDED, step_id=str(step.pk), title=step.title)
        if status != Step.Status.PROPOSED or result_note.strip() or output or is_dead_end:
            activity.record(session, user, Activity.Kind.STEP_RESULT, **_result_payload(step))
        _touch(session)
        refresh_search_vector(session.pk)
    return step


def record_result(
    step: Step,
    user: User,
    *,
    status: str | None = None,
    result_note: str | None = None,
    output: str | None = None,
    is_dead_end: bool | None = None,
) -> Step:
    """Update a step's result; None leaves a field as it is. Output alone is recorded as OUTPUT."""
    session = step.session
    _require_workable(session, user)
    if status is not None and status not in (*RESULT_STATUSES, Step.Status.PROPOSED):
        raise InvalidOperation("status must be done, failed or skipped")
    with transaction.atomic():
        step = Step.objects.select_for_update().get(pk=step.pk)
        before = (step.status, step.result_note, step.is_dead_end)
        if status is not None:
            step.status = status
        if result_note is not None:
            step.result_note = result_note.strip()
        if is_dead_end is not None:
            step.is_dead_end = is_dead_end
        output_changed = output is not None and output != step.output
        if output_changed:
            step.output, step.output_truncated = cap_output(output)
        result_changed = (step.status, step.result_note, step.is_dead_end) != before
        if not (result_changed or output_changed):
            return step
        step.save()
        kind = Activity.Kind.STEP_RESULT if result_changed else Activity.Kind.OUTPUT
        activity.record(session, user, kind, **_result_payload(step))
        _touch(session)
        refresh_search_vector(session.pk)
    return step


def add_note(session: Session, user: User, text: str) -> Activity:
    """A free-text note on the session (kept in the activity log and the ticket notes)."""
    _require_workable(session, user)
    text = text.strip()
    if not text:
        raise InvalidOperation("a note cannot be empty")
    with transaction.atomic():
        note = activity.record(session, user, Activity.Kind.NOTE, text=text)
        _touch(session)
        refresh_search_vector(session.pk)
    return note


def resolve(session: Session, user: User, resolution_summary: str) -> Session:
    """Close the session with a summary; `hooks.session_resolved` runs inside, the PSA push after commit."""
    _require_workable(session, user)
    summary = resolution_summary.strip()
    if not summary:
        raise InvalidOperation("a resolution summary is required")
    with transaction.atomic():
        # Conditional update: of two concurrent resolves only the first matches; the second sees 0 rows.
        now = timezone.now()
        updated = (
            Session.objects.filter(pk=session.pk)
            .exclude(status=Session.Status.RESOLVED)
            .update(status=Session.Status.RESOLVED, resolution_summary=summary, resolved_at=now, updated_at=now)
        )
        if updated != 1:
            raise InvalidOperation("session is resolved")
        session.refresh_from_db()
        activity.record(session, user, Activity.Kind.RESOLVED, summary=summary[:500])
        refresh_search_vector(session.pk)
        hooks.session_resolved(session, user)
        # Recorded with the resolve (outbox), pushed by a worker after commit.
        outbox.enqueue(psa_tasks.RESOLVED, session_id=str(session.pk), resolved_at=now.isoformat())
    return session
