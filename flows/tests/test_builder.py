"""The AI flow builder: offline skeleton, Anthropic structured output through the real SDK, invalid output."""

import pytest

from flows import builder
from flows.models import Flow
from flows.tests.conftest import vpn_graph
from tests.support.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db


def test_offline_skeleton_follows_the_domain_rules():
    document = builder.offline_document("VPN disconnects every few minutes", "networking")
    keys = [n["key"] for n in document["nodes"]]
    assert keys[0] == "step-1" and {"fixed", "escalate"} <= set(keys)
    assert any(n["type"] == "question" for n in document["nodes"])


def test_anthropic_tool_output_becomes_a_draft(fake_anthropic, engineer):
    fake_anthropic.reply_with_tool(builder.BUILD_TOOL, {**vpn_graph(), "title": "VPN drops (AI)", "tags": ["vpn"]})
    flow = builder.generate(engineer, description="VPN drops", problem_domain="networking")
    assert flow.status == Flow.Status.DRAFT and flow.title == "VPN drops (AI)"
    request = fake_anthropic.requests[0]["body"]
    assert request["tool_choice"] == {"type": "tool", "name": builder.BUILD_TOOL}


def test_invalid_ai_graph_is_refused_with_a_clear_message(fake_anthropic, api_for, engineer):
    broken = vpn_graph()
    broken["nodes"][1]["next"] = "nowhere"
    fake_anthropic.reply_with_tool(builder.BUILD_TOOL, {**broken, "title": "Broken"})
    response = api_for(engineer).post("/api/v1/flows/generate/", {"description": "VPN drops"}, format="json")
    assert response.status_code == 502
    assert "did not pass validation" in response.json()["detail"] and "no draft" in response.json()["detail"]
    assert not Flow.objects.exists()


def test_ai_failure_is_a_clear_message_and_no_draft(fake_anthropic, api_for, engineer):
    fake_anthropic.queue(FakeReply(status=500))
    response = api_for(engineer).post("/api/v1/flows/generate/", {"description": "VPN drops"}, format="json")
    assert response.status_code == 502 and "could not build" in response.json()["detail"]
    assert not Flow.objects.exists()


def test_flow_building_asks_the_deep_model(fake_anthropic, settings, engineer):
    settings.AI_MODEL, settings.AI_MODEL_FAST, settings.AI_MODEL_DEEP = "", "claude-fast-test", "claude-deep-test"
    fake_anthropic.reply_with_tool(builder.BUILD_TOOL, {**vpn_graph(), "title": "VPN drops (AI)"})
    builder.generate(engineer, description="VPN drops", problem_domain="networking")
    assert fake_anthropic.models == ["claude-deep-test"]
