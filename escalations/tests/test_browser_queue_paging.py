"""A long queue shows its newest 50 cards; "Show more" brings the rest without breaking the live list."""

import pytest
from playwright.sync_api import expect

from escalations import services
from escalations.models import Handoff
from escalations.selectors import QUEUE_PAGE_SIZE
from escalations.tests.conftest import bulk_open_escalations
from tests.support.browser import off_loop, open_live_queue, stuck_session

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]

EXTRA = 5


def test_show_more_loads_older_cards_moves_focus_and_live_arrivals_still_land_on_top(
    live_stack, signed_in_page, engineer, senior
):
    handoffs = bulk_open_escalations(engineer, QUEUE_PAGE_SIZE + EXTRA)
    # One of the older cards is the reader's own: cards loaded later get the per-user touches too.
    own = handoffs[QUEUE_PAGE_SIZE + 1]
    Handoff.objects.filter(pk=own.pk).update(handed_off_by=senior)
    page = signed_in_page(senior)
    open_live_queue(page)
    cards = page.get_by_test_id("queue-card")
    heading = page.locator("#queue-count")

    expect(cards).to_have_count(QUEUE_PAGE_SIZE)
    expect(heading).to_have_attribute("aria-label", f"{QUEUE_PAGE_SIZE + EXTRA} escalations awaiting pickup")
    show_more = page.get_by_test_id("show-more")
    expect(show_more).to_have_text(f"Show {EXTRA} more")

    show_more.focus()
    page.keyboard.press("Enter")
    expect(cards).to_have_count(QUEUE_PAGE_SIZE + EXTRA)
    expect(page.get_by_test_id("queue-more")).to_have_count(0)
    # Focus continues at the first card the button brought, not at the top of the page.
    expect(page.locator(f"#handoff-{handoffs[QUEUE_PAGE_SIZE].pk}")).to_be_focused()
    expect(page.locator(f"#handoff-{own.pk}").get_by_test_id("own-escalation")).to_be_visible()
    assert [cards.nth(i).get_attribute("data-handoff-id") for i in (0, QUEUE_PAGE_SIZE + EXTRA - 1)] == [
        str(handoffs[0].pk),
        str(handoffs[-1].pk),
    ]

    arrived = off_loop(services.escalate, stuck_session(engineer), engineer, engineer_notes="after paging")
    expect(cards).to_have_count(QUEUE_PAGE_SIZE + EXTRA + 1, timeout=5_000)
    expect(cards.first).to_have_attribute("data-handoff-id", str(arrived.pk))
    expect(heading).to_have_attribute("aria-label", f"{QUEUE_PAGE_SIZE + EXTRA + 1} escalations awaiting pickup")
    assert page.js_errors == []
