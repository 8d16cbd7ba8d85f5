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
