"""Item 10 of issue 13 and the "templates don't query" rule for the escalation partials."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalations import services
from escalations.tests.conftest import make_worked_session

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "escalations"


def card(page: str, handoff_id) -> str:
    match = re.search(rf'<article id="handoff-{handoff_id}".*?</article>', page, re.S)
    assert match, page
    return match.group(0)


def test_a_released_card_still_names_the_original_escalator(escalation, engineer, senior, senior2, client_for):
    services.claim(escalation, senior)
    fresh = services.release(escalation, senior)
    page = client_for(senior2).get("/escalations/").content.decode()
    text = re.sub(r"\s+", " ", card(page, fresh.pk))
    assert "by Jamie Junior" in text and "released back by Sam Senior" in text
    context = client_for(senior2).get(f"/escalations/{fresh.pk}/").content.decode()
    assert "Escalated by Jamie Junior, released back by Sam Senior" in context
    # A second release keeps the first escalator too.
    services.claim(fresh, senior2)
    again = services.release(fresh, senior2)
    assert again.escalator == engineer


def test_picked_up_list_reads_naturally(escalation, senior, client_for):
    services.claim(escalation, senior)
    page = re.sub(r"\s+", " ", client_for(senior).get("/escalations/").content.decode())
    assert "Picked up by you" in page and "Claimed by me" not in page
    assert "Escalated by Jamie Junior · you picked it up" in page
    assert "Escalate from" not in page


def test_escalation_partials_load_no_query_tags():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "escalation_tags" not in text and "delivery_tags" not in text, template
    assert not (TEMPLATES.parents[1] / "templatetags").exists()


def test_session_page_gets_handoff_data_from_the_view_not_the_template(escalation, senior, client_for):
    services.claim(escalation, senior)
    client = client_for(senior)
    page = client.get(f"/sessions/{escalation.session_id}/").content.decode()
    assert 'data-testid="show-context"' in page
    # The page renders with the same number of queries with or without the escalation partials' data.
    with CaptureQueriesContext(connection) as first:
        client.get(f"/sessions/{escalation.session_id}/")
    other = make_worked_session(senior, "Unrelated session")
    with CaptureQueriesContext(connection) as second:
        client.get(f"/sessions/{other.pk}/")
    assert len(first) == len(second)
