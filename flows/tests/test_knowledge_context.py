"""Retrieval-augmented copilot and assessment: similar resolutions and matching published flows go into the
prompt, and the UI says "based on: …". Never another account's."""

import pytest

from escalations import services as escalations
from escalations.assessment_tasks import generate_assessment
from flowpilot import services as session_services
from flowpilot.ai.anthropic_provider import ASSESS_TOOL, STEPS_TOOL
from flowpilot.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge(engineer, outsider, published):
    mine = session_services.open_session(engineer, problem_summary="VPN drops after sleep", problem_domain="networking")
    session_services.resolve(mine, engineer, "Disabled NIC power saving")
    theirs = session_services.open_session(outsider, problem_summary="VPN drops after sleep")
    session_services.resolve(theirs, outsider, "OUTSIDER-SECRET-FIX")
    return mine


def test_copilot_prompt_carries_similar_resolutions_and_flows(fake_anthropic, knowledge, session, engineer):
    fake_anthropic.reply_with_tool(STEPS_TOOL, {"reply": "Try the NIC power setting.", "steps": []})
    session_services.ask_copilot(session, engineer, "what now?")
    prompt = str(fake_anthropic.requests[0]["body"]["messages"])
    assert "Disabled NIC power saving" in prompt and "VPN drops" in prompt  # the resolution and the flow
    assert "OUTSIDER-SECRET-FIX" not in prompt
    reply = session.activities.get(kind=Activity.Kind.AI_REPLY)
    assert "resolved session “VPN drops after sleep”" in reply.payload["based_on"]
    assert any(label.startswith("flow “VPN drops”") for label in reply.payload["based_on"])


def test_session_page_shows_based_on(client_for, knowledge, session, engineer):
    session_services.ask_copilot(session, engineer, "VPN drops again")
    html = client_for(engineer).get(f"/sessions/{session.pk}/").content.decode()
    assert 'data-testid="based-on"' in html and "VPN drops after sleep" in html


def test_assessment_prompt_carries_them_and_the_screen_says_based_on(
    fake_anthropic, client_for, knowledge, session, engineer, senior
):
    handoff = escalations.escalate(session, engineer, "stuck")
    fake_anthropic.reply_with_tool(
        ASSESS_TOOL, {"likely_cause": "NIC power saving", "suggested_steps": ["Disable it"], "confidence": 0.8}
    )
    assert generate_assessment(str(handoff.pk)) == "ready"
    prompt = str(fake_anthropic.requests[-1]["body"]["messages"])
    assert "Disabled NIC power saving" in prompt and "OUTSIDER-SECRET-FIX" not in prompt
    html = client_for(senior).get(f"/escalations/{handoff.pk}/").content.decode()
    assert 'data-testid="assessment-based-on"' in html
