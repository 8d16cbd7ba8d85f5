"""JSON API for handoffs: create, read, claim, release, withdraw, queue (SPEC section 7)."""

import pytest
from django.core.cache import cache

from escalations import services
from escalations.models import Handoff
from escalations.tests.conftest import make_worked_session

BAD_UUID = "not-a-uuid"
XSS = "<script>alert('x')</script>"


def test_create_escalation_returns_201_handoff(worked_session, engineer, api_for):
    response = api_for(engineer).post(
        f"/api/v1/sessions/{worked_session.pk}/handoffs/",
        {"intent": "escalate", "engineer_notes": "Stuck", "priority": "high"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["intent"], body["priority"], body["engineer_notes"]) == ("escalate", "high", "Stuck")
    assert body["session"] == str(worked_session.pk)
    assert body["handed_off_by"]["name"] == "Jamie Junior"
    assert body["claimed_by"] is None and body["assessment_status"] == "pending"
    assert body["snapshot"]["counts"]["steps"] == 3


def test_create_park_returns_201(worked_session, owner, api_for):
    response = api_for(owner).post(f"/api/v1/sessions/{worked_session.pk}/handoffs/", {"intent": "park"}, format="json")
    assert response.status_code == 201 and response.json()["intent"] == "park"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"intent": "vanish"}, "intent"), ({"intent": "escalate", "priority": "asap"}, "priority"), ({}, "intent")],
)
def test_create_with_bad_input_is_400_with_message(payload, field, worked_session, engineer, api_for):
    response = api_for(engineer).post(f"/api/v1/sessions/{worked_session.pk}/handoffs/", payload, format="json")
    assert response.status_code == 400 and response.json()["detail"].startswith(field)
    assert not Handoff.objects.exists()


def test_create_on_escalated_session_is_400(escalation, senior, api_for):
    response = api_for(senior).post(
        f"/api/v1/sessions/{escalation.session_id}/handoffs/", {"intent": "escalate"}, format="json"
    )
    assert response.status_code == 400 and "Only an active session" in response.json()["detail"]


def test_create_by_viewer_is_403_naming_the_role(worked_session, viewer, api_for):
    response = api_for(viewer).post(
        f"/api/v1/sessions/{worked_session.pk}/handoffs/", {"intent": "escalate"}, format="json"
    )
    assert response.status_code == 403 and response.json() == {"detail": "engineer or admin role required"}


def test_create_for_outsider_and_bad_uuid_is_404(worked_session, outsider, engineer, api_for):
    url = f"/api/v1/sessions/{worked_session.pk}/handoffs/"
    assert api_for(outsider).post(url, {"intent": "escalate"}, format="json").status_code == 404
    bad = api_for(engineer).post(f"/api/v1/sessions/{BAD_UUID}/handoffs/", {"intent": "escalate"}, format="json")
    assert bad.status_code == 404 and bad.json() == {"detail": "Not found."}


def test_create_rejects_get(worked_session, engineer, api_for):
    assert api_for(engineer).get(f"/api/v1/sessions/{worked_session.pk}/handoffs/").status_code == 405


def test_unauthenticated_api_is_401(escalation, client):
    assert client.get(f"/api/v1/handoffs/{escalation.pk}/").status_code == 401


