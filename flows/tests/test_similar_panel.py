"""Similar resolutions on the new-session page (a panel that refreshes as the tech types)."""

import pytest

from flowpilot import services as session_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(engineer, outsider):
    mine = session_services.open_session(engineer, problem_summary="Printer offline after driver update")
    session_services.resolve(mine, engineer, "Rolled the driver back")
    theirs = session_services.open_session(outsider, problem_summary="Printer offline after driver update")
    session_services.resolve(theirs, outsider, "Outsider fix")
    return mine


def test_new_session_page_has_the_similar_panel(client_for, engineer, resolved):
    html = client_for(engineer).get("/sessions/new/").content.decode()
    assert 'data-testid="new-session-similar"' in html


@pytest.mark.parametrize("role", ["owner", "engineer", "viewer"])
def test_panel_updates_from_the_typed_problem(client_for, role, resolved, request):
    html = client_for(request.getfixturevalue(role)).get("/flows/similar/", {"problem_summary": "printer offline"})
    body = html.content.decode()
    assert html.status_code == 200 and "Rolled the driver back" in body and "Outsider fix" not in body


def test_outsider_sees_only_their_own(client_for, outsider, resolved):
    body = client_for(outsider).get("/flows/similar/", {"problem_summary": "printer offline"}).content.decode()
    assert "Outsider fix" in body and "Rolled the driver back" not in body
