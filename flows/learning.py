"""What a resolved session teaches, as a flow graph: a new flow, or an amendment at the node where a run failed.

Offline and deterministic: dead ends become quick "did this change anything?" checks that
rule a cause out, the steps that worked become actions, and the session's resolution
is the resolved outcome. The Anthropic provider gets the same evidence and answers
with a forced tool call; its graph goes through `flows/graph.py` like any other, and
an invalid or missing answer falls back to the offline graph.
"""

from dataclasses import dataclass, field

from django.conf import settings

from flowpilot.ai import AIError
from flowpilot.ai.anthropic_provider import AnthropicProvider, _tool_input
from flowpilot.models import Session, Step
from flowpilot.redact import redact
from flows import graph as graphs
from flows.builder import BUILD_SCHEMA
from flows.models import GRAPH_SCHEMA_VERSION

PROPOSE_TOOL = "propose_flow"
MAX_LEARNED_STEPS = 12
TEXT_CHARS = 300
PROPOSE_SYSTEM = (
    "You turn a resolved MSP troubleshooting session into a reusable decision tree for service-desk technicians. "
    "Dead ends become checks that rule a cause out; the steps that worked become actions; the resolution is the "
    "resolved outcome; every path ends in an outcome (resolved or escalate). When a flow to amend is given, keep "
    "every existing node and key, and add the new nodes where the run stopped."
)


@dataclass
class Evidence:
    """The facts of one resolved session, secrets redacted."""

    problem: str
    domain: str
    resolution: str
    worked: list[dict] = field(default_factory=list)  # [{title, command, note}]
    dead_ends: list[dict] = field(default_factory=list)


@dataclass
class Learned:
    title: str
    graph: dict
    rationale: str
    model: str = "offline"


def evidence(session: Session) -> Evidence:
    """What worked and what was ruled out, from the session's own steps (flow steps excluded: the flow has them)."""
    facts = Evidence(
        problem=redact(session.problem_summary),
        domain=session.problem_domain,
        resolution=redact(session.resolution_summary),
    )
    for step in session.steps.exclude(source=Step.Source.FLOW).order_by("order")[: MAX_LEARNED_STEPS * 2]:
        item = {
            "title": redact(step.title)[:200],
            "command": redact(step.command)[:500],
            "note": redact(step.result_note),
        }
        if step.is_dead_end or step.status == Step.Status.FAILED:
            facts.dead_ends.append(item)
        elif step.status == Step.Status.DONE:
            facts.worked.append(item)
    facts.worked = facts.worked[:MAX_LEARNED_STEPS]
    facts.dead_ends = facts.dead_ends[:MAX_LEARNED_STEPS]
    return facts


def _free_key(base: str, taken: set[str]) -> str:
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    return key


def _chain(facts: Evidence, taken: set[str], *, fallback: str) -> tuple[str, list[dict]]:
    """Rule-out checks, then the fix, then "is it fixed?": (first key, nodes). "No" goes to `fallback`."""
    fixed = _free_key("learned-fixed", taken)
    check = _free_key("learned-check", taken)
    nodes: list[dict] = []
    actions = facts.worked or [{"title": f"Apply the fix: {facts.resolution[:TEXT_CHARS]}", "command": "", "note": ""}]
    action_keys = [_free_key(f"learned-step-{n}", taken) for n in range(1, len(actions) + 1)]
    rule_keys = [_free_key(f"learned-rule-out-{n}", taken) for n in range(1, len(facts.dead_ends) + 1)]
    for n, (key, dead) in enumerate(zip(rule_keys, facts.dead_ends, strict=True)):
        after = rule_keys[n + 1] if n + 1 < len(rule_keys) else action_keys[0]
        note = f" (last time: {dead['note'][:TEXT_CHARS]})" if dead["note"] else ""
        nodes.append(
            {
                "key": key,
                "type": "question",
                "text": f"Ruled out before: {dead['title']}{note}. Does it apply here?",
                "answers": [{"label": "No, ruled out", "next": after}, {"label": "Yes, that fixed it", "next": fixed}],
            }
        )
    for n, (key, step) in enumerate(zip(action_keys, actions, strict=True)):
        node = {"key": key, "type": "action", "text": step["title"], "next": (action_keys[n + 1 :] or [check])[0]}
        if step["command"]:
            node["command"] = step["command"]
        if step["note"]:
            node["expect"] = step["note"][:TEXT_CHARS]
        nodes.append(node)
    nodes += [
        {
            "key": check,
            "type": "question",
            "text": "Is the problem fixed now?",
            "answers": [{"label": "Yes", "next": fixed}, {"label": "No", "next": fallback}],
        },
        {"key": fixed, "type": "outcome", "text": "Fixed", "outcome": "resolved", "summary": facts.resolution[:1000]},
    ]
    return (rule_keys or action_keys)[0], nodes


