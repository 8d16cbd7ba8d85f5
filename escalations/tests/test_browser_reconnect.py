"""The live queue shows exactly what was committed: after a web process restart, and never a rollback."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from escalations import services
from tests.support.browser import arrival_ms, now_ms, off_loop, open_live_queue, stuck_session

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]

# htmx retries after 1006 with full-jitter backoff capped at 64 s; one cap plus margin. Observed on
# the 2-core dev VM: 2-4 s from daphne listening again to the missed card in the list.
RECONNECT_TIMEOUT_MS = 70_000


def test_escalation_made_while_the_socket_was_down_appears_after_reconnect(
    live_stack, signed_in_page, measure, engineer, senior
):
    queue = signed_in_page(senior)
    open_live_queue(queue)
    queue.evaluate("() => { window.rfSamePage = true; }")
    cards = queue.get_by_test_id("queue-card")
    expect(cards).to_have_count(0)

    # The web process dies: the browser's socket closes abnormally (1006) and the push is lost.
    live_stack.stop()
    missed = off_loop(services.escalate, stuck_session(engineer), engineer, engineer_notes="sent while down")
    live_stack.start()
    back_at = now_ms(queue)

    expect(cards).to_have_count(1, timeout=RECONNECT_TIMEOUT_MS)
    expect(cards.first).to_have_attribute("data-handoff-id", str(missed.pk))
    measure("daphne listening again → missed card in the list", (arrival_ms(queue, missed.pk) - back_at) / 1000)
    assert queue.evaluate("() => window.rfSamePage") is True, "the page must not have reloaded"

    # The new socket is subscribed again: the next escalation arrives live.
    pushed = off_loop(services.escalate, stuck_session(engineer, "Printer offline on floor 3"), engineer)
    expect(cards).to_have_count(2, timeout=5_000)
    expect(cards.first).to_have_attribute("data-handoff-id", str(pushed.pk))
    expect(queue.locator("#queue-count")).to_have_attribute("aria-label", "2 escalations awaiting pickup")


class Abandoned(Exception):
    pass


def escalate_then_roll_back(session, tech) -> None:
    with transaction.atomic():
        services.escalate(session, tech, engineer_notes="never committed")
        raise Abandoned


def test_rolled_back_escalation_never_reaches_the_queue(live_stack, signed_in_page, engineer, senior):
    queue = signed_in_page(senior)
    open_live_queue(queue)
    cards = queue.get_by_test_id("queue-card")

    with pytest.raises(Abandoned):
        off_loop(escalate_then_roll_back, stuck_session(engineer, "Rolled back"), engineer)
    # Messages to one socket arrive in order: once the committed one is shown, an earlier
    # phantom would already be there too.
    committed = off_loop(services.escalate, stuck_session(engineer, "Committed"), engineer)

    expect(queue.locator(f"#handoff-{committed.pk}")).to_be_visible(timeout=5_000)
    expect(cards).to_have_count(1)
    expect(queue.locator("#queue-count")).to_have_attribute("aria-label", "1 escalation awaiting pickup")
