"""queue-live.js in Chromium: per-user touches, one announcement per arrival, claimed cards leaving."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from escalations.tests.live_fixtures import make_session

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


def api_post(live_stack, user, path: str, body: dict | None = None) -> dict:
    """Server work goes over HTTP so the broadcast runs in daphne, as in production."""
    token, _ = Token.objects.get_or_create(user=user)
    request = urllib.request.Request(
        live_stack.url + path,
        data=json.dumps(body or {}).encode(),
        method="POST",
        headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def open_queue(signed_in_page, user):
    page = signed_in_page(user)
    # Subscribed once the list re-fetch that htmx:wsOpen triggers has answered (the consumer joins
    # its groups before it accepts), so no sleep is needed before the test acts.
    with page.expect_response(lambda response: "/escalations/queue/rows/" in response.url, timeout=15000):
        page.goto("/escalations/")
    page.wait_for_function("document.getElementById('queue-list').getAttribute('aria-busy') === null")
    return page


def test_arrival_is_personal_announced_once_and_claimed_card_leaves(
    live_stack, signed_in_page, engineer, senior, senior2
):
    session = make_session(engineer, "Scanner at reception cannot reach the file share")
    junior_page = open_queue(signed_in_page, engineer)
    senior_page = open_queue(signed_in_page, senior)

    handoff = api_post(
        live_stack, engineer, f"/api/v1/sessions/{session.pk}/handoffs/", {"intent": "escalate", "priority": "high"}
    )
    card_id = f"#handoff-{handoff['id']}"

    seen = senior_page.locator(card_id)
    expect(seen).to_be_visible(timeout=5000)
    expect(seen).to_have_attribute("data-unread", "true")
    expect(seen.get_by_test_id("pick-up")).to_be_visible()
    expect(senior_page.get_by_test_id("queue-announcer")).to_have_text(
        "New escalation: Scanner at reception cannot reach the file share"
    )
    expect(senior_page.locator("#queue-count")).to_have_attribute("aria-label", "1 escalation awaiting pickup")

    own = junior_page.locator(card_id)
    expect(own).to_be_visible(timeout=5000)
    expect(own).to_have_attribute("data-unread", "false")
    expect(own.get_by_test_id("own-escalation")).to_have_text("You escalated this")
    expect(own.get_by_test_id("pick-up")).to_be_hidden()
    expect(junior_page.get_by_test_id("queue-announcer")).to_have_text("")

    api_post(live_stack, senior2, f"/api/v1/handoffs/{handoff['id']}/claim/")
    expect(seen.get_by_test_id("claimed-banner")).to_have_text("Claimed by Rita Senior", timeout=5000)
    expect(seen).to_have_count(0, timeout=3000)
    expect(senior_page.locator("#queue-count")).to_have_attribute("aria-label", "0 escalations awaiting pickup")
    assert senior_page.js_errors == [] and junior_page.js_errors == []


def test_withdrawn_card_is_removed_without_reload(live_stack, signed_in_page, engineer, senior):
    session = make_session(engineer)
    handoff = api_post(
        live_stack, engineer, f"/api/v1/sessions/{session.pk}/handoffs/", {"intent": "escalate", "priority": "normal"}
    )
    senior_page = open_queue(signed_in_page, senior)
    card = senior_page.locator(f"#handoff-{handoff['id']}")
    expect(card).to_be_visible()
    api_post(live_stack, engineer, f"/api/v1/handoffs/{handoff['id']}/withdraw/")
    expect(card).to_have_count(0, timeout=5000)
    expect(senior_page.locator("#queue-count")).to_have_attribute("aria-label", "0 escalations awaiting pickup")
    assert senior_page.js_errors == []
