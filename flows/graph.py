"""The flow graph document: shape, validation (errors name the node) and a readable diff.

`{"schema_version": 1, "start": KEY, "nodes": [NODE, ...]}` (SPEC section 13). Pure
functions over plain JSON; link targets are checked through a callback so this
module never touches the database.
"""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from flows.models import GRAPH_SCHEMA_VERSION
from resolutionflow.domain import DomainError

MAX_NODES = 500
KEY_MAX = 64
TEXT_MAX = 4000
NODE_TYPES = ("question", "action", "outcome", "link")
OUTCOMES = ("resolved", "escalate")
# Free-text fields kept per node type; anything else in the document is dropped.
OPTIONAL_TEXT = {"action": ("command", "expect"), "outcome": ("summary",)}

# `link_check(flow_id) -> message or None`: why the link target is not allowed.
LinkCheck = Callable[[str], str | None]


@dataclass(frozen=True)
class GraphError:
    node: str | None
    message: str

    def as_dict(self) -> dict:
        return {"node": self.node, "message": self.message}


class InvalidGraph(DomainError):
    """400 with `errors: [{node, message}]` (the API's body; pages list them inline)."""

    def __init__(self, errors: list[GraphError]):
        first = errors[0].message if errors else "invalid graph"
        super().__init__(f"The flow graph is not valid: {first}", errors=[e.as_dict() for e in errors])
        self.errors = errors


def _text(value, limit: int = TEXT_MAX) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _clean_node(raw: dict) -> dict:
    kind = raw.get("type")
    node = {"key": _text(raw.get("key"), KEY_MAX), "type": kind, "text": _text(raw.get("text"))}
    if kind == "question":
        answers = raw.get("answers") if isinstance(raw.get("answers"), list) else []
        node["answers"] = [
            {"label": _text(a.get("label"), 200), "next": _text(a.get("next"), KEY_MAX)}
            for a in answers
            if isinstance(a, dict)
        ]
    elif kind == "action":
        node["next"] = _text(raw.get("next"), KEY_MAX)
    elif kind == "outcome":
        node["outcome"] = raw.get("outcome")
    elif kind == "link":
        node["flow"] = _text(raw.get("flow"), 64)
    for field in OPTIONAL_TEXT.get(kind, ()):
        if _text(raw.get(field)):
            node[field] = _text(raw.get(field))
    return node


def normalize(document) -> dict:
    """The document reduced to the known fields, strings trimmed; raises InvalidGraph if it is not one."""
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), list):
        raise InvalidGraph([GraphError(None, "the graph must be an object with a list of nodes")])
    if document.get("schema_version", GRAPH_SCHEMA_VERSION) != GRAPH_SCHEMA_VERSION:
        raise InvalidGraph([GraphError(None, f"schema_version must be {GRAPH_SCHEMA_VERSION}")])
    if not all(isinstance(n, dict) for n in document["nodes"]):
        raise InvalidGraph([GraphError(None, "every node must be an object")])
    return {
        "schema_version": GRAPH_SCHEMA_VERSION,
        "start": _text(document.get("start"), KEY_MAX),
        "nodes": [_clean_node(n) for n in document["nodes"]],
    }


def successors(node: dict) -> list[str]:
    if node["type"] == "question":
        return [a["next"] for a in node.get("answers", []) if a["next"]]
    if node["type"] == "action" and node.get("next"):
        return [node["next"]]
    return []


def _node_errors(node: dict, keys: set[str], kind: str, link_check: LinkCheck | None) -> list[GraphError]:
    key, errors = node["key"], []

    def err(message: str) -> None:
        errors.append(GraphError(key, f"{key}: {message}"))

    if node["type"] not in NODE_TYPES:
        err(f"type must be one of {', '.join(NODE_TYPES)}")
        return errors
    if not node["text"]:
        err("text is empty")
    if node["type"] == "question":
        answers = node["answers"]
        if len(answers) < 2:
            err("a question needs at least two answers")
        labels = [a["label"].lower() for a in answers]
        if any(not label for label in labels):
            err("an answer has no label")
        if len(set(labels)) != len(labels):
            err("two answers have the same label")
        for answer in answers:
            if answer["next"] not in keys:
                err(f"answer “{answer['label']}” goes to “{answer['next']}”, which is not a node")
        if kind == "procedure":
            err("a procedure is a checklist of actions: it cannot ask questions")
    elif node["type"] == "action" and node["next"] not in keys:
        err(f"next “{node['next']}” is not a node" if node["next"] else "an action needs a next node")
    elif node["type"] == "outcome" and node["outcome"] not in OUTCOMES:
        err("outcome must be resolved or escalate")
    elif node["type"] == "link":
        problem = "a link needs the id of a published flow" if not node["flow"] else None
        if problem is None and link_check is not None:
            problem = link_check(node["flow"])
        if problem:
            err(problem)
    return errors


