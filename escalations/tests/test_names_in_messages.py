"""Item 9 of issue 13: messages that carry a person's name travel as htmx events, intact in any script."""

import pytest

from conftest import make_user
from escalations import services
from escalations.tests.conftest import make_worked_session
from tests.support.htmx import toast

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
NAMES = ["Łukasz Żółć", "李雷", "Zoë"]


def ascii_headers(response) -> bool:
    return all(value.isascii() for value in response.headers.values())


@pytest.mark.parametrize("name", NAMES)
def test_claim_race_loser_sees_the_winner_named_correctly(name, account, engineer, senior2, client_for):
    winner = make_user(account, "engineer", "winner@northwind.test", name)
    handoff = services.escalate(make_worked_session(engineer), engineer)
    services.claim(handoff, winner)
    response = client_for(senior2).post(f"/escalations/{handoff.pk}/claim/", **HTMX)
    assert response.status_code == 409
    event = toast(response)
    assert event["message"].startswith(f"Already claimed by {name} ")
    assert event["claimed_by"] == name
    # Raw non-ASCII header values are what arrived MIME-encoded ("=?utf-8?b?...").
    assert ascii_headers(response)
    assert "=?utf-8?" not in response.headers.get("HX-Trigger", "")


@pytest.mark.parametrize("name", NAMES)
def test_full_page_refusal_carries_the_name_in_the_body_only(name, account, engineer, senior2, client_for):
    winner = make_user(account, "engineer", "winner@northwind.test", name)
    handoff = services.escalate(make_worked_session(engineer), engineer)
    services.claim(handoff, winner)
    response = client_for(senior2).post(f"/escalations/{handoff.pk}/claim/")
    assert response.status_code == 409 and f"Already claimed by {name}" in response.content.decode()
    assert ascii_headers(response)


def test_refusal_on_the_session_page_is_a_toast_event(account, client_for):
    user = make_user(account, "engineer", "zoe@northwind.test", "Zoë")
    session = make_worked_session(user)
    response = client_for(user).post(f"/sessions/{session.pk}/messages/", {"text": ""}, **HTMX)
    assert response.status_code == 400 and toast(response)["kind"] == "error" and ascii_headers(response)
