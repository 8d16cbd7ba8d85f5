"""The handoff-context screen's fifth section and the API's `similar` (SPEC section 14)."""

import pytest

from escalations import services
from flowpilot import services as session_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def handoff(engineer, outsider):
    done = session_services.open_session(engineer, problem_summary="Outlook keeps asking for the password")
    session_services.resolve(done, engineer, "Cleared cached credentials in Credential Manager")
    theirs = session_services.open_session(outsider, problem_summary="Outlook keeps asking for the password")
    session_services.resolve(theirs, outsider, "Another MSP's fix")
    stuck = session_services.open_session(engineer, problem_summary="Outlook asking for password again")
    return services.escalate(stuck, engineer, "stuck")


def test_context_screen_lists_similar_resolutions_of_the_account(client_for, senior, handoff):
    html = client_for(senior).get(f"/escalations/{handoff.pk}/").content.decode()
    assert 'data-testid="context-similar"' in html
    assert "Cleared cached credentials" in html and "Another MSP" not in html


def test_api_handoff_gains_similar(api_for, viewer, handoff):
    body = api_for(viewer).get(f"/api/v1/handoffs/{handoff.pk}/").json()
    assert [s["resolution_summary"] for s in body["similar"]] == ["Cleared cached credentials in Credential Manager"]
    assert set(body["similar"][0]) == {"session", "problem_summary", "resolution_summary"}


def test_outsider_gets_404(api_for, client_for, outsider, handoff):
    assert api_for(outsider).get(f"/api/v1/handoffs/{handoff.pk}/").status_code == 404
    assert client_for(outsider).get(f"/escalations/{handoff.pk}/").status_code == 404
