"""The checklist of a procedure flow version: its action nodes in order."""

from flows.graph import successors


def action_nodes(graph: dict) -> list[dict]:
    """The procedure's action nodes in order: from the start along `next` until the outcome."""
    by_key = {n["key"]: n for n in graph.get("nodes", [])}
    nodes, key, seen = [], graph.get("start"), set()
    while key in by_key and key not in seen:
        seen.add(key)
        node = by_key[key]
        if node["type"] == "action":
            nodes.append(node)
        nxt = successors(node)
        key = nxt[0] if nxt else None
    return nodes
