"""Session services: each owns its transaction and writes exactly its Activity kinds."""

import pytest

from flowpilot import services
from flowpilot.ai import AIError, CopilotReply, ProposedStep
from flowpilot.models import OUTPUT_CAP_BYTES, WORK_ACTIVITY_KINDS, Activity, Session, Step
from resolutionflow.domain import InvalidOperation, RoleRequired


class FailingProvider:
    label = "broken"
    is_rule_based = False

    def ask(self, request):
        raise AIError("The copilot took too long to answer.", kind="timeout")


class RecordingProvider:
    label = "recording"
    is_rule_based = False

    def __init__(self):
        self.requests = []

    def ask(self, request):
        self.requests.append(request)
        return CopilotReply(reply="ok", steps=[ProposedStep(title="Reboot", command="shutdown /r")], model="m")


@pytest.fixture
def session(engineer):
    return services.open_session(engineer, problem_summary="VPN drops", problem_domain="networking")


def kinds(session):
    return list(session.activities.order_by("created_at").values_list("kind", flat=True))


def test_open_session_records_opened_and_assigns_owner(engineer):
    session = services.open_session(engineer, problem_summary="  Printer offline  ", client_name="Fabrikam")
    assert session.owner == engineer and session.assignee == engineer
    assert session.problem_summary == "Printer offline"
    assert session.problem_domain == "other"
    assert session.account_id == engineer.account_id
    assert kinds(session) == [Activity.Kind.OPENED]


def test_open_session_by_viewer_is_refused(viewer):
    with pytest.raises(RoleRequired, match="engineer or admin role required"):
        services.open_session(viewer, problem_summary="x")


def test_open_session_needs_a_summary_and_a_known_domain(engineer):
    with pytest.raises(InvalidOperation):
        services.open_session(engineer, problem_summary="   ")
    with pytest.raises(InvalidOperation, match="unknown problem domain"):
        services.open_session(engineer, problem_summary="x", problem_domain="plumbing")


def test_ask_copilot_records_message_reply_and_proposed_steps(session, engineer):
    provider = RecordingProvider()
    turn = services.ask_copilot(session, engineer, "what now?", provider=provider)
    assert [s.title for s in turn.steps] == ["Reboot"]
    step = session.steps.get()
    assert step.source == Step.Source.AI and step.command == "shutdown /r" and step.order == 1
    assert kinds(session) == ["opened", "message", "step_proposed", "ai_reply"]
    message = session.activities.get(kind="message")
    assert message.actor == engineer and message.payload["text"] == "what now?"
    assert session.activities.get(kind="ai_reply").actor is None
    assert session.activities.get(kind="step_proposed").actor is None


def test_ask_copilot_error_keeps_the_message_and_records_ai_error(session, engineer):
    with pytest.raises(AIError):
        services.ask_copilot(session, engineer, "is the tunnel up?", provider=FailingProvider())
    assert kinds(session) == ["opened", "message", "ai_error"]
    assert session.activities.get(kind="message").payload["text"] == "is the tunnel up?"
    error = session.activities.get(kind="ai_error")
    assert error.actor is None and error.payload["error_kind"] == "timeout"


def test_follow_up_request_carries_steps_tried_and_history_with_secrets_redacted(session, engineer):
    provider = RecordingProvider()
    services.ask_copilot(session, engineer, "first", provider=provider)
    step = session.steps.get()
    services.record_result(
        step, engineer, status="failed", result_note="no change", output="token=abc123secret", is_dead_end=True
    )
    services.ask_copilot(session, engineer, "my password: hunter2", provider=provider)
    request = provider.requests[-1]
    assert request.tried[0].title == "Reboot"
    assert request.tried[0].is_dead_end is True and request.tried[0].status == "failed"
    assert request.tried[0].output_excerpt == "token=[REDACTED]"
    assert request.question == "my password: [REDACTED]"
    assert [t["role"] for t in request.history] == ["user", "assistant"]


