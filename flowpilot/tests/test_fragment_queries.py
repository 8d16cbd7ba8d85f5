"""The session page's htmx fragments build what they swap: no app's slots, one render, a pinned query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flowpilot import services

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
# Measured on PostgreSQL at 40 steps: 18 (was 30 when every fragment ran the apps' session_page hooks
# and the context processors again). Raise it only for a reason you can name.
ADD_STEP_QUERIES_MAX = 18


def _add_step(client, session, title: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/sessions/{session.pk}/steps/", {"title": title}, **HTMX)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_add_step_fragment_query_count_is_pinned_and_independent_of_the_steps(client_for, engineer):
    client = client_for(engineer)
    session = services.open_session(engineer, problem_summary="Outlook keeps asking for the password")
    _, queries = _add_step(client, session, "Clear the credential manager")
    assert queries <= ADD_STEP_QUERIES_MAX, queries
    for n in range(40):
        services.add_step(session, engineer, title=f"Checked thing {n}")
    html, more = _add_step(client, session, "Recreate the profile")
    assert more == queries
    assert html.index('id="steps"') < html.index('id="timeline"') < html.index('id="ticket-notes"')
    assert html.count('hx-swap-oob="true"') == 2 and "Recreate the profile" in html and "Checked thing 39" in html
    assert 'data-testid="flow-runner"' not in html  # the apps' slots belong to the whole page
