"""The knowledge loop: proposals from resolved sessions, grouping, accept and reject."""

import pytest
from django.db import transaction

from escalations import services as escalations
from flowpilot import services as session_services
from flows import graph as graphs
from flows import proposals, runner
from flows.models import Flow, FlowProposal, ProposalSource
from resolutionflow.domain import Conflict, InvalidOperation, RoleRequired

pytestmark = pytest.mark.django_db


def worked_session(user, summary="Outlook keeps asking for the password", domain="email"):
    session = session_services.open_session(user, problem_summary=summary, problem_domain=domain)
    session_services.add_step(
        session,
        user,
        title="Recreate the Outlook profile",
        status="failed",
        is_dead_end=True,
        result_note="Still prompts",
    )
    session_services.add_step(
        session,
        user,
        title="Clear cached credentials",
        command="cmdkey /list",
        status="done",
        result_note="Prompt gone",
    )
    return session


def resolve(session, user, summary="Cleared stale credentials in Credential Manager", callbacks=None):
    session_services.resolve(session, user, summary)


def test_resolving_an_escalated_session_creates_one_pending_proposal_after_commit(
    engineer, senior, django_capture_on_commit_callbacks
):
    session = worked_session(engineer)
    handoff = escalations.escalate(session, engineer, "stuck")
    escalations.claim(handoff, senior)
    session.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resolve(session, senior)
    assert not FlowProposal.objects.exists()  # nothing before commit
    for callback in callbacks:
        callback()
    proposal = FlowProposal.objects.get()
    assert proposal.status == "pending" and proposal.flow is None
    assert list(proposal.sources.values_list("session_id", flat=True)) == [session.pk]
    texts = [n["text"] for n in proposal.graph["nodes"]]
    assert any("Recreate the Outlook profile" in t for t in texts)  # the dead end rules a cause out
    assert "Clear cached credentials" in texts  # what worked is an action
    assert graphs.check(proposal.graph) == []


def test_a_rolled_back_resolve_proposes_nothing(engineer, django_capture_on_commit_callbacks):
    session = worked_session(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                resolve(session, engineer)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert not FlowProposal.objects.exists()


def test_a_session_never_yields_two_proposals(engineer, django_capture_on_commit_callbacks):
    session = worked_session(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        resolve(session, engineer)
    again = proposals.propose_from_session(session.pk)  # the task delivered twice
    assert FlowProposal.objects.count() == 1 and again == FlowProposal.objects.get()
    assert ProposalSource.objects.filter(session=session).count() == 1


def test_proposals_of_the_same_problem_group(engineer, django_capture_on_commit_callbacks):
    first = worked_session(engineer, "Outlook keeps asking for the password")
    second = worked_session(engineer, "Outlook asking for password every morning")
    other = worked_session(engineer, "Printer offline on floor two", domain="printing")
    with django_capture_on_commit_callbacks(execute=True):
        for session in (first, second, other):
            resolve(session, engineer)
    assert FlowProposal.objects.count() == 2
    grouped = FlowProposal.objects.get(problem_domain="email")
    assert set(grouped.sources.values_list("session_id", flat=True)) == {first.pk, second.pk}


def test_a_session_that_left_flow_f_proposes_an_amendment_at_the_node(
    published, session, engineer, django_capture_on_commit_callbacks
):
    run = runner.start_run(session, engineer, published)
    run = runner.answer(run, engineer, node="connected", answer="Yes")
    assert run.current == "mtu"
    runner.leave(run, engineer)
    session_services.add_step(session, engineer, title="Update the VPN client to 5.1", status="done")
    with django_capture_on_commit_callbacks(execute=True):
        session_services.resolve(session, engineer, "Updating the client fixed the drops")
    proposal = FlowProposal.objects.get()
    assert proposal.flow == published and proposal.at_node == "mtu"
    nodes = {n["key"]: n for n in proposal.graph["nodes"]}
    # Whatever led to "mtu" now tries the fix first; "still failing" carries on to "mtu".
    assert nodes["connected"]["answers"][0]["next"] != "mtu"
    assert any(n.get("text") == "Update the VPN client to 5.1" for n in nodes.values())
    check = next(n for n in nodes.values() if n["text"] == "Is the problem fixed now?")
    assert {"label": "No", "next": "mtu"} in check["answers"]
    assert set(published.graph and [n["key"] for n in published.graph["nodes"]]) <= set(nodes)


def test_a_session_resolved_by_its_flow_proposes_nothing(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    run = runner.answer(run, engineer, node="connected", answer="No")
    run = runner.answer(run, engineer, node="restart", status="done")
    session_services.resolve(session, engineer, "Restarted the service")
    assert proposals.propose_from_session(session.pk) is None


def make_proposal(engineer):
    session = worked_session(engineer)
    session_services.resolve(session, engineer, "Cleared stale credentials")
    return proposals.propose_from_session(session.pk)


def test_accept_creates_a_draft_never_published(engineer, owner):
    proposal = make_proposal(engineer)
    draft = proposals.accept(proposal, owner)
    assert draft.status == Flow.Status.DRAFT and draft.latest_version == 0
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.reviewer == owner and proposal.draft == draft
    with pytest.raises(Conflict):
        proposals.accept(proposal, owner)


def test_accept_loses_the_race_to_a_reject(engineer, owner, admin_user):
    proposal = make_proposal(engineer)
    stale = FlowProposal.objects.get(pk=proposal.pk)
    proposals.reject(proposal, admin_user, "duplicate of our VPN flow")
    with pytest.raises(Conflict):
        proposals._claim(stale, owner, FlowProposal.Status.ACCEPTED)
    assert not Flow.objects.exists()


def test_accept_an_amendment_replaces_the_target_draft(published, session, engineer, owner):
    run = runner.start_run(session, engineer, published)
    runner.leave(run, engineer)
    session_services.add_step(session, engineer, title="Update the VPN client", status="done")
    session_services.resolve(session, engineer, "Updated the client")
    proposal = proposals.propose_from_session(session.pk)
    draft = proposals.accept(proposal, owner)
    assert draft.pk == published.pk and draft.latest_version == 1  # draft edited, version 1 untouched
    assert "Update the VPN client" in graphs.node_text(draft.graph)


def test_edited_graph_is_validated_before_accepting(engineer, owner):
    proposal = make_proposal(engineer)
    broken = {**proposal.graph, "start": "nowhere"}
    errors = proposals.update_graph(proposal, owner, broken)
    assert errors and "nowhere" in errors[0].message
    with pytest.raises(graphs.InvalidGraph):
        proposals.accept(proposal, owner)


def test_reject_records_the_reason(engineer, owner):
    proposal = make_proposal(engineer)
    with pytest.raises(InvalidOperation):
        proposals.reject(proposal, owner, "  ")
    proposals.reject(proposal, owner, "We already document this")
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.reason == "We already document this"


@pytest.mark.parametrize("role", ["engineer", "viewer"])
def test_only_owner_or_admin_reviews(role, engineer, request):
    proposal = make_proposal(engineer)
    user = request.getfixturevalue(role)
    with pytest.raises(RoleRequired):
        proposals.accept(proposal, user)
    with pytest.raises(RoleRequired):
        proposals.reject(proposal, user, "no")


def test_another_account_cannot_review(engineer, outsider):
    outsider.account_role = "owner"
    outsider.save()
    proposal = make_proposal(engineer)
    with pytest.raises(InvalidOperation):
        proposals.accept(proposal, outsider)
