"""Pick Up in a real browser: it claims and lands on the context screen; Start here opens the session with chips."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_user
from escalations import services
from escalations.models import Handoff
from tests.support.browser import off_loop, open_live_queue, stuck_session, wait_for

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_pick_up_lands_on_the_context_screen_then_start_here_opens_the_session_with_chips(
    motion, live_stack, signed_in_page, engineer, senior
):
    handoff = off_loop(services.escalate, stuck_session(engineer), engineer, engineer_notes="Prompt keeps coming back")
    # The worker writes the assessment; Pick Up must show it on the context screen.
    wait_for(lambda: Handoff.objects.filter(pk=handoff.pk, assessment_status="ready").exists(), timeout=20)
    suggested = Handoff.objects.get(pk=handoff.pk).ai_assessment["suggested_steps"]
    page = signed_in_page(senior, reduced_motion=motion)
    open_live_queue(page)

    page.get_by_test_id("pick-up").click()
    expect(page).to_have_url(re.compile(f"/escalations/{handoff.pk}/$"))
    expect(page.get_by_test_id("context-state")).to_contain_text("Claimed by you")
    assessment = page.get_by_test_id("context-assessment")
    expect(assessment).to_have_attribute("data-status", "ready")
    expect(page.get_by_test_id("suggested-steps")).to_contain_text(suggested[0])
    expect(page.get_by_test_id("context-tried")).to_contain_text("Clear cached credentials")
    fade = page.get_by_test_id("context-screen").evaluate("(el) => getComputedStyle(el).transitionDuration")
    assert fade == ("0s" if motion == "reduce" else "0.2s")

    page.get_by_test_id("start-here").click()
    expect(page).to_have_url(re.compile(f"/sessions/{handoff.session_id}/$"))
    chips = page.get_by_test_id("suggested-chip")
    expect(chips).to_have_count(len(suggested))
    chips.first.click()
    expect(page.locator("#message-input")).to_have_value(suggested[0])
    assert Handoff.objects.get(pk=handoff.pk).claimed_by == senior
    assert page.js_errors == []


@pytest.mark.parametrize("name", ["Łukasz Żółć", "李雷", "Zoë"])
def test_race_loser_sees_the_winner_named_in_any_script(name, live_stack, signed_in_page, account, engineer, senior):
    winner = make_user(account, "engineer", "winner@northwind.test", name)
    handoff = off_loop(services.escalate, stuck_session(engineer), engineer)
    page = signed_in_page(senior)
    open_live_queue(page)
    expect(page.get_by_test_id("pick-up")).to_have_count(1)
    # The winner's claim lands before its live broadcast reaches this page (the race window).
    Handoff.objects.filter(pk=handoff.pk).update(claimed_by=winner, claimed_at=timezone.now())

    page.get_by_test_id("pick-up").click()
    toast = page.get_by_test_id("toast").filter(has_text=f"Already claimed by {name}")
    expect(toast).to_be_visible()
    expect(page.get_by_test_id("claimed-banner")).to_have_text(f"Claimed by {name}")
    expect(page).to_have_url(re.compile("/escalations/$"))
    assert page.js_errors == []
