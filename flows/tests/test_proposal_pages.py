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
