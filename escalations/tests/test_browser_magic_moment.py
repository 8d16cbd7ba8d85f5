"""The magic moment in real browsers: escalate → live card → context → worker's assessment → start → first action.

Runs against two daphne web processes, a Celery worker, Redis and PostgreSQL (the
realstack stage): the junior and the senior are served by different web processes,
so every arrow in the flow crosses a process boundary, as with replicas in production.
"""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from escalations.models import Handoff
from flowpilot.models import Activity
from resolutionflow.celery import app as celery_app
from tests.support.browser import arrival_ms, now_ms, open_live_queue, stuck_session

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_paused(live_stack):
    """The worker stops taking tasks until `resume()`: the assessment stays pending meanwhile."""
    queue = celery_app.conf.task_default_queue
    assert celery_app.control.cancel_consumer(queue, reply=True, timeout=5, limit=1), "the worker did not answer"

    class Control:
        @staticmethod
        def resume() -> None:
            celery_app.control.add_consumer(queue, reply=True, timeout=5, limit=1)

    yield Control
    Control.resume()


def test_escalation_reaches_a_senior_live_and_ends_in_a_measured_first_action(
    live_stack, daphne_replica, signed_in_page, worker_paused, measure, engineer, senior, owner
):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False, "the assessment must come from the worker process"
    session = stuck_session(engineer)
    queue = signed_in_page(senior)
    open_live_queue(queue)
    expect(queue.get_by_test_id("queue-card")).to_have_count(0)

    # Junior, in another browser context on another web process: escalate from the session page.
    junior = signed_in_page(engineer, server=daphne_replica)
    junior.goto(f"/sessions/{session.pk}/")
    junior.get_by_test_id("escalate-open").click()
    dialog = junior.get_by_role("dialog")
    dialog.locator("textarea[name=engineer_notes]").fill("Cleared creds twice, prompt keeps coming back")
    dialog.locator("select[name=priority]").select_option("high")
    clicked_at = now_ms(junior)
    dialog.get_by_test_id("escalate-submit").click()

    # Senior: the card arrives over the socket, without a reload.
    card = queue.get_by_test_id("queue-card")
    expect(card).to_have_count(1, timeout=5_000)
    handoff = Handoff.objects.get(session=session)
    expect(card).to_have_attribute("data-handoff-id", str(handoff.pk))
    measure("escalate click → card visible in another browser", (arrival_ms(queue, handoff.pk) - clicked_at) / 1000)
    expect(queue.locator("#queue-count")).to_have_attribute("aria-label", "1 escalation awaiting pickup")

    # The context screen: four sections, the assessment still generating (the worker is paused).
    card.get_by_test_id("open-handoff").click()
    expect(queue).to_have_url(re.compile(f"/escalations/{handoff.pk}/$"))
    for section in ("context-header", "context-tried", "context-assessment"):
        expect(queue.get_by_test_id(section)).to_be_visible()
    expect(queue.get_by_test_id("context-tried")).to_contain_text("Clear cached credentials")
    start_here = queue.get_by_test_id("start-here")
    expect(start_here).to_be_visible()
    assessment = queue.get_by_test_id("context-assessment")
    expect(assessment).to_have_attribute("data-status", "pending")
    queue.evaluate("() => { window.rfSamePage = true; }")

    # The worker takes the task: the assessment is swapped in live on the open screen.
    resumed_at = now_ms(queue)
    worker_paused.resume()
    expect(assessment).to_have_attribute("data-status", "ready", timeout=15_000)
    measure("worker resumed → assessment ready on screen", (now_ms(queue) - resumed_at) / 1000)
    assert queue.evaluate("() => window.rfSamePage") is True, "the page must not have reloaded"
    handoff.refresh_from_db()
    assert handoff.assessment_status == Handoff.AssessmentStatus.READY
    suggested = handoff.ai_assessment["suggested_steps"]
    expect(queue.get_by_test_id("suggested-steps")).to_contain_text(suggested[0])

    # Start here: claims and lands on the session with the suggestions as chips.
    start_here.click()
    expect(queue).to_have_url(re.compile(f"/sessions/{session.pk}/$"))
    chips = queue.get_by_test_id("suggested-chip")
    expect(chips).to_have_count(len(suggested))
    chips.first.click()
    message_input = queue.locator("#message-input")
    expect(message_input).to_have_value(suggested[0])
    queue.get_by_test_id("send-message").click()
    expect(queue.get_by_test_id("message").last).to_contain_text(suggested[0])

    handoff.refresh_from_db()
    assert handoff.claimed_by == senior
    first_action = Activity.objects.get(
        session=session, actor=senior, kind=Activity.Kind.MESSAGE, created_at__gt=handoff.claimed_at
    )
    assert first_action.payload["text"] == suggested[0]

    # The owner's dashboard counts it as claimed with a first action.
    dashboard = signed_in_page(owner)
    dashboard.goto("/analytics/escalations/")
    expect(dashboard.get_by_test_id("kpi-claimed")).to_contain_text("1 / 1")
    assert queue.js_errors == [] and junior.js_errors == [] and dashboard.js_errors == []
