"""A token client runs the whole product flow with only the documented API (SPEC section 7)."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def token_client(email: str) -> APIClient:
    anonymous = APIClient()
    response = anonymous.post("/api/v1/auth/token/", {"username": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_token_client_runs_open_steps_escalate_claim_action_metrics(
    engineer, senior, senior2, owner, django_capture_on_commit_callbacks
):
    junior, first, second, boss = (token_client(u.email) for u in (engineer, senior, senior2, owner))

    opened = junior.post(
        "/api/v1/sessions/",
        {"problem_summary": "Outlook keeps prompting for a password", "problem_domain": "email", "ticket_ref": "T-42"},
        format="json",
    )
    assert opened.status_code == 201
    session_id = opened.json()["id"]

    asked = junior.post(f"/api/v1/sessions/{session_id}/messages/", {"text": "Where do I start?"}, format="json")
    assert asked.status_code == 201
    assert asked.json()["reply"] and asked.json()["steps"]

    step = junior.post(
        f"/api/v1/sessions/{session_id}/steps/",
        {
            "title": "Cleared cached credentials",
            "status": "failed",
            "result_note": "still prompts",
            "is_dead_end": True,
        },
        format="json",
    )
    assert step.status_code == 201
    detail = junior.get(f"/api/v1/sessions/{session_id}/").json()
    assert any(s["title"] == "Cleared cached credentials" and s["is_dead_end"] for s in detail["steps"])

    with django_capture_on_commit_callbacks(execute=True):  # push, email and assessment run after commit
        handoff = junior.post(
            f"/api/v1/sessions/{session_id}/handoffs/",
            {"intent": "escalate", "engineer_notes": "cached creds were a dead end", "priority": "high"},
            format="json",
        )
    assert handoff.status_code == 201
    handoff_id = handoff.json()["id"]
    assert [h["id"] for h in first.get("/api/v1/queue/").json()["results"]] == [handoff_id]

    won = first.post(f"/api/v1/handoffs/{handoff_id}/claim/")
    assert won.status_code == 200
    assert won.json()["claimed_by"]["name"] == senior.display_name and won.json()["claimed_at"]
    lost = second.post(f"/api/v1/handoffs/{handoff_id}/claim/")
    assert lost.status_code == 409
    assert lost.json()["detail"].startswith(f"Already claimed by {senior.display_name} ")
    assert first.get("/api/v1/queue/").json()["results"] == []

    context = first.get(f"/api/v1/handoffs/{handoff_id}/").json()
    assert context["snapshot"]["counts"]["dead_ends"] == 1
    assert context["assessment_status"] == "ready"  # offline provider, in-process tasks

    action = first.post(
        f"/api/v1/sessions/{session_id}/messages/", {"text": "Check the modern auth registry keys"}, format="json"
    )
    assert action.status_code == 201

    metrics = boss.get("/api/v1/analytics/escalations/?period=7d")
    assert metrics.status_code == 200
    body = metrics.json()
    assert body["n_handoffs_claimed"] == 1 and body["n_handoffs_with_action"] == 1
    assert body["ttfa_avg_s"] is not None and body["ttfa_avg_s"] >= 0

    resolved = first.post(
        f"/api/v1/sessions/{session_id}/resolve/",
        {"resolution_summary": "Re-registered the mailbox profile; password: Hunter2!"},
        format="json",
    )
    assert resolved.status_code == 200
    notes = first.get(f"/api/v1/sessions/{session_id}/notes/?format=txt")
    assert notes.status_code == 200
    assert "Hunter2!" not in notes.content.decode()


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/api/v1/sessions/", "problem_summary=x", "application/x-www-form-urlencoded"),
        ("/api/v1/sessions/", "<xml/>", "application/xml"),
    ],
)
def test_non_json_bodies_are_415_with_detail(engineer, path, body, content_type):
    client = token_client(engineer.email)
    response = client.generic("POST", path, body, content_type=content_type)
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({}, "problem_summary"),
        ({"problem_summary": 12}, "problem_summary: Must be a string."),
        ({"problem_summary": {"a": 1}}, "problem_summary"),
        ({"problem_summary": "x" * 100_000}, "problem_summary"),
        ({"problem_summary": "VPN", "problem_domain": "astrology"}, "problem_domain"),
        ([1, 2, 3], "Invalid data"),
    ],
)
def test_bad_session_input_is_a_400_naming_the_field(engineer, payload, fragment):
    response = token_client(engineer.email).post("/api/v1/sessions/", payload, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_bad_uuid_and_foreign_ids_answer_404(engineer, outsider):
    client = token_client(engineer.email)
    foreign = (
        token_client(outsider.email)
        .post("/api/v1/sessions/", {"problem_summary": "Contoso printer"}, format="json")
        .json()["id"]
    )
    for path in (f"/api/v1/sessions/{foreign}/", "/api/v1/sessions/not-a-uuid/", "/api/v1/handoffs/123/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
