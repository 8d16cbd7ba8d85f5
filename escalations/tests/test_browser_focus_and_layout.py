"""Focus after Mark read and on the socket's re-fetch; no sideways scroll at 375 px; Deactivate asks first."""

import pytest
from playwright.sync_api import expect

from conftest import make_user
from escalations import services
from tests.support.browser import QUEUE_ROWS, off_loop, open_live_queue, stuck_session

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def focused_testid(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.getAttribute('data-testid')")


def focused_card(page) -> str:
    return page.evaluate(
        "() => { const c = document.activeElement && document.activeElement.closest('.queue-card');"
        " return c ? c.dataset.handoffId : ''; }"
    )


def test_mark_read_moves_focus_to_the_next_card(live_stack, signed_in_page, engineer, senior):
    older = off_loop(services.escalate, stuck_session(engineer, "Printer offline on floor 2"), engineer)
    newer = off_loop(services.escalate, stuck_session(engineer), engineer)
    page = signed_in_page(senior)
    open_live_queue(page)
    first = page.locator(f"[data-handoff-id='{newer.pk}']")
    first.get_by_test_id("dismiss").focus()
    page.keyboard.press("Enter")
    expect(first).to_have_attribute("data-unread", "false")
    page.wait_for_function(f"() => document.activeElement.dataset.handoffId === '{older.pk}'")
    # The last card keeps focus on itself.
    page.locator(f"[data-handoff-id='{older.pk}']").get_by_test_id("dismiss").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.activeElement.dataset.handoffId === '{older.pk}'")


def test_refetch_on_socket_open_keeps_focus_on_the_button(live_stack, signed_in_page, engineer, senior):
    handoff = off_loop(services.escalate, stuck_session(engineer), engineer)
    page = signed_in_page(senior)
    open_live_queue(page)
    page.get_by_test_id("pick-up").focus()
    with page.expect_response(lambda response: QUEUE_ROWS in response.url and response.ok):
        page.evaluate("() => htmx.trigger(document.body, 'htmx:wsOpen')")
    page.wait_for_function("() => !document.getElementById('queue-list').hasAttribute('aria-busy')")
    assert focused_testid(page) == "pick-up" and focused_card(page) == str(handoff.pk)


@pytest.mark.parametrize("path", ["/sessions/", "/account/", "/escalations/", "handoff", "session"])
def test_no_page_scrolls_sideways_at_375_px(path, live_stack, signed_in_page, account, engineer, owner):
    make_user(account, "viewer", "a.very.long.address.for.layout@northwind-managed-services.example", "Bartholomew")
    handoff = off_loop(
        services.escalate,
        stuck_session(engineer, "Outlook prompts for a password every few minutes " * 3),
        engineer,
        engineer_notes="Cleared creds twice, prompt keeps coming back",
    )
    target = {"handoff": f"/escalations/{handoff.pk}/", "session": f"/sessions/{handoff.session_id}/"}.get(path, path)
    page = signed_in_page(owner, viewport=PHONE)
    page.goto(target)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{target} is {width}px wide at 375px"
    assert page.js_errors == []


def test_deactivate_asks_for_confirmation(live_stack, signed_in_page, account, owner, engineer):
    page = signed_in_page(owner)
    page.goto("/account/")
    row = page.get_by_test_id("member-row").filter(has_text=engineer.email)
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.get_by_test_id("deactivate").click()
    expect(row).to_contain_text("Active")
    engineer.refresh_from_db()
    assert engineer.is_active

    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    row.get_by_test_id("deactivate").click()
    expect(page.get_by_test_id("member-row").filter(has_text=engineer.email)).to_contain_text("Deactivated")
    assert messages and messages[0].startswith(f"Deactivate {engineer.display_name}?")