@pytest.mark.parametrize("who", ["owner", "senior", "viewer"])
def test_handoff_detail_with_snapshot_and_assessment(request, who, escalation, api_for):
    response = api_for(request.getfixturevalue(who)).get(f"/api/v1/handoffs/{escalation.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(escalation.pk)
    assert body["snapshot"]["schema_version"] == 1 and "ai_assessment" in body


def test_handoff_detail_404_for_outsider_and_bad_uuid(escalation, outsider, senior, api_for):
    assert api_for(outsider).get(f"/api/v1/handoffs/{escalation.pk}/").status_code == 404
    assert api_for(senior).get(f"/api/v1/handoffs/{BAD_UUID}/").status_code == 404


def test_handoff_detail_rejects_post(escalation, senior, api_for):
    assert api_for(senior).post(f"/api/v1/handoffs/{escalation.pk}/").status_code == 405


@pytest.mark.parametrize("who", ["owner", "senior"])
def test_claim_returns_200_with_claimer(request, who, escalation, api_for):
    user = request.getfixturevalue(who)
    response = api_for(user).post(f"/api/v1/handoffs/{escalation.pk}/claim/")
    assert response.status_code == 200
    body = response.json()
    assert body["claimed_by"] == {"id": str(user.pk), "name": user.display_name} and body["claimed_at"]


def test_lost_claim_is_409_naming_the_winner(escalation, senior, senior2, api_for):
    api_for(senior).post(f"/api/v1/handoffs/{escalation.pk}/claim/")
    response = api_for(senior2).post(f"/api/v1/handoffs/{escalation.pk}/claim/")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("Already claimed by Sam Senior ") and body["detail"].endswith("s ago")
    assert body["claimed_by"]["name"] == "Sam Senior" and body["claimed_at"]


def test_claim_by_viewer_is_403_naming_the_role(escalation, viewer, api_for):
    response = api_for(viewer).post(f"/api/v1/handoffs/{escalation.pk}/claim/")
    assert response.status_code == 403 and response.json() == {"detail": "engineer or admin role required"}


def test_self_claim_is_400(escalation, engineer, api_for):
    response = api_for(engineer).post(f"/api/v1/handoffs/{escalation.pk}/claim/")
    assert response.status_code == 400 and "withdraw it instead" in response.json()["detail"]


@pytest.mark.parametrize("action", ["claim", "release", "withdraw"])
def test_actions_404_for_outsider_and_bad_uuid(action, escalation, outsider, senior, api_for):
    assert api_for(outsider).post(f"/api/v1/handoffs/{escalation.pk}/{action}/").status_code == 404
    assert api_for(senior).post(f"/api/v1/handoffs/{BAD_UUID}/{action}/").status_code == 404


@pytest.mark.parametrize("action", ["claim", "release", "withdraw"])
def test_actions_reject_get(action, escalation, senior, api_for):
    assert api_for(senior).get(f"/api/v1/handoffs/{escalation.pk}/{action}/").status_code == 405


@pytest.mark.parametrize("action", ["release", "withdraw"])
def test_release_and_withdraw_by_viewer_are_403(action, escalation, viewer, api_for):
    assert api_for(viewer).post(f"/api/v1/handoffs/{escalation.pk}/{action}/").status_code == 403


def test_release_returns_the_fresh_handoff(escalation, senior, api_for):
    client = api_for(senior)
    client.post(f"/api/v1/handoffs/{escalation.pk}/claim/")
    response = client.post(f"/api/v1/handoffs/{escalation.pk}/release/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] != str(escalation.pk) and body["claimed_by"] is None
    assert body["engineer_notes"].startswith("Released by Sam Senior: ")


def test_release_by_non_claimer_is_400(escalation, senior, senior2, api_for):
    api_for(senior).post(f"/api/v1/handoffs/{escalation.pk}/claim/")
    assert api_for(senior2).post(f"/api/v1/handoffs/{escalation.pk}/release/").status_code == 400


def test_withdraw_by_escalator_then_claim_is_409(escalation, engineer, senior, api_for):
    response = api_for(engineer).post(f"/api/v1/handoffs/{escalation.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["withdrawn_at"]
    assert api_for(senior).post(f"/api/v1/handoffs/{escalation.pk}/claim/").status_code == 409


def test_withdraw_by_someone_else_is_400(escalation, senior, api_for):
    assert api_for(senior).post(f"/api/v1/handoffs/{escalation.pk}/withdraw/").status_code == 400


@pytest.mark.parametrize("who", ["owner", "senior", "viewer"])
def test_queue_lists_unclaimed_escalations_newest_first(request, who, engineer, senior2, parked, api_for):
    older = services.escalate(make_worked_session(engineer, "Older"), engineer)
    newer = services.escalate(make_worked_session(engineer, "Newer"), engineer)
    claimed = services.escalate(make_worked_session(engineer, "Claimed"), engineer)
    services.claim(claimed, senior2)
    response = api_for(request.getfixturevalue(who)).get("/api/v1/queue/")
    assert response.status_code == 200
    assert [h["id"] for h in response.json()["results"]] == [str(newer.pk), str(older.pk)]


def test_queue_of_outsider_is_their_own_empty_queue(escalation, outsider, api_for):
    response = api_for(outsider).get("/api/v1/queue/")
    assert response.status_code == 200 and response.json()["results"] == []


def test_queue_rejects_post(senior, api_for):
    assert api_for(senior).post("/api/v1/queue/").status_code == 405


def test_markup_in_notes_is_escaped_in_json_but_round_trips(worked_session, engineer, senior, api_for):
    handoff = services.escalate(worked_session, engineer, engineer_notes=XSS)
    for url in (f"/api/v1/handoffs/{handoff.pk}/", "/api/v1/queue/"):
        response = api_for(senior).get(url)
        assert response["Content-Type"].startswith("application/json")
        assert b"<script>" not in response.content and b"\\u003cscript\\u003e" in response.content
    assert api_for(senior).get(f"/api/v1/handoffs/{handoff.pk}/").json()["engineer_notes"] == XSS


def test_claim_is_throttled_per_user(settings, engineer, senior, senior2, api_for):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "10/min", "claim": "2/min"},
    }
    cache.clear()
    handoffs = [services.escalate(make_worked_session(engineer, f"P{n}"), engineer) for n in range(4)]
    client = api_for(senior)
    codes = [client.post(f"/api/v1/handoffs/{h.pk}/claim/").status_code for h in handoffs[:3]]
    assert codes == [200, 200, 429]
    assert api_for(senior2).post(f"/api/v1/handoffs/{handoffs[3].pk}/claim/").status_code == 200  # per user
    cache.clear()
