"""Running a flow in a session: steps and activity, stale answers, back, leave, outcomes, links."""

import pytest

from escalations import services as escalation_services
from flowpilot import notes
from flowpilot.models import Activity, Step
from flows import runner, services
from flows.models import FlowRun
from resolutionflow.domain import Conflict, InvalidOperation, RoleRequired

pytestmark = pytest.mark.django_db


def test_start_pins_the_published_version_and_shows_the_start_node(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    assert run.version.number == 1
    assert run.current == "connected"
    assert session.activities.filter(kind=runner.STARTED).count() == 1


def test_answer_records_a_flow_step_with_the_answer_as_result(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    run = runner.answer(run, engineer, node="connected", answer="no")
    step = session.steps.get()
    assert (step.source, step.status, step.result_note) == (Step.Source.FLOW, Step.Status.DONE, "Answer: No")
    assert run.current == "restart" and run.path == ["connected"]
    kinds = list(session.activities.values_list("kind", flat=True))
    assert Activity.Kind.STEP_ADDED in kinds and Activity.Kind.STEP_RESULT in kinds


def test_action_records_status_note_output_and_reaching_an_outcome_ends_the_run(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    runner.answer(run, engineer, node="connected", answer="No")
    run = runner.answer(run, engineer, node="restart", status="done", result_note="service up", output="OK")
    step = session.steps.get(title="Restart the VPN service")
    assert (step.status, step.result_note, step.output, step.command) == (
        "done",
        "service up",
        "OK",
        "Restart-Service vpnagent",
    )
    assert run.ended and run.outcome == "resolved" and run.current == "fixed"


def test_stale_node_is_a_conflict(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    runner.answer(run, engineer, node="connected", answer="Yes")
    with pytest.raises(Conflict):
        runner.answer(run, engineer, node="connected", answer="No")
    assert session.steps.count() == 1


def test_unknown_answer_and_missing_status_are_refused(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    with pytest.raises(InvalidOperation, match="Yes, No"):
        runner.answer(run, engineer, node="connected", answer="Maybe")
    runner.answer(run, engineer, node="connected", answer="Yes")
    with pytest.raises(InvalidOperation):
        runner.answer(run, engineer, node="mtu", status="proposed")


def test_back_undoes_the_last_answer_without_deleting_it(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    run = runner.answer(run, engineer, node="connected", answer="Yes")
    run = runner.back(run, engineer)
    assert run.current == "connected" and run.path == []
    assert len(run.history) == 1 and run.history[0]["undone"]
    step = session.steps.get()
    assert step.status == Step.Status.SKIPPED and "undone" in step.result_note
    run = runner.answer(run, engineer, node="connected", answer="No")
    assert run.path == ["connected"] and session.steps.count() == 2
    assert session.activities.filter(kind=runner.WENT_BACK).count() == 1


def test_back_at_the_start_is_refused(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    with pytest.raises(InvalidOperation):
        runner.back(run, engineer)


def test_back_from_an_outcome_reopens_the_run(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    runner.answer(run, engineer, node="connected", answer="Yes")
    run = runner.answer(run, engineer, node="mtu", status="failed")
    assert run.outcome == "escalate"
    run = runner.back(run, engineer)
    assert not run.ended and run.current == "mtu"


def test_leave_ends_the_run_and_allows_a_new_one(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    with pytest.raises(Conflict):
        runner.start_run(session, engineer, published)
    run = runner.leave(run, engineer)
    assert run.outcome == FlowRun.Outcome.LEFT and run.ended
    with pytest.raises(InvalidOperation):
        runner.leave(run, engineer)
    assert runner.start_run(session, engineer, published).pk != run.pk


def test_a_draft_cannot_be_run(draft, session, engineer):
    with pytest.raises(InvalidOperation):
        runner.start_run(session, engineer, draft)


def test_viewer_cannot_run(published, session, viewer):
    with pytest.raises(RoleRequired):
        runner.start_run(session, viewer, published)


def test_run_keeps_its_version_when_a_new_one_is_published(published, session, engineer, owner, graph):
    run = runner.start_run(session, engineer, published)
    graph["nodes"][0]["text"] = "Does it connect? (v2)"
    services.replace_graph(published, engineer, graph)
    services.publish(published, owner)
    run = runner.answer(run, engineer, node="connected", answer="Yes")
    assert run.version.number == 1
    assert session.steps.get().title == "Does the VPN client connect at all?"


def test_link_node_continues_in_the_linked_flow(published, engineer, owner, session):
    outer = services.create_flow(
        engineer,
        title="Remote access",
        graph={
            "schema_version": 1,
            "start": "kind",
            "nodes": [
                {
                    "key": "kind",
                    "type": "question",
                    "text": "VPN or RDP?",
                    "answers": [{"label": "VPN", "next": "vpn"}, {"label": "RDP", "next": "done"}],
                },
                {"key": "vpn", "type": "link", "text": "VPN flow", "flow": str(published.pk)},
                {"key": "done", "type": "outcome", "text": "Done", "outcome": "resolved"},
            ],
        },
    )
    services.publish(outer, owner)
    run = runner.start_run(session, engineer, outer)
    run = runner.answer(run, engineer, node="kind", answer="VPN")
    assert run.current == "connected" and run.current_version.flow_id == published.pk
    run = runner.answer(run, engineer, node="connected", answer="Yes")
    run = runner.back(run, engineer)
    assert run.current == "connected"


def test_snapshot_and_notes_show_the_flow_path(published, session, engineer):
    run = runner.start_run(session, engineer, published)
    runner.answer(run, engineer, node="connected", answer="Yes")
    runner.answer(run, engineer, node="mtu", status="failed", result_note="still drops, password=hunter2")
    handoff = escalation_services.escalate(session, engineer, engineer_notes="stuck")
    flow = handoff.snapshot["flow"]
    assert flow["title"] == "VPN drops" and flow["version"] == 1
    assert flow["path"] == ["connected", "mtu"]
    assert flow["stopped_at"]["node"] == "escalate" and flow["outcome"] == "escalate"
    assert "hunter2" not in str(flow)
    markdown = notes.render_ticket_notes(session, "md")
    assert "### Guided flow" in markdown
    assert "Does the VPN client connect at all? → Yes" in markdown
    assert "Outcome: escalate" in markdown


def test_a_lost_publish_race_is_a_conflict(draft, owner):
    stale = type(draft).objects.get(pk=draft.pk)
    services.publish(draft, owner)
    with pytest.raises(Conflict):
        services.publish(stale, owner)
    assert draft.versions.count() == 1


def test_published_versions_are_immutable(published):
    version = published.versions.get()
    version.graph = {}
    with pytest.raises(ValueError):
        version.save()


def test_archived_flow_cannot_be_edited_or_published(published, owner, engineer, graph):
    services.archive(published, owner)
    with pytest.raises(InvalidOperation):
        services.replace_graph(published, engineer, graph)
    with pytest.raises(InvalidOperation):
        services.publish(published, owner)
