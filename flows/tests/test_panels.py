"""The runner panel's data: its queries do not grow with the session's steps."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from flowpilot import services as session_services
from flows.panels import runner_context

pytestmark = pytest.mark.django_db


def _step_picker_queries(session, user) -> int:
    request = RequestFactory().get("/")
    request.user = user
    steps = runner_context(request, session)["session_steps"]
    with CaptureQueriesContext(connection) as queries:
        assert [s.title for s in steps]
    return len(queries.captured_queries)


def test_the_step_picker_loads_every_step_in_one_query(session, engineer):
    session_services.add_step(session, engineer, title="Restart the VPN service")
    one = _step_picker_queries(session, engineer)
    for n in range(5):
        session_services.add_step(session, engineer, title=f"Check the tunnel {n}")
    assert _step_picker_queries(session, engineer) == one == 1
