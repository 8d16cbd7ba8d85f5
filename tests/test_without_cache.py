"""Pages and limits with the cache (Redis in production) down (issue 20 item 3).

The queue page's stat-card is the analytics area's and has its own test; every
other page renders, the login form still limits (its counts live in the
database), the token endpoint answers a clear 503 and claims go on.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import PASSWORD
from escalations import services as escalation_services
from flowpilot import services as session_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_down(settings):
    settings.CACHES = {"default": {"BACKEND": "tests.support.broken_cache.BrokenCache"}}


@pytest.fixture
def handoff(engineer):
    session = session_services.open_session(engineer, problem_summary="Printer offline at reception")
    return escalation_services.escalate(session, engineer, engineer_notes="Power-cycled it")


def test_pages_render_without_the_cache(client_for, senior, handoff):
    client = client_for(senior)
    for url in ("/sessions/", f"/sessions/{handoff.session_id}/", f"/escalations/{handoff.pk}/", "/account/"):
        assert client.get(url).status_code == 200, url


def test_login_form_works_and_limits_without_the_cache(engineer):
    assert Client().post("/accounts/login/", {"username": engineer.email, "password": PASSWORD}).status_code == 302
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "x@y.test", "password": "nope"}, REMOTE_ADDR="203.0.113.9")
    locked = client.post("/accounts/login/", {"username": "x@y.test", "password": "nope"}, REMOTE_ADDR="203.0.113.9")
    assert locked.status_code == 429


def test_token_endpoint_fails_safe_with_a_503(engineer):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": engineer.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 503 and "detail" in response.json()


def test_claims_work_without_the_cache(api_for, senior, handoff):
    assert api_for(senior).post(f"/api/v1/handoffs/{handoff.pk}/claim/").status_code == 200


def test_cached_sessions_fall_back_to_the_database(settings, engineer):
    settings.SESSION_ENGINE, settings.SESSION_CACHE_SECONDS = "resolutionflow.sessions", 30
    client = Client()
    assert client.post("/accounts/login/", {"username": engineer.email, "password": PASSWORD}).status_code == 302
    assert client.get("/sessions/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/sessions/").status_code == 302  # signed out for real: back to the sign-in page
