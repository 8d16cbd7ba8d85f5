"""The AI assessment task against the local fake Messages API (real anthropic SDK) and the offline provider."""

from unittest import mock

import pytest

from escalations import broadcast, services
from escalations.assessment import confidence_label
from escalations.assessment_tasks import generate_assessment
from escalations.models import Handoff
from flowpilot.ai.anthropic_provider import ASSESS_TOOL
from tests.support.fake_anthropic import FakeReply

ASSESSMENT = {
    "likely_cause": "A stale cached token in the WAM broker after the password change.",
    "suggested_steps": ["Sign out of all Office apps", "Clear the AAD BrokerPlugin cache", "Re-register the device"],
    "confidence": 0.82,
}


@pytest.mark.parametrize(
    ("score", "label"), [(0.0, "low"), (0.39, "low"), (0.4, "medium"), (0.69, "medium"), (0.7, "high"), (1.0, "high")]
)
def test_confidence_maps_to_low_medium_high(score, label):
    assert confidence_label(score) == label


def test_assessment_ready_from_the_anthropic_provider(fake_anthropic, escalation, django_capture_on_commit_callbacks):
    fake_anthropic.reply_with_tool(ASSESS_TOOL, ASSESSMENT)
    with (
        mock.patch.object(broadcast, "assessment_ready") as announced,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert generate_assessment(str(escalation.pk)) == "ready"
    escalation.refresh_from_db()
    data = escalation.ai_assessment
    assert escalation.assessment_status == Handoff.AssessmentStatus.READY
    assert data["likely_cause"] == ASSESSMENT["likely_cause"]
    assert data["suggested_steps"] == ASSESSMENT["suggested_steps"]
    assert data["confidence"] == "high"
    assert data["model"] and data["generated_at"]
    announced.assert_called_once_with(escalation.pk)
    sent = fake_anthropic.requests[0]["body"]
    assert sent["tool_choice"] == {"type": "tool", "name": ASSESS_TOOL}
    assert "Recreate the Outlook profile" in str(sent["messages"])  # what was tried reaches the model


def test_assessment_unavailable_on_provider_error(fake_anthropic, escalation, django_capture_on_commit_callbacks):
    fake_anthropic.queue(FakeReply(status=500))
    with (
        mock.patch.object(broadcast, "assessment_ready") as announced,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert generate_assessment(str(escalation.pk)) == "unavailable"
    escalation.refresh_from_db()
    assert escalation.assessment_status == Handoff.AssessmentStatus.UNAVAILABLE
    assert escalation.ai_assessment is None
    announced.assert_called_once_with(escalation.pk)  # the "unavailable" state is pushed too


def test_assessment_unavailable_on_timeout(fake_anthropic, escalation, settings):
    settings.AI_ASSESSMENT_TIMEOUT_S = 0.3
    fake_anthropic.queue(FakeReply(tool_name=ASSESS_TOOL, tool_input=ASSESSMENT, delay_s=2.0))
    assert generate_assessment(str(escalation.pk)) == "unavailable"
    escalation.refresh_from_db()
    assert escalation.assessment_status == Handoff.AssessmentStatus.UNAVAILABLE


def test_assessment_unavailable_on_malformed_reply(fake_anthropic, escalation):
    fake_anthropic.reply_with_tool(ASSESS_TOOL, {"likely_cause": "?", "suggested_steps": "not a list"})
    assert generate_assessment(str(escalation.pk)) == "unavailable"


def test_rerun_never_overwrites_a_ready_assessment(fake_anthropic, escalation):
    fake_anthropic.reply_with_tool(ASSESS_TOOL, ASSESSMENT)
    generate_assessment(str(escalation.pk))
    fake_anthropic.reply_with_tool(ASSESS_TOOL, {**ASSESSMENT, "likely_cause": "Something else", "confidence": 0.1})
    assert generate_assessment(str(escalation.pk)) == "ready"
    escalation.refresh_from_db()
    assert escalation.ai_assessment["likely_cause"] == ASSESSMENT["likely_cause"]
    assert len(fake_anthropic.requests) == 1  # the re-run did not even ask


def test_ready_assessment_stored_concurrently_is_not_overwritten_by_a_late_failure(fake_anthropic, escalation):
    def finish_elsewhere_first(*args, **kwargs):
        Handoff.objects.filter(pk=escalation.pk).update(
            assessment_status="ready", ai_assessment={"likely_cause": "from the other worker"}
        )
        raise RuntimeError("this worker failed")

    with mock.patch("flowpilot.ai.anthropic_provider.AnthropicProvider.assess", side_effect=finish_elsewhere_first):
        assert generate_assessment(str(escalation.pk)) == "ready"
    escalation.refresh_from_db()
    assert escalation.ai_assessment == {"likely_cause": "from the other worker"}


def test_unavailable_assessment_can_be_retried_to_ready(fake_anthropic, escalation):
    fake_anthropic.queue(FakeReply(status=500))
    generate_assessment(str(escalation.pk))
    fake_anthropic.reply_with_tool(ASSESS_TOOL, ASSESSMENT)
    assert generate_assessment(str(escalation.pk)) == "ready"


def test_parked_handoffs_are_not_assessed(fake_anthropic, parked):
    assert generate_assessment(str(parked.pk)) == "unavailable"
    assert fake_anthropic.requests == []


def test_escalate_queues_the_assessment_after_commit_offline(
    worked_session, senior, django_capture_on_commit_callbacks
):
    # Embedded default: offline provider, Celery eager: the handoff is ready once the callbacks ran.
    with django_capture_on_commit_callbacks(execute=True):
        handoff = services.escalate(worked_session, senior)
        handoff.refresh_from_db()
        assert handoff.assessment_status == "pending"  # nothing ran inside the transaction
    handoff.refresh_from_db()
    assert handoff.assessment_status == "ready"
    assert 3 <= len(handoff.ai_assessment["suggested_steps"]) <= 5
    assert handoff.ai_assessment["confidence"] in {"low", "medium", "high"}


def test_missing_handoff_is_a_no_op(db):
    assert generate_assessment("00000000-0000-0000-0000-000000000000") == "missing"