def test_output_over_64kb_is_truncated_on_a_character_boundary(session, engineer):
    big = "é" * (OUTPUT_CAP_BYTES // 2 + 10)  # two bytes per character
    step = services.add_step(session, engineer, title="Dump log", output=big)
    assert step.output_truncated is True
    assert len(step.output.encode()) <= OUTPUT_CAP_BYTES
    assert set(step.output) == {"é"}
    small = services.add_step(session, engineer, title="Small", output="ok")
    assert small.output_truncated is False


def test_add_step_with_result_records_added_and_result(session, engineer):
    step = services.add_step(session, engineer, title="Ping gateway", status="done", result_note="replies")
    assert step.source == Step.Source.TECH and step.created_by == engineer
    assert kinds(session)[-2:] == ["step_added", "step_result"]
    services.add_step(session, engineer, title="Plain")
    assert kinds(session)[-1] == "step_added"


def test_record_result_output_alone_is_output_activity(session, engineer):
    step = services.add_step(session, engineer, title="ipconfig")
    services.record_result(step, engineer, output="IPv4 Address: 10.0.0.5")
    assert kinds(session)[-1] == Activity.Kind.OUTPUT
    services.record_result(step, engineer, status="done")
    assert kinds(session)[-1] == Activity.Kind.STEP_RESULT
    count = len(kinds(session))
    services.record_result(step, engineer, status="done", output="IPv4 Address: 10.0.0.5")
    assert len(kinds(session)) == count  # nothing changed, nothing recorded


def test_record_result_rejects_unknown_status(session, engineer):
    step = services.add_step(session, engineer, title="x")
    with pytest.raises(InvalidOperation):
        services.record_result(step, engineer, status="maybe")


def test_add_note_records_note(session, engineer):
    note = services.add_note(session, engineer, "Client says it started Monday")
    assert note.kind == Activity.Kind.NOTE and note.payload["text"] == "Client says it started Monday"
    with pytest.raises(InvalidOperation):
        services.add_note(session, engineer, "  ")


def test_work_is_allowed_while_parked_or_escalated(session, engineer):
    for status in (Session.Status.PARKED, Session.Status.ESCALATED):
        Session.objects.filter(pk=session.pk).update(status=status)
        session.refresh_from_db()
        services.add_note(session, engineer, f"while {status}")


def test_resolve_records_and_queues_psa_hook_after_commit(
    session, engineer, monkeypatch, django_capture_on_commit_callbacks
):
    called = []
    monkeypatch.setattr("flowpilot.psa.hooks.session_resolved", lambda session_id: called.append(session_id))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.resolve(session, engineer, "Replaced the router")
    # Apps above flowpilot may queue their own after-commit work from hooks.session_resolved.
    assert callbacks and called == [str(session.pk)]
    session.refresh_from_db()
    assert session.status == Session.Status.RESOLVED and session.resolved_at is not None
    assert session.resolution_summary == "Replaced the router"
    assert kinds(session)[-1] == Activity.Kind.RESOLVED


def test_resolve_hook_failure_does_not_undo_the_resolve(
    session, engineer, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(session_id):
        raise RuntimeError("PSA down")

    monkeypatch.setattr("flowpilot.psa.hooks.session_resolved", boom)
    with django_capture_on_commit_callbacks(execute=True):
        services.resolve(session, engineer, "Fixed")
    session.refresh_from_db()
    assert session.status == Session.Status.RESOLVED


def test_resolved_session_refuses_all_work(session, engineer):
    services.resolve(session, engineer, "done")
    step_session = Session.objects.get(pk=session.pk)
    for call in (
        lambda: services.resolve(step_session, engineer, "again"),
        lambda: services.add_note(step_session, engineer, "x"),
        lambda: services.add_step(step_session, engineer, title="x"),
        lambda: services.ask_copilot(step_session, engineer, "x", provider=RecordingProvider()),
    ):
        with pytest.raises(InvalidOperation, match="session is resolved"):
            call()


def test_resolve_needs_a_summary(session, engineer):
    with pytest.raises(InvalidOperation, match="resolution summary"):
        services.resolve(session, engineer, " ")


def test_tech_work_kinds_count_as_work_for_metrics(session, engineer):
    step = services.add_step(session, engineer, title="x")
    services.record_result(step, engineer, status="done")
    services.record_result(step, engineer, output="out")
    services.add_note(session, engineer, "n")
    services.ask_copilot(session, engineer, "q", provider=RecordingProvider())
    tech_kinds = set(session.activities.filter(actor=engineer).exclude(kind="opened").values_list("kind", flat=True))
    assert tech_kinds == {"step_added", "step_result", "output", "note", "message"}
    assert tech_kinds <= WORK_ACTIVITY_KINDS
