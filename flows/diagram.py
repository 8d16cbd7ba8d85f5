"""A layered layout of a flow graph for the server-rendered SVG diagram.

Nodes are ranked by BFS depth from the start (unreachable ones go to a last
rank), ordered within a rank by their parents' positions to reduce crossings.
"""

from collections import deque
from dataclasses import dataclass
from itertools import pairwise

from flows.graph import successors

NODE_W, NODE_H = 168, 52
GAP_X, GAP_Y = 24, 44
PAD = 12
LABEL_CHARS = 24


@dataclass
class Box:
    key: str
    type: str
    label: str
    x: int
    y: int
    cx: int
    is_start: bool


@dataclass
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str

    @property
    def mx(self) -> int:
        return (self.x1 + self.x2) // 2 + 4

    @property
    def my(self) -> int:
        return (self.y1 + self.y2) // 2


@dataclass
class Diagram:
    boxes: list[Box]
    edges: list[Edge]
    width: int
    height: int


def _ranks(graph: dict, by_key: dict[str, dict]) -> list[list[str]]:
    depth: dict[str, int] = {}
    start = graph.get("start")
    queue = deque([start] if start in by_key else [])
    if queue:
        depth[start] = 0
    while queue:
        key = queue.popleft()
        for nxt in successors(by_key[key]):
            if nxt in by_key and nxt not in depth:
                depth[nxt] = depth[key] + 1
                queue.append(nxt)
    last = max(depth.values(), default=-1) + 1
    ranks: list[list[str]] = [[] for _ in range(last + (1 if len(depth) < len(by_key) else 0))]
    for key in by_key:
        ranks[depth.get(key, last)].append(key)
    return ranks


def _order(ranks: list[list[str]], by_key: dict[str, dict]) -> None:
    """Barycentre ordering: each node sits near the mean position of its parents in the rank above."""
    for upper, lower in pairwise(ranks):
        position = {key: i for i, key in enumerate(upper)}
        parents: dict[str, list[int]] = {key: [] for key in lower}
        for key in upper:
            for nxt in successors(by_key[key]):
                if nxt in parents:
                    parents[nxt].append(position[key])
        lower.sort(key=lambda k: sum(parents[k]) / len(parents[k]) if parents[k] else len(upper))


def _label(node: dict) -> str:
    text = node.get("text") or node["key"]
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def layout(graph: dict) -> Diagram:
    by_key = {n["key"]: n for n in graph.get("nodes", []) if n.get("key")}
    ranks = _ranks(graph, by_key)
    _order(ranks, by_key)
    widest = max((len(r) for r in ranks), default=1)
    width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X
    boxes: dict[str, Box] = {}
    for depth, rank in enumerate(ranks):
        offset = (width - (len(rank) * NODE_W + (len(rank) - 1) * GAP_X)) // 2
        for i, key in enumerate(rank):
            x = offset + i * (NODE_W + GAP_X)
            y = PAD + depth * (NODE_H + GAP_Y)
            node = by_key[key]
            boxes[key] = Box(key, node.get("type", ""), _label(node), x, y, x + NODE_W // 2, key == graph.get("start"))
    edges = []
    for key, node in by_key.items():
        labels = {a["next"]: a["label"] for a in node.get("answers", [])}
        for nxt in successors(node):
            if nxt in boxes:
                a, b = boxes[key], boxes[nxt]
                edges.append(Edge(a.cx, a.y + NODE_H, b.cx, b.y, labels.get(nxt, "")[:12]))
    height = PAD * 2 + max(len(ranks), 1) * (NODE_H + GAP_Y) - GAP_Y
    return Diagram(list(boxes.values()), edges, max(width, NODE_W + 2 * PAD), max(height, NODE_H + 2 * PAD))
