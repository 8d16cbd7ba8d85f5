"""The Anthropic provider contract, with the real SDK against the local fake Messages API."""

import socket

import pytest

from flowpilot.ai import AIError, CopilotRequest, TriedStep, get_provider
from flowpilot.ai.anthropic_provider import ASSESS_TOOL, STEPS_TOOL, AnthropicProvider
from tests.support.fake_anthropic import FakeReply

STEPS_REPLY = {
    "reply": "Looks like a stale credential.",
    "steps": [
        {"title": "Clear cached credentials", "detail": "Credential Manager", "command": "cmdkey /list"},
        {"title": "Recreate the profile", "detail": "Mail control panel"},
    ],
}
SNAPSHOT = {
    "summary": "VPN drops every 10 minutes",
    "domain": "networking",
    "client": "Fabrikam",
    "ticket": "T-1",
    "steps": [
        {
            "title": "Reinstall client",
            "status": "failed",
            "result_note": "no change",
            "output_excerpt": "",
            "is_dead_end": True,
        }
    ],
    "recent_messages": [{"role": "tech", "text": "still dropping"}],
    "notes": [],
    "counts": {"steps": 1},
    "time_spent_s": 900,
}


def request_with_dead_end() -> CopilotRequest:
    return CopilotRequest(
        problem_summary="Outlook keeps prompting for a password",
        problem_domain="email",
        question="What next?",
        client_name="Fabrikam",
        tried=[
            TriedStep(title="Confirm modern auth", status="failed", result_note="already on", is_dead_end=True),
            TriedStep(title="Clear cached creds", status="done", output_excerpt="3 entries removed"),
        ],
        history=[{"role": "user", "text": "Outlook prompts"}, {"role": "assistant", "text": "Try these"}],
    )


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_settings_select_the_anthropic_provider(fake_anthropic):
    provider = get_provider()
    assert isinstance(provider, AnthropicProvider)
    assert provider.is_rule_based is False


def test_ask_sends_model_forced_tool_and_steps_tried(fake_anthropic, settings):
    settings.AI_MODEL = "claude-test-model"
    fake_anthropic.reply_with_tool(STEPS_TOOL, STEPS_REPLY)

    reply = get_provider().ask(request_with_dead_end())

    body = fake_anthropic.requests[0]["body"]
    assert fake_anthropic.requests[0]["path"] == "/v1/messages"
    assert body["model"] == "claude-test-model"
    assert body["tool_choice"] == {"type": "tool", "name": STEPS_TOOL}
    schema = body["tools"][0]["input_schema"]
    assert body["tools"][0]["name"] == STEPS_TOOL
    assert schema["required"] == ["reply", "steps"]
    assert schema["properties"]["steps"]["items"]["required"] == ["title", "detail"]
    prompt = body["messages"][0]["content"]
    assert "Confirm modern auth — failed [DEAD END]" in prompt
    assert "result: already on" in prompt
    assert "output: 3 entries removed" in prompt
    assert "What next?" in prompt
    assert reply.reply == "Looks like a stale credential."
    assert [s.title for s in reply.steps] == ["Clear cached credentials", "Recreate the profile"]
    assert reply.steps[0].command == "cmdkey /list"
    assert reply.model == "claude-test-model"


def test_ask_rate_limited_raises_ai_error(fake_anthropic):
    fake_anthropic.queue(FakeReply(status=429))
    with pytest.raises(AIError) as err:
        get_provider().ask(request_with_dead_end())
    assert err.value.kind == "rate_limited"


def test_ask_timeout_raises_ai_error(fake_anthropic, settings):
    settings.AI_TIMEOUT_S = 0.3
    fake_anthropic.queue(FakeReply(tool_name=STEPS_TOOL, tool_input=STEPS_REPLY, delay_s=1.5))
    with pytest.raises(AIError) as err:
        get_provider().ask(request_with_dead_end())
    assert err.value.kind == "timeout"


def test_ask_refused_connection_raises_ai_error(fake_anthropic, settings):
    settings.ANTHROPIC_BASE_URL = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(AIError) as err:
        get_provider().ask(request_with_dead_end())
    assert err.value.kind == "connection"


