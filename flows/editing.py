"""The editor's operations on a draft graph: pure functions returning a new document.

The views save the result through `services.replace_graph(..., strict=False)`, so
work in progress is kept and its problems are shown inline until publish.
"""

import copy
import re

from flows import graph as graphs
from resolutionflow.domain import InvalidOperation

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _index(graph: dict, key: str) -> int:
    for i, node in enumerate(graph["nodes"]):
        if node["key"] == key:
            return i
    raise InvalidOperation(f"no node “{key}” in this flow")


def _fresh_key(graph: dict, kind: str) -> str:
    keys = {n["key"] for n in graph["nodes"]}
    n = len(graph["nodes"]) + 1
    while f"{kind}-{n}" in keys:
        n += 1
    return f"{kind}-{n}"


def add_node(document: dict, *, type: str, text: str, key: str = "") -> dict:
    graph = copy.deepcopy(graphs.normalize(document))
    if type not in graphs.NODE_TYPES:
        raise InvalidOperation(f"type must be one of {', '.join(graphs.NODE_TYPES)}")
    key = key.strip().lower() or _fresh_key(graph, type)
    if not KEY_RE.match(key):
        raise InvalidOperation("a key is lower-case letters, digits, - and _ (up to 64)")
    if any(n["key"] == key for n in graph["nodes"]):
        raise InvalidOperation(f"the key “{key}” is already used")
    node = {"key": key, "type": type, "text": text.strip()}
    node.update({"question": {"answers": []}, "action": {"next": ""}, "outcome": {"outcome": "resolved"}}.get(type, {}))
    if type == "link":
        node["flow"] = ""
    graph["nodes"].append(node)
    if not graph["start"]:
        graph["start"] = key
    return graph


def node_fields(cleaned: dict, posted) -> dict:
    """A node form's fields as `update_node` takes them: only those posted, answers as (label, next) pairs."""
    fields = {name: value for name, value in cleaned.items() if name in posted}
    labels, nexts = posted.getlist("answer_label"), posted.getlist("answer_next")
    if labels:
        fields["answers"] = list(zip(labels, nexts, strict=False))
    return fields


def update_node(document: dict, key: str, fields: dict) -> dict:
    """Set the node's text and type-specific fields; answers with an empty label are dropped."""
    graph = copy.deepcopy(graphs.normalize(document))
    node = graph["nodes"][_index(graph, key)]
    node["text"] = fields.get("text", node["text"]).strip()
    if node["type"] == "question" and "answers" in fields:
        node["answers"] = [
            {"label": label.strip(), "next": nxt.strip()} for label, nxt in fields["answers"] if label.strip()
        ]
    for name in ("next", "command", "expect", "outcome", "summary", "flow"):
        if name in fields and (name in node or name in graphs.OPTIONAL_TEXT.get(node["type"], ())):
            node[name] = fields[name].strip()
    return graphs.normalize(graph)


def move_answer(document: dict, key: str, index: int, direction: str) -> dict:
    """Swap a question's answer with its neighbour (the order the tech sees, and the 1-9 keys)."""
    graph = copy.deepcopy(graphs.normalize(document))
    answers = graph["nodes"][_index(graph, key)].get("answers", [])
    other = index - 1 if direction == "up" else index + 1
    if 0 <= index < len(answers) and 0 <= other < len(answers):
        answers[index], answers[other] = answers[other], answers[index]
    return graph


def delete_node(document: dict, key: str) -> dict:
    graph = copy.deepcopy(graphs.normalize(document))
    del graph["nodes"][_index(graph, key)]
    if graph["start"] == key:
        graph["start"] = graph["nodes"][0]["key"] if graph["nodes"] else ""
    return graph


def move_node(document: dict, key: str, direction: str) -> dict:
    graph = copy.deepcopy(graphs.normalize(document))
    i = _index(graph, key)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(graph["nodes"]):
        graph["nodes"][i], graph["nodes"][j] = graph["nodes"][j], graph["nodes"][i]
    return graph


def set_start(document: dict, key: str) -> dict:
    graph = copy.deepcopy(graphs.normalize(document))
    _index(graph, key)
    graph["start"] = key
    return graph
