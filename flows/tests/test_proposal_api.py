"""API of the review queue: /api/v1/flows/proposals/ (owner/admin; engineers and viewers 403; outsiders 404)."""

import uuid

import pytest

from flows.models import Flow, FlowProposal
from flows.tests.test_proposals import make_proposal

pytestmark = pytest.mark.django_db
LIST = "/api/v1/flows/proposals/"


@pytest.fixture
def proposal(engineer):
    return make_proposal(engineer)


def test_owner_lists_proposals_with_the_contract_fields(api_for, owner, proposal):
    response = api_for(owner).get(LIST, {"status": "pending"})
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert {"id", "status", "sessions", "flow", "rationale", "graph"} <= set(row)
    assert row["status"] == "pending" and row["flow"] is None and len(row["sessions"]) == 1
    assert api_for(owner).get(LIST, {"status": "accepted"}).json()["results"] == []


def test_unknown_status_is_400_naming_the_values(api_for, owner, proposal):
    response = api_for(owner).get(LIST, {"status": "maybe"})
    assert response.status_code == 400 and "pending, accepted, rejected" in response.json()["detail"]


@pytest.mark.parametrize("role", ["engineer", "viewer"])
def test_engineer_and_viewer_are_forbidden_everywhere(api_for, role, proposal, request):
    api = api_for(request.getfixturevalue(role))
    assert api.get(LIST).status_code == 403
    assert api.post(f"{LIST}{proposal.pk}/accept/").status_code == 403
    assert api.post(f"{LIST}{proposal.pk}/reject/", {"reason": "x"}).status_code == 403


def test_outsider_sees_nothing_and_gets_404(api_for, outsider, proposal):
    outsider.account_role = "owner"
    outsider.save()
    api = api_for(outsider)
    assert api.get(LIST).json()["results"] == []
    assert api.post(f"{LIST}{proposal.pk}/accept/").status_code == 404
    assert api.post(f"{LIST}{proposal.pk}/reject/", {"reason": "x"}).status_code == 404
    assert api.post(f"{LIST}{uuid.uuid4()}/accept/").status_code == 404


def test_accept_answers_201_with_the_draft_and_409_the_second_time(api_for, owner, proposal):
    response = api_for(owner).post(f"{LIST}{proposal.pk}/accept/", {}, format="json")
    assert response.status_code == 201
    draft = Flow.objects.get(pk=response.json()["flow"])
    assert draft.status == "draft"
    assert api_for(owner).post(f"{LIST}{proposal.pk}/accept/").status_code == 409


def test_accept_with_an_invalid_edited_graph_is_400_and_changes_nothing(api_for, admin_user, proposal):
    graph = {**proposal.graph, "start": "nowhere"}
    response = api_for(admin_user).post(f"{LIST}{proposal.pk}/accept/", {"graph": graph}, format="json")
    assert response.status_code == 400 and response.json()["errors"]
    assert FlowProposal.objects.get(pk=proposal.pk).status == "pending"
    assert not Flow.objects.exists()


def test_reject_records_the_reason_and_needs_one(api_for, owner, proposal):
    api = api_for(owner)
    assert api.post(f"{LIST}{proposal.pk}/reject/", {}, format="json").status_code == 400
    response = api.post(f"{LIST}{proposal.pk}/reject/", {"reason": "Covered by the Outlook flow"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert FlowProposal.objects.get(pk=proposal.pk).reason == "Covered by the Outlook flow"


def test_proposal_endpoints_are_in_the_openapi_schema(api_for, owner):
    schema = api_for(owner).get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/flows/proposals/",
        "/api/v1/flows/proposals/{proposal_id}/accept/",
        "/api/v1/flows/proposals/{proposal_id}/reject/",
    ):
        assert path in schema
