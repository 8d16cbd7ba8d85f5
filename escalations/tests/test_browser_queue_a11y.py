"""The live queue for people who avoid motion, use the keyboard, or keep it in a background tab."""

import re

import pytest
from playwright.sync_api import expect

from escalations import services
from escalations.models import Handoff
from tests.support.browser import arrival_animation, off_loop, open_live_queue, stuck_session

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]

# Headless Chromium keeps every page visible, so the test overrides what the page reads
# (document.hidden / visibilityState) and fires the event a browser fires on a tab switch.
SET_HIDDEN = """
(hidden) => {
  Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => (hidden ? "hidden" : "visible")});
  document.dispatchEvent(new Event("visibilitychange"));
}
"""


def test_new_card_slides_in_unless_reduced_motion_is_requested(live_stack, signed_in_page, engineer, senior):
    moving = signed_in_page(senior)
    still = signed_in_page(senior, reduced_motion="reduce")
    for page in (moving, still):
        open_live_queue(page)

    handoff = off_loop(services.escalate, stuck_session(engineer), engineer)

    for page in (moving, still):
        expect(page.get_by_test_id("queue-card")).to_have_count(1, timeout=5_000)
    assert arrival_animation(moving, handoff.pk) == "slide-in"
    moving.wait_for_function("() => window.rfAnimations.includes('slide-in')")
    assert arrival_animation(still, handoff.pk) == "none"
    assert still.evaluate("() => window.rfAnimations") == []


def test_keyboard_only_tab_to_card_enter_opens_context_and_enter_on_start_here_claims(
    live_stack, signed_in_page, engineer, senior
):
    handoff = off_loop(services.escalate, stuck_session(engineer), engineer, engineer_notes="keyboard")
    page = signed_in_page(senior)
    open_live_queue(page)
    card = page.get_by_test_id("queue-card")
    expect(card).to_have_count(1)

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.testid") == "queue-card":
            break
    expect(card).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(f"/escalations/{handoff.pk}/$"))
    expect(page.get_by_test_id("start-here")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(f"/sessions/{handoff.session_id}/$"))
    assert Handoff.objects.get(pk=handoff.pk).claimed_by == senior


def test_background_tab_counts_arrivals_in_the_title_and_showing_it_clears_them(
    live_stack, signed_in_page, engineer, senior
):
    page = signed_in_page(senior)
    open_live_queue(page)
    title = page.title()
    page.evaluate(SET_HIDDEN, True)

    for summary in ("Mailbox full for the CFO", "Shared drive mapped twice"):
        off_loop(services.escalate, stuck_session(engineer, summary), engineer)
    expect(page.get_by_test_id("queue-card")).to_have_count(2, timeout=5_000)
    expect(page).to_have_title(f"(2) {title}")

    page.evaluate(SET_HIDDEN, False)
    expect(page).to_have_title(title)

    # While visible, arrivals leave the title alone.
    off_loop(services.escalate, stuck_session(engineer, "Teams camera black"), engineer)
    expect(page.get_by_test_id("queue-card")).to_have_count(3, timeout=5_000)
    expect(page).to_have_title(title)
