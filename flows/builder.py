"""The AI flow builder: "describe the problem" → a draft flow for a person to review.

The offline provider turns the copilot's rule book into a skeleton (each usual
fix, then "is it fixed?"); the Anthropic provider answers with a forced tool call
whose graph goes through the same validator. Invalid output never becomes a draft.
"""

from django.conf import settings

from accounts.models import User
from flowpilot.ai import AIError, routing
from flowpilot.ai.anthropic_provider import AnthropicProvider, _tool_input
from flowpilot.ai.offline import match_rule
from flows import graph as graphs
from flows import services
from flows.models import GRAPH_SCHEMA_VERSION, Flow
from resolutionflow.domain import DomainError, InvalidOperation

BUILD_TOOL = "build_flow"
OFFLINE_STEPS = 6

NODE_SCHEMA = {
    "type": "object",
    "properties": {
        "key": {"type": "string"},
        "type": {"type": "string", "enum": list(graphs.NODE_TYPES[:3])},
        "text": {"type": "string"},
        "answers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"label": {"type": "string"}, "next": {"type": "string"}},
                "required": ["label", "next"],
            },
        },
        "next": {"type": "string"},
        "command": {"type": "string"},
        "expect": {"type": "string"},
        "outcome": {"type": "string", "enum": list(graphs.OUTCOMES)},
        "summary": {"type": "string"},
    },
    "required": ["key", "type", "text"],
}
BUILD_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "start": {"type": "string"},
        "nodes": {"type": "array", "items": NODE_SCHEMA, "maxItems": 60},
    },
    "required": ["title", "start", "nodes"],
}
BUILD_SYSTEM = (
    "You design troubleshooting decision trees for MSP service-desk technicians. Build a flow as a graph: "
    "question nodes (2+ answers, each with the key of the next node), action nodes (one instruction, optional "
    "command and expected result, next), outcome nodes (resolved or escalate). Every path ends in an outcome. "
    "Keep it short: the usual causes first, cheapest checks first."
)


class BuildFailed(DomainError):
    """The AI could not produce a usable flow; nothing was saved."""

    status_code = 502


def offline_document(description: str, domain: str) -> dict:
    """A skeleton from the copilot's rule book: each usual fix, then "is it fixed?"."""
    rule = match_rule(description, domain)
    steps = list(rule.steps[:OFFLINE_STEPS])
    nodes = []
    for n, step in enumerate(steps, 1):
        after = f"step-{n + 1}" if n < len(steps) else "escalate"
        action = {"key": f"step-{n}", "type": "action", "text": step.title, "next": f"check-{n}"}
        if step.command:
            action["command"] = step.command
        if step.expected_result:
            action["expect"] = step.expected_result
        question = {
            "key": f"check-{n}",
            "type": "question",
            "text": "Is the problem fixed now?",
            "answers": [{"label": "Yes", "next": "fixed"}, {"label": "No", "next": after}],
        }
        nodes += [action, question]
    nodes += [
        {"key": "fixed", "type": "outcome", "text": "Fixed: write down what worked", "outcome": "resolved"},
        {"key": "escalate", "type": "outcome", "text": "The usual fixes did not help", "outcome": "escalate"},
    ]
    return {
        "title": description.strip().splitlines()[0][:80],
        "tags": [rule.key.replace("_", " ")] if rule.key != "generic" else [],
        "schema_version": GRAPH_SCHEMA_VERSION,
        "start": "step-1" if steps else "escalate",
        "nodes": nodes,
        "description": rule.assessment,
    }


def anthropic_document(description: str, domain: str) -> dict:
    provider = AnthropicProvider()
    message = provider._call(
        system=BUILD_SYSTEM,
        prompt=f"Problem domain: {domain or 'other'}\nProblem to build a flow for:\n{description}",
        tool=BUILD_TOOL,
        description="Record the troubleshooting flow as a graph.",
        schema=BUILD_SCHEMA,
        model=routing.model_for(routing.FLOW_BUILD),
    )
    document = _tool_input(message, BUILD_TOOL)
    return {**document, "schema_version": GRAPH_SCHEMA_VERSION}


def generate(user: User, *, description: str, problem_domain: str = "") -> Flow:
    """A draft flow (never published) from a problem description."""
    services.require_engineer(user)
    description = description.strip()
    if not description:
        raise InvalidOperation("describe the problem the flow should solve")
    use_ai = settings.AI_PROVIDER == "anthropic"
    try:
        document = (
            anthropic_document(description, problem_domain) if use_ai else offline_document(description, problem_domain)
        )
    except AIError as exc:
        raise BuildFailed(f"The AI could not build a flow: {exc.message}", error_kind=exc.kind) from exc
    try:
        graph = graphs.validate(document, kind=Flow.Kind.TROUBLESHOOTING)
    except graphs.InvalidGraph as exc:
        raise BuildFailed(
            f"The AI's flow did not pass validation ({exc.errors[0].message}); no draft was saved. Try again "
            "or describe the problem in more detail.",
            errors=[e.as_dict() for e in exc.errors],
        ) from exc
    title = document.get("title") if isinstance(document.get("title"), str) and document["title"].strip() else ""
    tags = [t for t in document.get("tags", []) if isinstance(t, str)] if isinstance(document.get("tags"), list) else []
    return services.create_flow(
        user,
        title=title or description[:80],
        kind=Flow.Kind.TROUBLESHOOTING,
        problem_domain=problem_domain,
        description=str(document.get("description") or description)[:4000],
        tags=tags,
        graph=graph,
    )
