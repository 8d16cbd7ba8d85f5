"""Item 5 of issue 13 on real data: the demo's escalations and a claimed session's copilot."""

import pytest

from accounts import demo as accounts_demo
from escalations import demo, services
from escalations.assessment import assess_handoff
from escalations.models import Handoff
from flowpilot import services as session_services
from flowpilot.ai import evidence
from flowpilot.ai.anthropic_provider import ASSESS_TOOL
from flowpilot.ai.offline import match_rule
from flowpilot.ai.offline_rules import CAUSES

pytestmark = pytest.mark.django_db


def test_demo_assessments_never_blame_a_ruled_out_cause_or_repeat_a_tried_step(db, django_capture_on_commit_callbacks):
    # The demo escalates through the services: the assessment is a side effect after commit.
    with django_capture_on_commit_callbacks(execute=True):
        accounts = accounts_demo.seed()
        demo.seed(accounts)
    handoffs = Handoff.objects.filter(intent="escalate", assessment_status="ready")
    assert handoffs.exists()
    for handoff in handoffs:
        snap = handoff.snapshot
        tried = evidence.tried_titles(snap["steps"])
        rule = match_rule(snap["summary"], snap["domain"])
        ruled_out = [
            cause.text
            for cause in CAUSES[rule.key]
            if any(evidence.same_step(rule.steps[i].title, t) for i in cause.tested_by for t in tried)
        ]
        cause = handoff.ai_assessment["likely_cause"]
        assert not any(cause.startswith(text) for text in ruled_out), (cause, ruled_out)
        suggested = handoff.ai_assessment["suggested_steps"]
        assert not any(evidence.same_step(s, t) for s in suggested for t in tried), (suggested, tried)


def test_anthropic_suggestions_that_repeat_a_tried_step_are_dropped(fake_anthropic, escalation):
    # The fixture session has "Check credential manager" done and "Recreate the Outlook profile" failed.
    fake_anthropic.reply_with_tool(
        ASSESS_TOOL,
        {
            "likely_cause": "A broken WAM broker.",
            "suggested_steps": ["Create a fresh Outlook profile", "Check the credential manager", "Reset WAM"],
            "confidence": 0.6,
        },
    )
    assert assess_handoff(escalation.pk) == "ready"
    escalation.refresh_from_db()
    assert escalation.ai_assessment["suggested_steps"] == ["Reset WAM"]


def test_copilot_never_tells_the_claimer_to_escalate(engineer, senior):
    summary = "Nightly Veeam backup job failed"
    session = session_services.open_session(engineer, problem_summary=summary, problem_domain="server")
    for step in match_rule(summary).steps:
        session_services.add_step(session, engineer, title=step.title, status="done")
    junior_turn = session_services.ask_copilot(session, engineer, "Still failing, what next?")
    assert "escalate" in junior_turn.reply

    services.claim(services.escalate(session, engineer), senior)
    senior_turn = session_services.ask_copilot(session, senior, "Still failing, what next?")
    assert "escalat" not in senior_turn.reply.lower()
