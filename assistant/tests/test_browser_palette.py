"""The command palette by keyboard in Chromium: Ctrl-K, type, arrows, Enter, Esc returning focus; roles; 375 px."""

import re

import pytest
from playwright.sync_api import expect

from flowpilot import services
from tests.support.browser import off_loop

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


def palette_box(page):
    return page.get_by_role("dialog", name="Go to anything").get_by_role("combobox")


def active_option_id(page) -> str:
    return palette_box(page).get_attribute("aria-activedescendant") or ""


def test_keyboard_opens_searches_moves_opens_and_escape_returns_focus(live_stack, signed_in_page, engineer):
    wanted = off_loop(services.open_session, engineer, problem_summary="Outlook password prompt at reception")
    off_loop(services.open_session, engineer, problem_summary="Outlook calendar does not sync")
    page = signed_in_page(engineer)
    page.goto("/sessions/")
    opener = page.get_by_test_id("new-session")
    opener.focus()

    page.keyboard.press("Control+k")
    dialog = page.get_by_role("dialog", name="Go to anything")
    expect(dialog).to_be_visible()
    box = palette_box(page)
    expect(box).to_be_focused()
    # Before typing: the actions this role may take.
    expect(page.get_by_role("option", name=re.compile("New session"))).to_be_visible()

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    page.keyboard.press("Control+k")
    box.press_sequentially("outlook", delay=20)
    sessions = page.get_by_role("group", name="Sessions").get_by_role("option")
    expect(sessions).to_have_count(2)
    first = active_option_id(page)
    expect(page.locator(f"#{first}")).to_have_attribute("aria-selected", "true")

    page.keyboard.press("ArrowDown")
    second = active_option_id(page)
    assert second and second != first
    expect(page.locator(f"#{first}")).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    assert active_option_id(page) == first
    # Move to the session option and open it.
    while page.locator(f"#{active_option_id(page)}").get_attribute("href") != f"/sessions/{wanted.pk}/":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/sessions/{wanted.pk}/$"))
    assert page.js_errors == []


def test_a_viewer_sees_no_create_actions(live_stack, signed_in_page, viewer):
    page = signed_in_page(viewer)
    page.goto("/sessions/")
    page.keyboard.press("Meta+k" if page.evaluate("navigator.platform").startswith("Mac") else "Control+k")
    expect(page.get_by_role("option", name=re.compile("Open queue"))).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("New session"))).to_have_count(0)
    expect(page.get_by_role("option", name=re.compile("Ask the assistant"))).to_have_count(0)


def test_the_open_palette_fits_a_phone(live_stack, signed_in_page, engineer):
    off_loop(services.open_session, engineer, problem_summary="A very long problem summary that wraps " * 4)
    page = signed_in_page(engineer, viewport={"width": 375, "height": 740})
    page.goto("/sessions/")
    page.keyboard.press("Control+k")
    palette_box(page).press_sequentially("problem", delay=20)
    expect(page.get_by_role("group", name="Sessions").get_by_role("option")).to_have_count(1)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    height = page.get_by_test_id("palette-option").first.evaluate("el => el.getBoundingClientRect().height")
    assert height >= 44


def test_the_header_button_opens_the_palette_by_click_and_by_keyboard(live_stack, signed_in_page, engineer):
    page = signed_in_page(engineer, viewport={"width": 375, "height": 740})
    page.goto("/sessions/")
    opener = page.get_by_role("link", name=re.compile("Go to"))
    assert opener.evaluate("el => el.getBoundingClientRect().height") >= 44
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    opener.click()
    dialog = page.get_by_role("dialog", name="Go to anything")
    expect(dialog).to_be_visible()
    expect(palette_box(page)).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    page.keyboard.press("Enter")  # the focused link, activated from the keyboard
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile("/sessions/$"))
    assert page.js_errors == []