def offline_new(facts: Evidence) -> Learned:
    taken = {"escalate"}
    start, nodes = _chain(facts, taken, fallback="escalate")
    nodes.append({"key": "escalate", "type": "outcome", "text": "Still failing: escalate", "outcome": "escalate"})
    graph = graphs.validate({"schema_version": GRAPH_SCHEMA_VERSION, "start": start, "nodes": nodes})
    return Learned(
        title=facts.problem.splitlines()[0][:80] if facts.problem else "Proposed flow",
        graph=graph,
        rationale=(
            f"Resolved as: {facts.resolution[:TEXT_CHARS]}. {len(facts.worked)} step(s) that worked became actions; "
            f"{len(facts.dead_ends)} dead end(s) became checks that rule a cause out."
        ),
    )


def _retarget(nodes: list[dict], old: str, new: str) -> None:
    for node in nodes:
        if node.get("next") == old:
            node["next"] = new
        for answer in node.get("answers", []):
            if answer["next"] == old:
                answer["next"] = new


def offline_amendment(facts: Evidence, base: dict, at_node: str, flow_title: str) -> Learned:
    """`base` with the session's fix inserted in front of `at_node`: whatever led there now tries the fix first,
    and "still failing" carries on to `at_node` as before."""
    graph = graphs.normalize(base)
    nodes = graph["nodes"]
    taken = {n["key"] for n in nodes}
    first, added = _chain(facts, taken, fallback=at_node)
    _retarget(nodes, at_node, first)
    if graph["start"] == at_node:
        graph["start"] = first
    graph["nodes"] = nodes + added
    stop = next((n for n in nodes if n["key"] == at_node), {"text": at_node})
    return Learned(
        title=flow_title,
        graph=graphs.validate(graph),
        rationale=(
            f"The run stopped at “{stop['text'][:120]}” ({at_node}); the session was then resolved as: "
            f"{facts.resolution[:TEXT_CHARS]}. The proposal tries that fix before “{at_node}”."
        ),
    )


def _prompt(facts: Evidence, base: dict | None, at_node: str) -> str:
    lines = [f"Problem domain: {facts.domain}", f"Problem: {facts.problem}", f"Resolution: {facts.resolution}"]
    lines += ["Steps that worked:"] + [f"- {s['title']} {s['command']} → {s['note']}" for s in facts.worked]
    lines += ["Dead ends (ruled out):"] + [f"- {s['title']} → {s['note']}" for s in facts.dead_ends]
    if base is not None:
        lines += [f"Flow to amend (the run stopped at node {at_node}):", str(base)]
    return "\n".join(lines)


def learn(facts: Evidence, *, base: dict | None = None, at_node: str = "", flow_title: str = "") -> Learned:
    """The proposal's graph: from the AI when configured and valid, else (and offline) the deterministic one."""
    offline = offline_amendment(facts, base, at_node, flow_title) if base is not None else offline_new(facts)
    if settings.AI_PROVIDER != "anthropic":
        return offline
    provider = AnthropicProvider()
    try:
        message = provider._call(
            system=PROPOSE_SYSTEM,
            prompt=_prompt(facts, base, at_node),
            tool=PROPOSE_TOOL,
            description="Record the proposed troubleshooting flow as a graph.",
            schema=BUILD_SCHEMA,
        )
        document = _tool_input(message, PROPOSE_TOOL)
        graph = graphs.validate({**document, "schema_version": GRAPH_SCHEMA_VERSION})
    except AIError as exc:
        offline.rationale += f" (The AI was unavailable: {exc.message} This is the rule-based proposal.)"
        return offline
    except graphs.InvalidGraph as exc:
        offline.rationale += f" (The AI's graph did not validate: {exc.errors[0].message} This is the rule-based one.)"
        return offline
    title = document.get("title") if isinstance(document.get("title"), str) else ""
    return Learned(
        title=(flow_title or title or offline.title)[:200],
        graph=graph,
        rationale=offline.rationale,
        model=provider.model,
    )
