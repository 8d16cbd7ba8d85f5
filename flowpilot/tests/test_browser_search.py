"""Typing in the session search updates the results in place and the URL; a share link opens without login."""

import re

import pytest
from playwright.sync_api import expect

from flowpilot import services

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


def test_typing_in_the_search_box_updates_results_and_the_url(live_stack, signed_in_page, engineer):
    wanted = services.open_session(engineer, problem_summary="Shared mailbox missing in Outlook")
    services.add_step(wanted, engineer, title="Check permissions", status="done", output="FullAccess granted to jdoe")
    services.open_session(engineer, problem_summary="Printer jams on tray 2")
    page = signed_in_page(engineer)
    page.goto("/sessions/?scope=all")
    rows = page.get_by_test_id("session-row")
    expect(rows).to_have_count(2)

    page.get_by_label("Search sessions").press_sequentially("fullaccess", delay=30)

    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-session-id", str(wanted.pk))
    expect(page.get_by_test_id("search-snippet").locator("mark")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q=fullaccess"))
    expect(page.get_by_role("status").filter(has_text="1 session found")).to_have_count(1)

    # The pushed URL is a bookmark: loading it renders the same result server-side.
    page.reload()
    expect(rows).to_have_count(1)
    expect(page.get_by_label("Search sessions")).to_have_value("fullaccess")
    assert page.js_errors == []


def test_a_public_link_made_on_the_session_page_opens_for_a_stranger(live_stack, signed_in_page, engineer, new_context):
    session = services.open_session(engineer, problem_summary="VPN drops", ticket_ref="T-5")
    services.add_note(session, engineer, "password: Hunter2secret")
    page = signed_in_page(engineer)
    page.goto(f"/sessions/{session.pk}/")
    panel = page.get_by_test_id("share-panel")
    panel.get_by_label("Anyone with the link").check()
    panel.get_by_test_id("create-share").click()
    url = page.get_by_test_id("share-url").inner_text().strip()

    stranger = new_context(base_url=live_stack.url).new_page()
    violations = []
    stranger.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    stranger.goto(re.search(r"/s/[\w-]+/$", url).group(0))
    notes = stranger.get_by_test_id("shared-notes")
    expect(notes).to_contain_text("VPN drops")
    expect(notes).not_to_contain_text("Hunter2secret")
    assert violations == []
    assert page.js_errors == []
