"""The Anthropic provider of the knowledge loop: a forced tool call validated by flows/graph.py, else offline."""

import pytest

from flowpilot import services as session_services
from flows import learning, proposals
from flows.tests.conftest import vpn_graph
from tests.support.fake_anthropic import FakeReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(engineer):
    session = session_services.open_session(engineer, problem_summary="VPN drops", problem_domain="networking")
    session_services.add_step(session, engineer, title="Update the client", status="done")
    session_services.resolve(session, engineer, "Updated the VPN client")
    return session


def test_a_valid_ai_graph_becomes_the_proposal(fake_anthropic, resolved):
    fake_anthropic.reply_with_tool(learning.PROPOSE_TOOL, {"title": "VPN drops (AI)", **vpn_graph()})
    proposal = proposals.propose_from_session(resolved.pk)
    sent = fake_anthropic.requests[0]["body"]
    assert sent["tool_choice"] == {"type": "tool", "name": learning.PROPOSE_TOOL}
    assert "Updated the VPN client" in str(sent["messages"])
    assert proposal.title == "VPN drops (AI)" and proposal.graph["start"] == "connected"
    assert proposal.model != "offline"


def test_an_invalid_ai_graph_falls_back_to_the_offline_one(fake_anthropic, resolved):
    fake_anthropic.reply_with_tool(learning.PROPOSE_TOOL, {"title": "Broken", "start": "nowhere", "nodes": []})
    proposal = proposals.propose_from_session(resolved.pk)
    assert proposal.model == "offline" and "did not validate" in proposal.rationale
    assert any(n["text"] == "Update the client" for n in proposal.graph["nodes"])


def test_an_ai_outage_falls_back_to_the_offline_one(fake_anthropic, resolved):
    fake_anthropic.queue(FakeReply(status=500))
    proposal = proposals.propose_from_session(resolved.pk)
    assert proposal.model == "offline" and "unavailable" in proposal.rationale
