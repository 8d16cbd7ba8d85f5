"""`/api/v1/sessions/...`: tenancy, roles, validation and the copilot/notes contracts."""

import uuid

import pytest
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator

from flowpilot import services
from flowpilot.ai.anthropic_provider import STEPS_TOOL
from flowpilot.models import Activity, Session
from tests.support.fake_anthropic import FakeReply


@pytest.fixture
def session(engineer):
    return services.open_session(engineer, problem_summary="Outlook keeps prompting for a password", ticket_ref="T-1")


@pytest.fixture
def step(session, engineer):
    return services.add_step(session, engineer, title="Clear cached creds")


def writes(session, step):
    base = f"/api/v1/sessions/{session.pk}"
    return {
        "open": ("/api/v1/sessions/", {"problem_summary": "Printer offline"}),
        "step": (f"{base}/steps/", {"title": "Restart spooler", "status": "done"}),
        "result": (f"{base}/steps/", {"step": str(step.pk), "status": "failed", "is_dead_end": True}),
        "message": (f"{base}/messages/", {"text": "what next?"}),
        "resolve": (f"{base}/resolve/", {"resolution_summary": "New profile"}),
    }


def reads(session):
    base = f"/api/v1/sessions/{session.pk}"
    return ["/api/v1/sessions/", f"{base}/", f"{base}/notes/?format=md"]


@pytest.mark.parametrize("action", ["open", "step", "result", "message", "resolve"])
def test_api_write_by_engineer_and_owner_works(action, session, step, engineer, owner, api_for):
    for user in (engineer, owner):
        if action == "resolve" and user == owner:
            continue  # already resolved by the engineer
        url, data = writes(session, step)[action]
        response = api_for(user).post(url, data, format="json")
        assert response.status_code in (200, 201), response.content
    if action == "resolve":
        assert api_for(owner).post(url, data, format="json").status_code == 400


@pytest.mark.parametrize("action", ["open", "step", "result", "message", "resolve"])
def test_api_write_by_viewer_is_forbidden(action, session, step, viewer, api_for):
    url, data = writes(session, step)[action]
    before = Activity.objects.count()
    response = api_for(viewer).post(url, data, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "engineer or admin role required"}
    assert Activity.objects.count() == before


@pytest.mark.parametrize("action", ["step", "result", "message", "resolve"])
def test_api_write_by_outsider_is_not_found(action, session, step, outsider, api_for):
    url, data = writes(session, step)[action]
    response = api_for(outsider).post(url, data, format="json")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_api_reads_work_for_viewer_and_owner(session, viewer, owner, api_for):
    for user in (viewer, owner):
        for url in reads(session):
            assert api_for(user).get(url).status_code == 200, url


def test_api_reads_of_another_account_are_not_found(session, outsider, api_for):
    client = api_for(outsider)
    assert client.get(f"/api/v1/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/api/v1/sessions/{session.pk}/notes/?format=md").status_code == 404
    assert client.get("/api/v1/sessions/").json()["results"] == []


def test_api_requires_authentication(session, client):
    assert client.get("/api/v1/sessions/").status_code in (401, 403)


def test_api_bad_and_unknown_uuid_are_not_found(engineer, api_for):
    client = api_for(engineer)
    assert client.get("/api/v1/sessions/nope/").status_code == 404
    assert client.get(f"/api/v1/sessions/{uuid.uuid4()}/").status_code == 404


def test_api_wrong_methods_are_405(session, engineer, api_for):
    client = api_for(engineer)
    base = f"/api/v1/sessions/{session.pk}"
    assert client.delete(f"{base}/").status_code == 405
    assert client.get(f"{base}/steps/").status_code == 405
    assert client.get(f"{base}/messages/").status_code == 405
    assert client.get(f"{base}/resolve/").status_code == 405
    assert client.post(f"{base}/notes/").status_code == 405


