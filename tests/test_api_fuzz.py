"""Schema-driven fuzzing of the whole JSON API (schemathesis, bounded examples).

Authenticated as an engineer of Northwind while Contoso's objects exist: no
request may produce a 5xx, and no response may carry Contoso's data.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from escalations import services as escalation_services
from flowpilot import services as session_services

FOREIGN_MARKER = "CONTOSO-PRIVATE-7731"

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: a real WSGI request must not close the test's DB connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(db, keep_test_connection, engineer, senior, outsider):
    """Objects in both accounts; the fuzzer may only ever see Northwind's."""
    own = session_services.open_session(engineer, problem_summary="VPN drops every 10 minutes")
    escalation_services.escalate(own, engineer, engineer_notes="tried reinstalling the client")
    foreign = session_services.open_session(outsider, problem_summary=f"{FOREIGN_MARKER} mailbox full")
    foreign_handoff = escalation_services.escalate(foreign, outsider, engineer_notes=FOREIGN_MARKER)
    return {"foreign_ids": {str(foreign.pk), str(foreign_handoff.pk)}}


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_never_leaks(case, fuzz_world, api_for, engineer):
    token = api_for(engineer)._credentials["HTTP_AUTHORIZATION"]
    response = case.call(headers={"Authorization": token})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
    )
    assert FOREIGN_MARKER not in response.text
    for foreign_id in fuzz_world["foreign_ids"]:
        assert foreign_id not in response.text
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])[0]
    if response.status_code >= 400 and content_type.startswith("application/json"):
        assert "detail" in response.json(), response.text[:300]


# --- issue 20 item 6: the input shapes that used to reach a 500 ---------------------------

API_SESSIONS = "/api/v1/sessions/"


@pytest.fixture
def engineer_api(db, api_for, engineer):
    client = api_for(engineer)
    client.raise_request_exception = False
    return client


@pytest.fixture
def own_session(engineer):
    return session_services.open_session(engineer, problem_summary="VPN drops every 10 minutes")


def assert_client_error(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if response["Content-Type"].startswith("application/json"):
        assert "detail" in response.json()


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_deeply_nested_json_is_a_400(engineer_api, depth):
    body = "[" * depth + "]" * depth
    response = engineer_api.post(API_SESSIONS, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sessions/?q=%00",
        "/api/v1/sessions/?client=a%00b",
        "/api/v1/queue/?limit=%00",
        "/api/v1/analytics/escalations/?period=30d%00",
    ],
)
def test_nul_in_query_parameters_is_a_json_400(engineer_api, url):
    response = engineer_api.get(url)
    assert response.status_code == 400
    assert "control characters" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/sessions/?q=%00", "/escalations/?x=%00"])
def test_nul_in_query_parameters_of_pages_is_a_400(client_for, engineer, url):
    client = client_for(engineer)
    client.raise_request_exception = False
    assert client.get(url).status_code == 400


def test_nul_in_a_json_body_is_a_400(engineer_api):
    response = engineer_api.post(API_SESSIONS, {"problem_summary": "VPN\u0000drops"}, format="json")
    assert response.status_code == 400 and "detail" in response.json()


def test_nul_in_a_form_body_is_a_400(client_for, engineer):
    client = client_for(engineer)
    client.raise_request_exception = False
    response = client.post("/sessions/new/", {"problem_summary": "VPN\x00drops"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("HTTP_AUTHORIZATION", "Token \x00abc"),
        ("HTTP_AUTHORIZATION", "Token " + "0" * 39 + "\x07"),
        ("HTTP_X_FORWARDED_FOR", "1.2.3.4\r\nX-Evil: 1"),
        ("HTTP_X_FORWARDED_FOR", "not an address, ::: , 999.1.1.1"),
        ("HTTP_ACCEPT_LANGUAGE", "x" * 5000),
        ("HTTP_ACCEPT", "application/json; q=\x00"),
        ("HTTP_COOKIE", "sessionid=abc\x00def"),
        ("HTTP_USER_AGENT", "\x1b[31m"),
        ("HTTP_HOST", "evil.example\x00"),
    ],
)
def test_anything_in_a_header_value_is_never_a_500(engineer_api, header, value):
    response = engineer_api.get(API_SESSIONS, **{header: value})
    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize(
    "body",
    [
        {"intent": "escalate\n", "engineer_notes": "x", "priority": "high"},
        {"intent": "escalate", "engineer_notes": "x", "priority": "high\n"},
        {"intent": "escalate", "engineer_notes": "x", "priority": "high\r\nX"},
    ],
)
def test_line_breaks_in_choice_fields_are_a_400(engineer_api, own_session, body):
    response = engineer_api.post(f"/api/v1/sessions/{own_session.pk}/handoffs/", body, format="json")
    assert_client_error(response)
    assert response.status_code == 400


@pytest.mark.parametrize("period", ["30d\n", "30d\r", "7d\n\n"])
def test_line_breaks_in_the_period_are_a_400(api_for, owner, period):
    client = api_for(owner)
    client.raise_request_exception = False
    response = client.get("/api/v1/analytics/escalations/", {"period": period})
    assert response.status_code == 400 and "detail" in response.json()


def test_line_breaks_in_the_domain_are_a_400(engineer_api):
    response = engineer_api.post(
        API_SESSIONS, {"problem_summary": "Printer", "problem_domain": "printing\n"}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["Acme\nDental", "Acme\x07", "Acme\u2028Dental", "Acme\x1b[31m"])
def test_control_characters_in_client_names_are_a_400(engineer_api, name):
    response = engineer_api.post(API_SESSIONS, {"problem_summary": "Printer", "client_name": name}, format="json")
    assert response.status_code == 400
    assert "control characters" in response.json()["detail"]


def test_every_api_error_is_json_even_the_500(engineer_api, monkeypatch):
    from flowpilot import api as flowpilot_api

    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(flowpilot_api.SessionListView, "get", crash)
    response = engineer_api.get(API_SESSIONS)
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error; the team has been told."}


def test_unknown_api_path_is_a_json_404(engineer_api):
    response = engineer_api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
