"""The run grid in Chromium: a tick by keyboard reaches a second browser live, never another account's."""

import pytest
from playwright.sync_api import expect

from maintenance import services

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


def open_run(signed_in_page, user, run):
    page = signed_in_page(user)
    page.goto(f"/runs/{run.pk}/")
    # Subscribed once run-live.js saw htmx:wsOpen.
    page.wait_for_function("document.querySelector('[data-run-live]').dataset.wsOpen === 'true'")
    return page


def test_keyboard_tick_reaches_a_second_browser_and_not_another_account(
    live_stack, signed_in_page, engineer, senior, viewer, procedure, outsider, outsider_procedure
):
    run = services.create_run(engineer, flow_id=procedure.pk, title="Patch check", targets=["FAB-DC01", "WWI-SQL01"])
    theirs = services.create_run(outsider, flow_id=outsider_procedure.pk, title="Theirs", targets=["X1"])
    ticker = open_run(signed_in_page, engineer, run)
    watcher = open_run(signed_in_page, viewer, run)
    foreign = open_run(signed_in_page, outsider, theirs)

    # Keyboard only: Tab to the first cell and press Space.
    ticker.get_by_role("link", name="FAB-DC01").focus()
    ticker.keyboard.press("Tab")
    cell = ticker.locator("#c0-0")
    expect(cell).to_be_focused()
    # Named by its row and column headers and its status, nothing else.
    expect(cell).to_have_accessible_name("FAB-DC01 1. Check Windows Update pending")
    ticker.keyboard.press("Space")

    expect(cell).to_have_attribute("aria-pressed", "true", timeout=5000)
    expect(cell).to_be_focused()
    seen = watcher.locator("#c0-0")
    expect(seen).to_have_attribute("data-status", "done", timeout=5000)
    expect(watcher.get_by_test_id("run-progress")).to_have_attribute("data-done", "1")

    # The second engineer marks a step done for all targets; both pages see both rows change.
    second = open_run(signed_in_page, senior, run)
    second.get_by_role("button", name="Mark step 2 done for all targets").click()
    for page in (ticker, watcher):
        expect(page.locator("[data-status='done']")).to_have_count(3, timeout=5000)

    expect(foreign.locator("#c0-0")).to_have_attribute("data-status", "pending")
    expect(foreign.locator("[data-status='done']")).to_have_count(0)
    assert ticker.js_errors == [] and watcher.js_errors == [] and foreign.js_errors == []


def test_the_grid_fits_a_phone_without_the_page_scrolling_sideways(live_stack, signed_in_page, engineer, procedure):
    targets = [{"name": f"HOST-{i}", "client_name": "Fabrikam Dental"} for i in range(5)]
    run = services.create_run(engineer, flow_id=procedure.pk, title="Patch", targets=targets)
    page = signed_in_page(engineer, viewport={"width": 375, "height": 800})
    page.goto(f"/runs/{run.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator(".run-cell").first.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