def test_api_open_session_returns_201_with_steps(engineer, api_for):
    response = api_for(engineer).post(
        "/api/v1/sessions/",
        {"problem_summary": "DNS fails", "problem_domain": "networking", "client_name": "Acme", "ticket_ref": "T-5"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "active" and body["problem_domain"] == "networking" and body["steps"] == []
    assert Session.objects.get(pk=body["id"]).owner == engineer


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"problem_summary": ""},
        {"problem_summary": "x" * 4001},
        {"problem_summary": "x", "problem_domain": "plumbing"},
    ],
    ids=["missing", "blank", "too-long", "bad-domain"],
)
def test_api_open_session_bad_input_is_400_with_message(data, engineer, api_for):
    response = api_for(engineer).post("/api/v1/sessions/", data, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_api_session_detail_includes_steps(session, step, viewer, api_for):
    body = api_for(viewer).get(f"/api/v1/sessions/{session.pk}/").json()
    assert body["problem_summary"] == session.problem_summary
    assert [s["title"] for s in body["steps"]] == ["Clear cached creds"]


def test_api_list_filters_by_status_and_search(session, engineer, api_for):
    other = services.open_session(engineer, problem_summary="Printer", client_name="Globex")
    services.resolve(other, engineer, "fixed")
    client = api_for(engineer)
    assert [s["id"] for s in client.get("/api/v1/sessions/?status=resolved").json()["results"]] == [str(other.pk)]
    assert [s["id"] for s in client.get("/api/v1/sessions/?q=globex").json()["results"]] == [str(other.pk)]


def test_api_step_without_title_is_400(session, engineer, api_for):
    response = api_for(engineer).post(f"/api/v1/sessions/{session.pk}/steps/", {"status": "done"}, format="json")
    assert response.status_code == 400 and "title" in response.json()["detail"]


def test_api_records_result_on_existing_step(session, step, engineer, api_for):
    response = api_for(engineer).post(
        f"/api/v1/sessions/{session.pk}/steps/",
        {"step": str(step.pk), "status": "failed", "result_note": "no entries", "is_dead_end": True, "output": "none"},
        format="json",
    )
    assert response.status_code == 200
    step.refresh_from_db()
    assert step.status == "failed" and step.is_dead_end and step.output == "none"


def test_api_result_on_step_of_other_session_is_not_found(session, engineer, api_for):
    other = services.open_session(engineer, problem_summary="Other")
    foreign = services.add_step(other, engineer, title="x")
    response = api_for(engineer).post(
        f"/api/v1/sessions/{session.pk}/steps/", {"step": str(foreign.pk), "status": "done"}, format="json"
    )
    assert response.status_code == 404


def test_api_message_returns_reply_and_saved_steps(session, engineer, api_for):
    response = api_for(engineer).post(f"/api/v1/sessions/{session.pk}/messages/", {"text": "help"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["reply"]
    assert len(body["steps"]) == 4
    assert set(body["steps"][0]) == {"id", "title", "detail", "command"}
    assert {str(pk) for pk in session.steps.values_list("pk", flat=True)} == {s["id"] for s in body["steps"]}


def test_api_message_with_anthropic_provider(session, engineer, api_for, fake_anthropic):
    fake_anthropic.reply_with_tool(
        STEPS_TOOL, {"reply": "Try this", "steps": [{"title": "Run dsregcmd", "detail": "d"}]}
    )
    response = api_for(engineer).post(f"/api/v1/sessions/{session.pk}/messages/", {"text": "help"}, format="json")
    assert response.status_code == 201
    assert response.json()["steps"][0]["title"] == "Run dsregcmd"


@pytest.mark.parametrize(
    ("reply", "status"),
    [(FakeReply(status=429), 503), (FakeReply(text="prose only"), 502)],
    ids=["rate-limited", "malformed"],
)
def test_api_message_ai_error_is_502_or_503_and_message_is_recorded(
    reply, status, session, engineer, api_for, fake_anthropic
):
    fake_anthropic.queue(reply)
    response = api_for(engineer).post(
        f"/api/v1/sessions/{session.pk}/messages/", {"text": "still stuck"}, format="json"
    )
    assert response.status_code == status
    assert response.json()["detail"]
    assert session.activities.filter(kind="message", payload__text="still stuck").exists()
    assert session.activities.filter(kind="ai_error").exists()


def test_api_message_too_long_is_400(session, engineer, api_for):
    response = api_for(engineer).post(f"/api/v1/sessions/{session.pk}/messages/", {"text": "x" * 8001}, format="json")
    assert response.status_code == 400


def test_api_resolve_then_work_is_refused(session, engineer, api_for):
    client = api_for(engineer)
    resolved = client.post(f"/api/v1/sessions/{session.pk}/resolve/", {"resolution_summary": "Fixed"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    again = client.post(f"/api/v1/sessions/{session.pk}/messages/", {"text": "hi"}, format="json")
    assert again.status_code == 400 and again.json() == {"detail": "session is resolved"}


def test_api_resolve_without_summary_is_400(session, engineer, api_for):
    response = api_for(engineer).post(f"/api/v1/sessions/{session.pk}/resolve/", {}, format="json")
    assert response.status_code == 400 and "resolution_summary" in response.json()["detail"]


@pytest.mark.parametrize(("fmt", "ctype"), [("md", "text/markdown"), ("txt", "text/plain"), ("html", "text/html")])
def test_api_notes_in_each_format_with_secrets_redacted(fmt, ctype, session, engineer, api_for):
    step = services.add_step(
        session, engineer, title="Dump config", output="Server=db;Password=Hunter22;", status="done"
    )
    assert step.output
    response = api_for(engineer).get(f"/api/v1/sessions/{session.pk}/notes/?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(ctype)
    text = response.content.decode()
    assert "Hunter22" not in text and "[REDACTED]" in text
    assert "Outlook keeps prompting" in text


def test_api_notes_default_to_markdown_and_bad_format_is_400(session, engineer, api_for):
    client = api_for(engineer)
    assert client.get(f"/api/v1/sessions/{session.pk}/notes/")["Content-Type"].startswith("text/markdown")
    response = client.get(f"/api/v1/sessions/{session.pk}/notes/?format=json")
    assert response.status_code == 400 and "md, txt, html" in response.json()["detail"]


def test_api_schema_documents_the_session_endpoints():
    schema = SchemaGenerator(patterns=[path("api/v1/", include("flowpilot.api_urls"))]).get_schema(public=True)
    paths = schema["paths"]
    assert "/api/v1/sessions/{session_id}/messages/" in paths
    notes = paths["/api/v1/sessions/{session_id}/notes/"]["get"]
    assert {p["name"] for p in notes["parameters"]} >= {"format"}
