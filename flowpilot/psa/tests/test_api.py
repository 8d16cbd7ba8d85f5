"""`/api/v1/sessions/{id}/psa/push/` and `/psa/pushes/`: status codes, roles, tenancy."""

import pytest

from flowpilot.psa.models import PsaPush

PUSH_FIELDS = {"id", "kind", "status", "http_status", "external_id", "error", "attempts", "created_at"}


def push_url(session) -> str:
    return f"/api/v1/sessions/{session.pk}/psa/push/"


def pushes_url(session) -> str:
    return f"/api/v1/sessions/{session.pk}/psa/pushes/"


# Real commits: in autocommit the in-process task runs before the response is built.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role_user", ["engineer", "owner"])
def test_push_answers_202_with_the_push_record(request, api_for, ticket_session, connection, fake_cw, role_user):
    response = api_for(request.getfixturevalue(role_user)).post(push_url(ticket_session))

    assert response.status_code == 202
    body = response.json()
    assert set(body) >= PUSH_FIELDS
    assert body["kind"] == "notes"
    # Tasks run in-process here, so the record already says how it went.
    assert body["status"] == "sent" and body["http_status"] == 201
    assert body["external_id"] == str(fake_cw.notes[0]["id"])


def test_push_by_viewer_is_forbidden(committed, api_for, viewer, ticket_session, connection, fake_cw):
    response = committed(api_for(viewer).post, push_url(ticket_session))

    assert response.status_code == 403
    assert response.json() == {"detail": "engineer or admin role required"}
    assert not PsaPush.objects.exists()


def test_push_by_outsider_is_not_found(committed, api_for, outsider, ticket_session, connection, fake_cw):
    response = committed(api_for(outsider).post, push_url(ticket_session))

    assert response.status_code == 404
    assert fake_cw.requests == []


def test_push_with_bad_uuid_is_not_found(api_for, engineer):
    response = api_for(engineer).post("/api/v1/sessions/not-a-uuid/psa/push/")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_push_without_ticket_ref_is_a_400(committed, api_for, engineer, ticket_session, connection):
    ticket_session.ticket_ref = ""
    ticket_session.save()

    response = committed(api_for(engineer).post, push_url(ticket_session))

    assert response.status_code == 400
    assert "no ConnectWise ticket number" in response.json()["detail"]


def test_push_without_a_connection_is_a_400(committed, api_for, engineer, ticket_session):
    response = committed(api_for(engineer).post, push_url(ticket_session))

    assert response.status_code == 400
    assert "no ConnectWise connection" in response.json()["detail"]


# Real commits: in autocommit the in-process task runs before the response is built.
@pytest.mark.django_db(transaction=True)
def test_push_failure_is_reported_in_the_record_not_as_an_error(
    committed, api_for, engineer, ticket_session, connection, fake_cw
):
    fake_cw.fail_next(401)

    response = committed(api_for(engineer).post, push_url(ticket_session))

    assert response.status_code == 202
    assert response.json()["status"] == "failed" and response.json()["http_status"] == 401


def test_push_get_is_not_allowed(api_for, engineer, ticket_session):
    assert api_for(engineer).get(push_url(ticket_session)).status_code == 405


def test_push_unauthenticated_is_401(client, ticket_session):
    assert client.post(push_url(ticket_session)).status_code in (401, 403)


@pytest.mark.parametrize("role_user", ["engineer", "viewer", "owner"])
def test_members_list_the_push_records(committed, request, api_for, ticket_session, engineer, connection, role_user):
    committed(api_for(engineer).post, push_url(ticket_session))

    response = api_for(request.getfixturevalue(role_user)).get(pushes_url(ticket_session))

    assert response.status_code == 200
    [record] = response.json()
    assert {"status", "http_status", "external_id", "error"} <= set(record)
    assert record["status"] == "sent"


def test_push_list_by_outsider_is_not_found(api_for, outsider, ticket_session):
    assert api_for(outsider).get(pushes_url(ticket_session)).status_code == 404


def test_push_list_with_bad_uuid_is_not_found(api_for, engineer):
    assert api_for(engineer).get("/api/v1/sessions/123/psa/pushes/").status_code == 404


def test_push_list_post_is_not_allowed(api_for, engineer, ticket_session):
    assert api_for(engineer).post(pushes_url(ticket_session)).status_code == 405