def _reachable(graph: dict, by_key: dict[str, dict]) -> set[str]:
    seen, queue = set(), deque([graph["start"]] if graph["start"] in by_key else [])
    while queue:
        key = queue.popleft()
        if key in seen:
            continue
        seen.add(key)
        queue.extend(k for k in successors(by_key[key]) if k in by_key)
    return seen


def _can_finish(by_key: dict[str, dict]) -> set[str]:
    """Keys from which an outcome (or a link, which ends in its flow's outcome) can be reached."""
    done = {k for k, n in by_key.items() if n["type"] in ("outcome", "link")}
    changed = True
    while changed:
        changed = False
        for key, node in by_key.items():
            if key not in done and any(k in done for k in successors(node)):
                done.add(key)
                changed = True
    return done


def validate(document, *, kind: str = "troubleshooting", link_check: LinkCheck | None = None) -> dict:
    """The normalized graph, or InvalidGraph listing every problem, each naming its node."""
    graph = normalize(document)
    nodes = graph["nodes"]
    errors: list[GraphError] = []
    if len(nodes) > MAX_NODES:
        raise InvalidGraph([GraphError(None, f"a flow has at most {MAX_NODES} nodes (this one has {len(nodes)})")])
    if not nodes:
        raise InvalidGraph([GraphError(None, "the flow has no nodes yet")])
    by_key: dict[str, dict] = {}
    for position, node in enumerate(nodes, 1):
        if not node["key"]:
            errors.append(GraphError(None, f"node {position} has no key"))
        elif node["key"] in by_key:
            errors.append(GraphError(node["key"], f"{node['key']}: the key is used by more than one node"))
        else:
            by_key[node["key"]] = node
    if graph["start"] not in by_key:
        errors.append(GraphError(graph["start"] or None, f"start “{graph['start']}” is not a node"))
    for node in by_key.values():
        errors += _node_errors(node, set(by_key), kind, link_check)
    reachable = _reachable(graph, by_key)
    finishing = _can_finish(by_key)
    for key, node in by_key.items():
        if graph["start"] in by_key and key not in reachable:
            errors.append(GraphError(key, f"{key}: unreachable from the start node"))
        elif node["type"] in ("question", "action") and key not in finishing:
            errors.append(GraphError(key, f"{key}: no outcome can be reached from this node"))
    if errors:
        raise InvalidGraph(errors)
    return graph


def check(document, **kwargs) -> list[GraphError]:
    """The problems of a document, [] when it is valid (for inline validation in the editor)."""
    try:
        validate(document, **kwargs)
    except InvalidGraph as exc:
        return exc.errors
    return []


def node_text(graph: dict) -> str:
    """All the words of a graph, for search."""
    parts = []
    for node in graph.get("nodes", []):
        parts += [node.get("text", ""), node.get("command", ""), node.get("expect", ""), node.get("summary", "")]
        parts += [a.get("label", "") for a in node.get("answers", [])]
    return " ".join(p for p in parts if p)


def _describe(node: dict) -> str:
    return f"{node['type']} “{node['key']}”"


def diff(old: dict, new: dict) -> list[str]:
    """What changed between two graphs, one readable line per change."""
    old_nodes = {n["key"]: n for n in old.get("nodes", [])}
    new_nodes = {n["key"]: n for n in new.get("nodes", [])}
    lines = []
    if old.get("start") != new.get("start"):
        lines.append(f"Start moved from “{old.get('start')}” to “{new.get('start')}”")
    for key, node in new_nodes.items():
        before = old_nodes.get(key)
        if before is None:
            lines.append(f"Added {_describe(node)}: {node.get('text', '')[:80]}")
            continue
        for field in ("type", "text", "command", "expect", "outcome", "summary", "next", "flow"):
            if before.get(field) != node.get(field):
                lines.append(
                    f"Changed {field} of {_describe(node)}: “{before.get(field) or ''}” → “{node.get(field) or ''}”"
                )
        old_answers = [(a["label"], a["next"]) for a in before.get("answers", [])]
        new_answers = [(a["label"], a["next"]) for a in node.get("answers", [])]
        if old_answers != new_answers:
            shown = ", ".join(f"{label} → {nxt}" for label, nxt in new_answers)
            lines.append(f"Changed answers of {_describe(node)}: {shown}")
    lines += [f"Removed {_describe(node)}" for key, node in old_nodes.items() if key not in new_nodes]
    old_order = [k for k in old_nodes if k in new_nodes]
    new_order = [k for k in new_nodes if k in old_nodes]
    if old_order != new_order:
        lines.append("Reordered nodes")
    return lines
