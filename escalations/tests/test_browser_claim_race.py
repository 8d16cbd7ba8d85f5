"""Two seniors click Pick Up on the same card within the same few milliseconds, in real browsers."""

import re

import pytest
from playwright.sync_api import expect

from escalations import services
from escalations.models import Handoff
from tests.support.browser import now_ms, off_loop, open_live_queue, stuck_session, wait_for

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]

# Each page clicks at one shared moment of the browser's clock (shared by all its pages); the
# moment it really clicked survives the winner's navigation in sessionStorage.
CLICK_AT = """
(at) => {
  const button = document.querySelector("[data-testid=pick-up]");
  setTimeout(() => {
    sessionStorage.setItem("rfClickedAt", String(performance.timeOrigin + performance.now()));
    button.click();
  }, at - (performance.timeOrigin + performance.now()));
}
"""
CLICKED_AT = "() => Number(sessionStorage.getItem('rfClickedAt'))"


def test_concurrent_pick_up_has_one_winner_and_the_loser_sees_who(
    live_stack, signed_in_page, measure, engineer, senior, senior2
):
    handoff = off_loop(services.escalate, stuck_session(engineer), engineer, engineer_notes="VPN drops hourly")
    pages = {senior.pk: signed_in_page(senior), senior2.pk: signed_in_page(senior2)}
    for page in pages.values():
        open_live_queue(page)
        expect(page.get_by_test_id("pick-up")).to_have_count(1)

    at = now_ms(pages[senior.pk]) + 400
    # Both clicks are scheduled before either fires, so neither waits for the other's navigation.
    for page in pages.values():
        page.evaluate(CLICK_AT, at)
    winner = wait_for(lambda: Handoff.objects.get(pk=handoff.pk).claimed_by, timeout=10)
    assert winner in (senior, senior2)
    loser_page = pages[senior2.pk if winner == senior else senior.pk]
    expect(pages[winner.pk]).to_have_url(re.compile(f"/escalations/{handoff.pk}/$"))
    clicked = [page.evaluate(CLICKED_AT) for page in pages.values()]
    spread = max(clicked) - min(clicked)
    measure("spread between the two Pick Up clicks", spread / 1000)
    assert spread < 50
    toast = loser_page.get_by_test_id("toast").filter(has_text=f"Already claimed by {winner.display_name}")
    expect(toast).to_be_visible()
    expect(loser_page.get_by_test_id("queue-card")).to_have_count(0)
    expect(loser_page).to_have_url(re.compile("/escalations/$"))
    assert Handoff.objects.filter(pk=handoff.pk, claimed_by=winner).count() == 1
