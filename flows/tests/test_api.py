"""`/api/v1/flows/...` and the session runner endpoints: contract, tenancy, roles, validation."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from flows import runner, services
from flows.models import Flow, FlowVersion
from flows.tests.conftest import vpn_graph

pytestmark = pytest.mark.django_db


def test_create_then_put_graph_then_publish(api_for, engineer, owner):
    api = api_for(engineer)
    created = api.post(
        "/api/v1/flows/", {"title": "Printer offline", "kind": "troubleshooting", "tags": ["print"]}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "draft" and body["published_version"] is None
    flow_id = body["id"]
    put = api.put(f"/api/v1/flows/{flow_id}/graph/", vpn_graph(), format="json")
    assert put.status_code == 200 and put.json()["draft"]["start"] == "connected"
    published = api_for(owner).post(f"/api/v1/flows/{flow_id}/publish/")
    assert published.status_code == 201 and published.json() == {"version": 1}
    again = api_for(owner).post(f"/api/v1/flows/{flow_id}/publish/")
    assert again.json() == {"version": 2}
    detail = api.get(f"/api/v1/flows/{flow_id}/").json()
    assert detail["published_version"] == 2 and detail["status"] == "published"


def test_invalid_graph_is_400_with_node_errors_and_nothing_saved(api_for, engineer, draft):
    document = vpn_graph()
    document["nodes"][1]["next"] = "nowhere"
    response = api_for(engineer).put(f"/api/v1/flows/{draft.pk}/graph/", document, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and {"node": "restart", "message": body["errors"][0]["message"]} in body["errors"]
    draft.refresh_from_db()
    assert draft.graph["nodes"][1]["next"] == "fixed"


def test_engineer_cannot_publish(api_for, engineer, draft):
    response = api_for(engineer).post(f"/api/v1/flows/{draft.pk}/publish/")
    assert response.status_code == 403
    assert "owner or admin" in response.json()["detail"]
    assert not FlowVersion.objects.exists()


def test_viewer_reads_but_cannot_write(api_for, viewer, draft):
    api = api_for(viewer)
    assert api.get("/api/v1/flows/").status_code == 200
    assert api.get(f"/api/v1/flows/{draft.pk}/").status_code == 200
    assert api.post("/api/v1/flows/", {"title": "x"}, format="json").status_code == 403
    assert api.put(f"/api/v1/flows/{draft.pk}/graph/", vpn_graph(), format="json").status_code == 403
    assert api.post(f"/api/v1/flows/{draft.pk}/publish/").status_code == 403


def test_another_accounts_flow_is_404(api_for, outsider, draft, session):
    api = api_for(outsider)
    for method, url in [
        ("get", f"/api/v1/flows/{draft.pk}/"),
        ("put", f"/api/v1/flows/{draft.pk}/graph/"),
        ("post", f"/api/v1/flows/{draft.pk}/publish/"),
        ("get", f"/api/v1/flows/{draft.pk}/export/"),
        ("post", f"/api/v1/sessions/{session.pk}/flow/"),
    ]:
        assert getattr(api, method)(url, {}, format="json").status_code == 404, url
    listed = api.get("/api/v1/flows/").json()
    assert (listed["results"] if isinstance(listed, dict) else listed) == []


def test_link_to_another_accounts_flow_is_refused(api_for, outsider, published):
    api = api_for(outsider)
    flow_id = api.post("/api/v1/flows/", {"title": "Contoso"}, format="json").json()["id"]
    document = {
        "schema_version": 1,
        "start": "go",
        "nodes": [{"key": "go", "type": "link", "text": "Northwind's VPN flow", "flow": str(published.pk)}],
    }
    response = api.put(f"/api/v1/flows/{flow_id}/graph/", document, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["node"] == "go"
    assert "not in this account" in response.json()["errors"][0]["message"]


def test_link_to_an_unpublished_flow_is_refused(api_for, engineer, draft):
    flow_id = api_for(engineer).post("/api/v1/flows/", {"title": "Outer"}, format="json").json()["id"]
    document = {
        "schema_version": 1,
        "start": "go",
        "nodes": [{"key": "go", "type": "link", "text": "x", "flow": str(draft.pk)}],
    }
    response = api_for(engineer).put(f"/api/v1/flows/{flow_id}/graph/", document, format="json")
    assert response.status_code == 400 and "not published" in response.json()["errors"][0]["message"]


def test_export_then_import_round_trips(api_for, engineer, draft):
    api = api_for(engineer)
    exported = api.get(f"/api/v1/flows/{draft.pk}/export/").json()
    assert exported["title"] == "VPN drops" and exported["tags"] == ["vpn", "remote work"]
    imported = api.post("/api/v1/flows/import/", exported, format="json")
    assert imported.status_code == 201
    assert imported.json()["draft"]["nodes"] == exported["nodes"] and imported.json()["status"] == "draft"


def test_import_of_an_invalid_graph_creates_nothing(api_for, engineer):
    document = {**vpn_graph(), "title": "Broken"}
    document["nodes"] = document["nodes"][:2]
    response = api_for(engineer).post("/api/v1/flows/import/", document, format="json")
    assert response.status_code == 400 and response.json()["errors"]
    assert not Flow.objects.filter(title="Broken").exists()


def test_list_filters_and_search(api_for, engineer, published):
    services.create_flow(engineer, title="Printer jams", problem_domain="printing", tags=["paper"])
    api = api_for(engineer)
    titles = lambda r: [f["title"] for f in r.json()["results"]]  # noqa: E731
    assert titles(api.get("/api/v1/flows/?q=vpn")) == ["VPN drops"]
    assert titles(api.get("/api/v1/flows/?q=MTU")) == ["VPN drops"]
    assert titles(api.get("/api/v1/flows/?domain=printing")) == ["Printer jams"]
    assert titles(api.get("/api/v1/flows/?tag=paper")) == ["Printer jams"]
    assert titles(api.get("/api/v1/flows/?status=published")) == ["VPN drops"]
    assert api.get("/api/v1/flows/?status=bogus").status_code == 400


def test_runner_endpoints(api_for, engineer, published, session):
    api = api_for(engineer)
    base = f"/api/v1/sessions/{session.pk}/flow"
    started = api.post(f"{base}/", {"flow": str(published.pk)}, format="json")
    assert started.status_code == 201
    assert started.json()["version"] == 1 and started.json()["current"]["key"] == "connected"
    answered = api.post(f"{base}/answer/", {"node": "connected", "answer": "Yes"}, format="json")
    assert answered.status_code == 200 and answered.json()["current"]["key"] == "mtu"
    stale = api.post(f"{base}/answer/", {"node": "connected", "answer": "No"}, format="json")
    assert stale.status_code == 409 and stale.json()["current"] == "mtu"
    back = api.post(f"{base}/back/")
    assert back.status_code == 200 and back.json()["path"] == []
    api.post(f"{base}/answer/", {"node": "connected", "answer": "Yes"}, format="json")
    outcome = api.post(f"{base}/answer/", {"node": "mtu", "status": "failed", "result_note": "no"}, format="json")
    assert outcome.json()["ended"] and outcome.json()["outcome"] == "escalate"
    detail = api.get(f"/api/v1/sessions/{session.pk}/").json()
    assert detail["flow_run"]["path"] == ["connected", "mtu"] and detail["flow_run"]["ended"] is True
    assert [s["source"] for s in detail["steps"]] == ["flow", "flow", "flow"]


def test_leave_endpoint_and_bad_input(api_for, engineer, published, session):
    api = api_for(engineer)
    base = f"/api/v1/sessions/{session.pk}/flow"
    assert api.post(f"{base}/leave/").status_code == 400  # nothing started
    api.post(f"{base}/", {"flow": str(published.pk)}, format="json")
    assert api.post(f"{base}/answer/", {"node": "connected"}, format="json").status_code == 400
    assert api.post(f"{base}/answer/", {"node": 5, "answer": "Yes"}, format="json").status_code == 400
    assert api.post(f"{base}/", {"flow": "not-a-uuid"}, format="json").status_code == 400
    left = api.post(f"{base}/leave/")
    assert left.status_code == 200 and left.json()["outcome"] == "left"
    assert api.get(f"/api/v1/sessions/{session.pk}/").json()["flow_run"]["ended"] is True


def test_viewer_cannot_run_a_flow(api_for, viewer, published, session):
    assert (
        api_for(viewer)
        .post(f"/api/v1/sessions/{session.pk}/flow/", {"flow": str(published.pk)}, format="json")
        .status_code
        == 403
    )


def test_session_without_a_run_has_null_flow_run(api_for, engineer, session):
    assert api_for(engineer).get(f"/api/v1/sessions/{session.pk}/").json()["flow_run"] is None


def test_generate_offline_builds_a_valid_draft(api_for, engineer):
    response = api_for(engineer).post(
        "/api/v1/flows/generate/",
        {"description": "Outlook keeps prompting for a password", "problem_domain": "email"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and len(body["draft"]["nodes"]) >= 4
    flow = Flow.objects.get(pk=body["id"])
    assert services.validate_errors(flow) == []


def test_flow_paths_are_in_the_openapi_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/v1/flows/",
        "/api/v1/flows/{flow_id}/",
        "/api/v1/flows/{flow_id}/graph/",
        "/api/v1/flows/{flow_id}/publish/",
        "/api/v1/flows/{flow_id}/export/",
        "/api/v1/flows/import/",
        "/api/v1/flows/generate/",
        "/api/v1/sessions/{session_id}/flow/",
        "/api/v1/sessions/{session_id}/flow/answer/",
        "/api/v1/sessions/{session_id}/flow/back/",
        "/api/v1/sessions/{session_id}/flow/leave/",
    ):
        assert path in paths, path


def test_session_detail_schema_documents_flow_run():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    flow_run = components["SessionDetail"]["properties"]["flow_run"]
    assert flow_run["readOnly"] is True and flow_run["nullable"] is True
    assert flow_run["allOf"] == [{"$ref": "#/components/schemas/FlowRun"}]
    assert set(components["FlowRun"]["properties"]) >= {"flow", "version", "current", "path", "ended"}


def test_run_facts_shape(published, session, engineer):
    facts = runner.run_facts(runner.start_run(session, engineer, published))
    assert set(facts) >= {"flow", "version", "current", "path", "ended"}
