"""The review queue pages /flows/proposals/ and the nav badge."""

import json
import uuid

import pytest

from flows.models import Flow, FlowProposal
from flows.tests.test_proposals import make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(engineer):
    return make_proposal(engineer)


def test_owner_sees_the_queue_the_diagram_and_the_evidence(client_for, owner, proposal):
    page = client_for(owner).get("/flows/proposals/")
    assert page.status_code == 200 and proposal.title in page.content.decode()
    review = client_for(owner).get(f"/flows/proposals/{proposal.pk}/").content.decode()
    assert 'data-testid="flow-diagram"' in review
    assert "Recreate the Outlook profile" in review and "dead end" in review  # the evidence
    assert "Cleared stale credentials" in review  # the resolution


def test_nav_badge_counts_pending_proposals_for_reviewers_only(client_for, owner, engineer, proposal):
    html = client_for(owner).get("/flows/").content.decode()
    assert 'data-testid="nav-count">1<' in html
    assert "/flows/proposals/" not in client_for(engineer).get("/flows/").content.decode()


@pytest.mark.parametrize("role", ["engineer", "viewer"])
def test_engineer_and_viewer_get_403(client_for, role, proposal, request):
    client = client_for(request.getfixturevalue(role))
    assert client.get("/flows/proposals/").status_code == 403
    assert client.get(f"/flows/proposals/{proposal.pk}/").status_code == 403
    assert client.post(f"/flows/proposals/{proposal.pk}/accept/").status_code == 403
    assert client.post(f"/flows/proposals/{proposal.pk}/reject/", {"reason": "x"}).status_code == 403


def test_outsider_gets_404(client_for, outsider, proposal):
    outsider.account_role = "owner"
    outsider.save()
    client = client_for(outsider)
    assert proposal.title not in client.get("/flows/proposals/").content.decode()
    assert client.get(f"/flows/proposals/{proposal.pk}/").status_code == 404
    assert client.post(f"/flows/proposals/{proposal.pk}/accept/").status_code == 404
    assert client.get(f"/flows/proposals/{uuid.uuid4()}/").status_code == 404


def test_edit_shows_problems_inline_and_keeps_the_text(client_for, admin_user, proposal):
    client = client_for(admin_user)
    bad = client.post(f"/flows/proposals/{proposal.pk}/graph/", {"graph": "{not json"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "not valid JSON" in bad.content.decode()
    graph = {**proposal.graph, "start": "nowhere"}
    broken = client.post(f"/flows/proposals/{proposal.pk}/graph/", {"graph": json.dumps(graph)}, HTTP_HX_REQUEST="true")
    assert broken.status_code == 200 and "nowhere" in broken.content.decode()
    fixed = {**proposal.graph, "nodes": [*proposal.graph["nodes"]]}
    fixed["nodes"][0] = {**fixed["nodes"][0], "text": "Edited by the reviewer"}
    ok = client.post(f"/flows/proposals/{proposal.pk}/graph/", {"graph": json.dumps(fixed)}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "The graph is valid" in ok.content.decode()
    response = client.post(f"/flows/proposals/{proposal.pk}/accept/")
    draft = Flow.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/flows/{draft.pk}/edit/"
    assert draft.graph["nodes"][0]["text"] == "Edited by the reviewer" and draft.status == "draft"


def test_reject_from_the_page_keeps_the_reason(client_for, owner, proposal):
    client = client_for(owner)
    client.post(f"/flows/proposals/{proposal.pk}/reject/", {"reason": ""})
    assert FlowProposal.objects.get(pk=proposal.pk).status == "pending"
    client.post(f"/flows/proposals/{proposal.pk}/reject/", {"reason": "Too specific to one client"})
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.reason == "Too specific to one client"
    assert proposal.title in client.get("/flows/proposals/?status=rejected").content.decode()


def _node(proposal, kind):
    return next(n for n in proposal.graph["nodes"] if n["type"] == kind)


def _save_node(client, proposal, key, data, htmx=True):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/flows/proposals/{proposal.pk}/nodes/{key}/", data, **extra)


@pytest.mark.parametrize("role", ["owner", "admin_user"])
def test_reviewer_edits_a_node_in_its_form_and_the_diagram_redraws(client_for, role, proposal, request):
    client = client_for(request.getfixturevalue(role))
    page = client.get(f"/flows/proposals/{proposal.pk}/").content.decode()
    assert page.count('data-testid="proposal-node"') == len(proposal.graph["nodes"])
    action = _node(proposal, "action")
    response = _save_node(
        client, proposal, action["key"], {"text": "Reset the Outlook profile", "next": action["next"]}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.count("Reset the Outlook profile") >= 2  # the diagram and the form
    assert 'id="proposal-review"' in html and "<html" not in html  # only the review panel is swapped
    proposal.refresh_from_db()
    assert _node(proposal, "action")["text"] == "Reset the Outlook profile"
    assert client.post(f"/flows/proposals/{proposal.pk}/accept/").status_code == 302
    draft = Flow.objects.get()
    assert draft.status == "draft" and _node(draft, "action")["text"] == "Reset the Outlook profile"


def test_a_node_edit_that_breaks_the_graph_is_kept_and_names_the_node(client_for, owner, proposal):
    client = client_for(owner)
    question = _node(proposal, "question")
    first = question["answers"][0]
    labels = [a["label"] for a in question["answers"]]
    nexts = ["nowhere" if i == 0 else a["next"] for i, a in enumerate(question["answers"])]
    edit = {"text": "Does Outlook prompt again?", "answer_label": labels, "answer_next": nexts}
    html = _save_node(client, proposal, question["key"], edit).content.decode()
    assert "Does Outlook prompt again?" in html  # the edit is kept ...
    assert 'data-testid="node-problems"' in html and f'href="#pnode-{question["key"]}"' in html  # ... its problem named
    assert 'data-testid="proposal-accept" disabled' in html
    proposal.refresh_from_db()
    assert _node(proposal, "question")["answers"][0] == {"label": first["label"], "next": "nowhere"}


def test_a_refused_node_form_changes_nothing_and_says_which_node(client_for, owner, proposal):
    before = proposal.graph
    action = _node(proposal, "action")
    response = _save_node(client_for(owner), proposal, action["key"], {"text": "x" * 5000})
    assert response.status_code == 400 and action["key"] in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.graph == before
    assert _save_node(client_for(owner), proposal, "no-such-node", {"text": "x"}).status_code == 400


def test_node_edits_refused_for_engineer_viewer_outsider_and_after_review(
    client_for, engineer, viewer, outsider, owner, proposal
):
    key = proposal.graph["nodes"][0]["key"]
    assert _save_node(client_for(engineer), proposal, key, {"text": "x"}).status_code == 403
    assert _save_node(client_for(viewer), proposal, key, {"text": "x"}).status_code == 403
    outsider.account_role = "owner"
    outsider.save()
    assert _save_node(client_for(outsider), proposal, key, {"text": "x"}).status_code == 404
    client_for(owner).post(f"/flows/proposals/{proposal.pk}/reject/", {"reason": "Duplicate"})
    assert _save_node(client_for(owner), proposal, key, {"text": "x"}).status_code == 409
    assert client_for(owner).get(f"/flows/proposals/{proposal.pk}/nodes/{key}/").status_code == 405
