"""Every validation rule of the graph document names the node it is about."""

import copy

import pytest

from flows import graph as graphs
from flows.tests.conftest import vpn_graph


def errors_of(document, **kwargs) -> list[graphs.GraphError]:
    with pytest.raises(graphs.InvalidGraph) as caught:
        graphs.validate(document, **kwargs)
    return caught.value.errors


def node_of(document, key) -> dict:
    return next(n for n in document["nodes"] if n["key"] == key)


def test_a_valid_graph_is_returned_normalized():
    document = vpn_graph()
    document["nodes"][0]["unknown"] = "dropped"
    graph = graphs.validate(document)
    assert "unknown" not in graph["nodes"][0]
    assert graph["start"] == "connected"


def test_dangling_next_names_the_node():
    document = vpn_graph()
    node_of(document, "restart")["next"] = "nowhere"
    errors = errors_of(document)
    assert any(e.node == "restart" and "nowhere" in e.message for e in errors)


def test_dangling_answer_names_the_question():
    document = vpn_graph()
    node_of(document, "connected")["answers"][1]["next"] = "ghost"
    assert any(e.node == "connected" and "ghost" in e.message for e in errors_of(document))


def test_unreachable_node_is_named():
    document = vpn_graph()
    document["nodes"].append({"key": "orphan", "type": "outcome", "text": "Never reached", "outcome": "resolved"})
    errors = errors_of(document)
    assert [e.node for e in errors] == ["orphan"]
    assert "unreachable" in errors[0].message


def test_no_reachable_outcome_is_named():
    document = vpn_graph()
    node_of(document, "mtu")["next"] = "loop"
    document["nodes"].append({"key": "loop", "type": "action", "text": "Try again", "next": "mtu"})
    nodes = {e.node for e in errors_of(document) if "no outcome" in e.message}
    assert nodes == {"mtu", "loop"}


def test_duplicate_keys_are_named():
    document = vpn_graph()
    document["nodes"].append(copy.deepcopy(node_of(document, "fixed")))
    assert any(e.node == "fixed" and "more than one" in e.message for e in errors_of(document))


def test_question_needs_two_answers():
    document = vpn_graph()
    node_of(document, "connected")["answers"] = [{"label": "Yes", "next": "mtu"}]
    assert any(e.node == "connected" and "two answers" in e.message for e in errors_of(document))


def test_more_than_500_nodes_is_refused():
    nodes = [{"key": f"a{i}", "type": "action", "text": "step", "next": f"a{i + 1}"} for i in range(500)]
    nodes.append({"key": "a500", "type": "outcome", "text": "done", "outcome": "resolved"})
    errors = errors_of({"schema_version": 1, "start": "a0", "nodes": nodes})
    assert "at most 500" in errors[0].message


def test_exactly_500_nodes_is_fine():
    nodes = [{"key": f"a{i}", "type": "action", "text": "step", "next": f"a{i + 1}"} for i in range(499)]
    nodes.append({"key": "a499", "type": "outcome", "text": "done", "outcome": "resolved"})
    assert len(graphs.validate({"schema_version": 1, "start": "a0", "nodes": nodes})["nodes"]) == 500


def test_link_is_checked_by_the_callback():
    document = vpn_graph()
    document["nodes"].append({"key": "other", "type": "link", "text": "Go on in the DNS flow", "flow": "abc"})
    node_of(document, "connected")["answers"].append({"label": "Not sure", "next": "other"})
    errors = errors_of(document, link_check=lambda flow_id: "links to a flow that is not in this account")
    assert [(e.node, "not in this account" in e.message) for e in errors] == [("other", True)]


def test_procedure_cannot_ask_questions():
    assert any(e.node == "connected" for e in errors_of(vpn_graph(), kind="procedure"))


def test_start_must_be_a_node():
    document = vpn_graph()
    document["start"] = "missing"
    assert any("start" in e.message for e in errors_of(document))


@pytest.mark.parametrize(
    "document",
    [None, [], "text", {"nodes": "x"}, {"nodes": [1, 2]}, {"schema_version": 2, "nodes": []}],
)
def test_malformed_documents_are_refused_not_crashed(document):
    assert errors_of(document)[0].node is None


def test_outcome_value_and_type_are_checked():
    document = vpn_graph()
    node_of(document, "fixed")["outcome"] = "maybe"
    document["nodes"].append({"key": "odd", "type": "poem", "text": "?"})
    errors = errors_of(document)
    assert any(e.node == "fixed" for e in errors) and any(e.node == "odd" for e in errors)


def test_diff_says_what_changed():
    old = graphs.validate(vpn_graph())
    new = copy.deepcopy(old)
    node_of(new, "restart")["text"] = "Restart the VPN agent"
    new["nodes"].append({"key": "extra", "type": "outcome", "text": "Extra", "outcome": "resolved"})
    new["nodes"] = [n for n in new["nodes"] if n["key"] != "mtu"]
    lines = graphs.diff(old, new)
    assert any("Changed text" in line and "restart" in line for line in lines)
    assert any(line.startswith("Added outcome “extra”") for line in lines)
    assert "Removed action “mtu”" in lines
