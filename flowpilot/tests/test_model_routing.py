"""Model routing: the fast model for copilot answers, the deep one for assessments, one retry when unsure."""

import pytest

from flowpilot import services
from flowpilot.ai import CopilotRequest, get_provider, routing
from flowpilot.ai.anthropic_provider import ASSESS_TOOL, STEPS_TOOL, AnthropicProvider
from flowpilot.ai.offline import OfflineProvider
from flowpilot.models import Activity

pytestmark = pytest.mark.django_db

FAST, DEEP = "claude-fast-test", "claude-deep-test"


def steps_reply(reply: str, confidence: float | None = None) -> dict:
    data = {"reply": reply, "steps": [{"title": f"Step from {reply}", "detail": "d"}]}
    return data if confidence is None else {**data, "confidence": confidence}


@pytest.fixture
def routed(fake_anthropic, settings):
    settings.AI_MODEL = ""
    settings.AI_MODEL_FAST = FAST
    settings.AI_MODEL_DEEP = DEEP
    return fake_anthropic


def test_defaults_are_haiku_fast_and_sonnet_deep(settings):
    settings.AI_MODEL = settings.AI_MODEL_FAST = settings.AI_MODEL_DEEP = ""
    assert routing.model_for(routing.COPILOT) == "claude-haiku-5-5"
    assert routing.model_for(routing.ASSESSMENT) == "claude-sonnet-5-5"


def test_ai_model_alone_keeps_working_as_both_tiers(settings):
    settings.AI_MODEL, settings.AI_MODEL_FAST, settings.AI_MODEL_DEEP = "claude-one", "", ""
    assert {routing.model_for(task) for task in routing.TASK_TIERS} == {"claude-one"}


def test_tasks_map_to_tiers():
    assert routing.tier_for(routing.COPILOT) == routing.tier_for(routing.ASSISTANT) == routing.FAST
    assert {routing.tier_for(t) for t in (routing.ASSESSMENT, routing.FLOW_BUILD, routing.PROPOSAL)} == {routing.DEEP}


def test_a_copilot_answer_uses_the_fast_model(routed):
    routed.reply_with_tool(STEPS_TOOL, steps_reply("fast answer", 0.9))
    reply = get_provider().ask(_request())
    assert routed.models == [FAST]
    assert (reply.model, reply.tier, reply.escalated_from) == (FAST, routing.FAST, "")


def test_an_answer_without_confidence_is_not_retried(routed):
    routed.reply_with_tool(STEPS_TOOL, steps_reply("fast answer"))
    get_provider().ask(_request())
    assert routed.models == [FAST]


def test_a_low_confidence_fast_answer_is_retried_on_the_deep_model_once(routed):
    routed.reply_with_tool(STEPS_TOOL, steps_reply("unsure", 0.2))
    # The deep answer is unsure too: it stands, there is no third call.
    routed.reply_with_tool(STEPS_TOOL, steps_reply("deep answer", 0.1))
    reply = get_provider().ask(_request())
    assert routed.models == [FAST, DEEP]
    assert (reply.reply, reply.model, reply.tier, reply.escalated_from) == ("deep answer", DEEP, routing.DEEP, FAST)


def test_no_retry_when_both_tiers_are_the_same_model(routed, settings):
    settings.AI_MODEL_DEEP = FAST
    routed.reply_with_tool(STEPS_TOOL, steps_reply("unsure", 0.1))
    get_provider().ask(_request())
    assert routed.models == [FAST]


def test_the_escalation_assessment_uses_the_deep_model(routed):
    routed.reply_with_tool(ASSESS_TOOL, {"likely_cause": "MTU", "suggested_steps": ["a", "b", "c"], "confidence": 0.8})
    assessment = get_provider().assess({"summary": "VPN drops", "steps": []}, timeout=5)
    assert routed.models == [DEEP]
    assert (assessment.model, assessment.tier) == (DEEP, routing.DEEP)


def test_the_activity_records_the_model_used_and_the_escalation(routed, engineer):
    session = services.open_session(engineer, problem_summary="Outlook prompts for a password")
    routed.reply_with_tool(STEPS_TOOL, steps_reply("unsure", 0.3))
    routed.reply_with_tool(STEPS_TOOL, steps_reply("deep answer", 0.8))
    services.ask_copilot(session, engineer, "What now?")
    payload = session.activities.get(kind=Activity.Kind.AI_REPLY).payload
    assert (payload["model"], payload["tier"], payload["escalated_from"]) == (DEEP, "deep", FAST)


def test_the_session_page_shows_the_model_in_small_print(routed, engineer, client_for):
    session = services.open_session(engineer, problem_summary="Outlook prompts for a password")
    routed.reply_with_tool(STEPS_TOOL, steps_reply("fast answer", 0.9))
    services.ask_copilot(session, engineer, "What now?")
    page = client_for(engineer).get(f"/sessions/{session.pk}/").content.decode()
    assert f"Model: {FAST}" in page


def test_the_offline_provider_is_one_tier(engineer):
    session = services.open_session(engineer, problem_summary="Printer jams")
    services.ask_copilot(session, engineer, "What now?", provider=OfflineProvider())
    payload = session.activities.get(kind=Activity.Kind.AI_REPLY).payload
    assert payload["tier"] == routing.OFFLINE
    assert OfflineProvider().assess({"summary": "x"}).tier == routing.OFFLINE


def _request() -> CopilotRequest:
    return CopilotRequest(problem_summary="Outlook prompts", problem_domain="email", question="What next?")


def test_a_structured_call_that_names_no_model_is_a_deep_task(routed):
    # flows' builder and proposals call _call directly; unnamed means the deep tier.
    routed.reply_with_tool("any_tool", {"x": 1})
    AnthropicProvider()._call(system="s", prompt="p", tool="any_tool", description="d", schema={"type": "object"})
    assert routed.models == [DEEP]
