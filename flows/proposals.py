"""The knowledge loop's write path: propose from a resolved session, edit, accept into a draft, reject.

`propose_from_session` runs in a Celery task queued after the resolve commits
(flows/receivers.py); it is idempotent (one ProposalSource per session, unique).
Proposals of the same problem (account, domain, target flow and overlapping words)
group: a pending one gains the session instead of a second proposal piling up.
"""

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from flowpilot.models import Session
from flowpilot.redact import redact
from flowpilot.similar import keywords
from flows import builder, learning, runner, services
from flows import graph as graphs
from flows.models import Flow, FlowProposal, FlowRun, ProposalSource
from resolutionflow.domain import Conflict, InvalidOperation

# Share of the shorter problem's words the other must hold to count as the same problem.
SAME_PROBLEM_OVERLAP = 0.5
REASON_MAX = 2000
GAP_SESSIONS_MAX = 20


def same_problem(a: str, b: str) -> bool:
    words_a, words_b = set(a.split()), set(b.split())
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) / min(len(words_a), len(words_b)) >= SAME_PROBLEM_OVERLAP


def _failed_run(session: Session) -> FlowRun | None:
    """The run this session left or escalated from (a run still open at resolve counts as left)."""
    run = runner.latest_run(session)
    if run is None or run.outcome == FlowRun.Outcome.RESOLVED or not run.current:
        return None
    return run


def _group(session: Session, flow_id, words: str) -> FlowProposal | None:
    pending = FlowProposal.objects.filter(
        account_id=session.account_id,
        status=FlowProposal.Status.PENDING,
        problem_domain=session.problem_domain,
        flow_id=flow_id,
    ).order_by("created_at")
    return next((p for p in pending[:200] if same_problem(p.problem_text, words)), None)


def propose_from_session(session_id: uuid.UUID | str) -> FlowProposal | None:
    """The proposal this resolved session feeds (new or grouped); None when there is nothing to learn."""
    session = Session.objects.filter(pk=session_id, status=Session.Status.RESOLVED).first()
    if session is None:
        return None
    existing = ProposalSource.objects.filter(session=session).select_related("proposal").first()
    if existing:
        return existing.proposal
    run = runner.latest_run(session)
    if run is not None and run.outcome == FlowRun.Outcome.RESOLVED:
        return None  # the flow did its job: nothing to add
    run = _failed_run(session)
    words = " ".join(keywords(session.problem_summary))
    flow_id = run.flow_id if run else None
    proposal = _group(session, flow_id, words)
    if proposal is None:
        facts = learning.evidence(session)
        if run is not None:
            learned = learning.learn(
                facts, base=run.current_version.graph, at_node=run.current, flow_title=run.flow.title
            )
        else:
            learned = learning.learn(facts)
        proposal = FlowProposal(
            account_id=session.account_id,
            flow_id=flow_id,
            at_node=run.current if run else "",
            title=learned.title,
            problem_domain=session.problem_domain,
            problem_text=words,
            graph=learned.graph,
            rationale=learned.rationale,
            model=learned.model,
        )
    try:
        with transaction.atomic():
            if proposal._state.adding:
                proposal.save()
            else:  # grouped: the reviewer's edits stay, the proposal moves up the queue
                FlowProposal.objects.filter(pk=proposal.pk).update(updated_at=timezone.now())
            ProposalSource.objects.create(proposal=proposal, session=session, account_id=session.account_id)
    except IntegrityError:
        # The task ran twice (acks_late) and the other run recorded this session first.
        return ProposalSource.objects.get(session=session).proposal
    return proposal


def _pending(proposal: FlowProposal, user: User) -> None:
    services.require_publisher(user)
    if proposal.account_id != user.account_id:
        raise InvalidOperation("proposal belongs to another account")
    if proposal.status != FlowProposal.Status.PENDING:
        raise Conflict(f"This proposal was already {proposal.status}.")


def update_graph(proposal: FlowProposal, user: User, document) -> list[graphs.GraphError]:
    """Save the reviewer's edit (normalized, work in progress kept) and return its problems ([] when valid)."""
    _pending(proposal, user)
    graph = graphs.normalize(document)
    FlowProposal.objects.filter(pk=proposal.pk, status=FlowProposal.Status.PENDING).update(
        graph=graph, updated_at=timezone.now()
    )
    proposal.graph = graph
    return problems(proposal)


def problems(proposal: FlowProposal) -> list[graphs.GraphError]:
    """The proposal's graph through the flow validator, links checked against the account's flows."""
    return graphs.check(proposal.graph, link_check=services.link_checker(proposal.account_id))


def _claim(proposal: FlowProposal, user: User, status: str, **fields) -> None:
    won = FlowProposal.objects.filter(pk=proposal.pk, status=FlowProposal.Status.PENDING).update(
        status=status, reviewer=user, reviewed_at=timezone.now(), **fields
    )
    if won != 1:
        # The conditional update matched nothing: another reviewer accepted or rejected it first.
        raise Conflict("Someone reviewed this proposal a moment ago; reload to see what they decided.")


def _draft_for(proposal: FlowProposal, user: User, graph: dict) -> Flow:
    """An amendment replaces the target's draft when it has no unpublished edits; otherwise a new draft."""
    target = proposal.flow
    if target is not None and target.status != Flow.Status.ARCHIVED:
        latest = target.versions.order_by("-number").first()
        if latest is not None and graphs.normalize(target.graph) == graphs.normalize(latest.graph):
            return services.replace_graph(target, user, graph)
    title = f"{target.title} (amended)" if target else proposal.title
    description = redact(proposal.rationale)[:4000]
    domain = proposal.problem_domain
    return services.create_flow(user, title=title, problem_domain=domain, description=description, graph=graph)


def accept(proposal: FlowProposal, user: User, document=None) -> Flow:
    """A draft flow from the (edited) proposal; never published. Owner/admin; one reviewer wins."""
    _pending(proposal, user)
    graph = graphs.validate(
        proposal.graph if document is None else document, link_check=services.link_checker(proposal.account_id)
    )
    with transaction.atomic():
        _claim(proposal, user, FlowProposal.Status.ACCEPTED, graph=graph)
        draft = _draft_for(proposal, user, graph)
        FlowProposal.objects.filter(pk=proposal.pk).update(draft=draft)
    proposal.refresh_from_db()
    return draft


def reject(proposal: FlowProposal, user: User, reason: str) -> FlowProposal:
    """Close the proposal with the reviewer's reason (required)."""
    _pending(proposal, user)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidOperation("say why the proposal is rejected")
    _claim(proposal, user, FlowProposal.Status.REJECTED, reason=reason[:REASON_MAX])
    proposal.refresh_from_db()
    return proposal


def draft_from_sessions(user: User, session_ids: list) -> FlowProposal | Flow:
    """ "Draft a flow from these sessions" (a knowledge gap): a proposal from the resolved ones, or, when none is
    resolved yet, a builder draft from their problems. Engineer-or-admin; reviewing stays owner/admin."""
    services.require_engineer(user)
    sessions = Session.objects.filter(account_id=user.account_id, pk__in=session_ids[:GAP_SESSIONS_MAX])
    if not sessions.exists():
        raise InvalidOperation("none of these sessions is in your account")
    for session in sessions.filter(status=Session.Status.RESOLVED).order_by("-resolved_at"):
        proposal = propose_from_session(session.pk)
        if proposal is not None:
            return proposal
    first = sessions.order_by("-created_at").first()
    problems = "\n".join(sorted({s.problem_summary for s in sessions}))[:4000]
    return builder.generate(user, description=problems, problem_domain=first.problem_domain)