@pytest.mark.parametrize(
    "reply",
    [
        FakeReply(raw_body="this is not json"),
        FakeReply(text="Here are some steps: 1. reboot"),  # prose instead of the tool
        FakeReply(tool_name=STEPS_TOOL, tool_input={"reply": "x", "steps": "reboot"}),
        FakeReply(tool_name=STEPS_TOOL, tool_input={"reply": "x", "steps": [{"detail": "no title"}]}),
        FakeReply(tool_name="other_tool", tool_input=STEPS_REPLY),
    ],
    ids=["not-json", "prose", "steps-not-list", "step-without-title", "wrong-tool"],
)
def test_ask_malformed_reply_raises_ai_error(fake_anthropic, reply):
    fake_anthropic.queue(reply)
    with pytest.raises(AIError) as err:
        get_provider().ask(request_with_dead_end())
    assert err.value.kind == "malformed"


def test_ask_server_error_raises_ai_error(fake_anthropic):
    fake_anthropic.queue(FakeReply(status=500))
    with pytest.raises(AIError) as err:
        get_provider().ask(request_with_dead_end())
    assert "500" in err.value.message


def test_assess_sends_forced_tool_with_snapshot_and_parses_assessment(fake_anthropic, settings):
    settings.AI_MODEL = "claude-test-model"
    fake_anthropic.reply_with_tool(
        ASSESS_TOOL,
        {
            "likely_cause": "MTU mismatch",
            "suggested_steps": ["Lower MTU", "Check ISP", "Capture traffic"],
            "confidence": 0.72,
        },
    )

    assessment = get_provider().assess(SNAPSHOT, timeout=5)

    body = fake_anthropic.requests[0]["body"]
    assert body["model"] == "claude-test-model"
    assert body["tool_choice"] == {"type": "tool", "name": ASSESS_TOOL}
    schema = body["tools"][0]["input_schema"]
    assert schema["required"] == ["likely_cause", "suggested_steps", "confidence"]
    assert schema["properties"]["suggested_steps"]["minItems"] == 3
    assert "Reinstall client — failed [DEAD END]: no change" in body["messages"][0]["content"]
    assert assessment.likely_cause == "MTU mismatch"
    assert assessment.suggested_steps == ["Lower MTU", "Check ISP", "Capture traffic"]
    assert assessment.confidence == pytest.approx(0.72)
    assert assessment.model == "claude-test-model"


def test_assess_timeout_argument_overrides_client_timeout(fake_anthropic, settings):
    settings.AI_TIMEOUT_S = 30
    fake_anthropic.queue(FakeReply(tool_name=ASSESS_TOOL, tool_input={}, delay_s=1.5))
    with pytest.raises(AIError) as err:
        get_provider().assess(SNAPSHOT, timeout=0.3)
    assert err.value.kind == "timeout"


def test_assess_rate_limited_raises_ai_error(fake_anthropic):
    fake_anthropic.queue(FakeReply(status=429))
    with pytest.raises(AIError) as err:
        get_provider().assess(SNAPSHOT, timeout=5)
    assert err.value.kind == "rate_limited"


def test_assess_refused_connection_raises_ai_error(fake_anthropic, settings):
    settings.ANTHROPIC_BASE_URL = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(AIError) as err:
        get_provider().assess(SNAPSHOT, timeout=5)
    assert err.value.kind == "connection"


@pytest.mark.parametrize(
    "tool_input",
    [
        {"likely_cause": "x", "suggested_steps": "do things", "confidence": 0.5},
        {"likely_cause": "x", "suggested_steps": ["a", "b", "c"], "confidence": "high"},
        {"suggested_steps": ["a", "b", "c"], "confidence": 0.5},
    ],
    ids=["steps-not-list", "confidence-not-number", "no-cause"],
)
def test_assess_malformed_reply_raises_ai_error(fake_anthropic, tool_input):
    fake_anthropic.reply_with_tool(ASSESS_TOOL, tool_input)
    with pytest.raises(AIError) as err:
        get_provider().assess(SNAPSHOT, timeout=5)
    assert err.value.kind == "malformed"
