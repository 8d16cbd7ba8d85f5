"""The schedules page in Chromium: keyboard only, the live preview, pause in place, delete asks first, edit, a phone."""

import pytest
from playwright.sync_api import expect

from maintenance import services
from maintenance.models import Schedule

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


def test_keyboard_preview_pause_and_delete(live_stack, signed_in_page, engineer, procedure):
    services.create_schedule(engineer, flow_id=procedure.pk, targets=["FAB-DC01", "WWI-SQL01"], recurrence="0 6 * * 1")
    page = signed_in_page(engineer)
    page.goto("/runs/schedules/")

    # The preview follows the recurrence as typed: a custom cron in words, then the problem with a bad one.
    page.get_by_label("Custom (cron expression)").check()
    cron = page.get_by_role("textbox", name="Cron expression")
    cron.fill("30 7 * * 1-5")
    preview = page.locator("#recurrence-preview")
    expect(preview).to_contain_text("Every weekday (Monday to Friday) 07:30", timeout=5000)
    expect(preview.locator("li")).to_have_count(3)
    cron.fill("30 25 * * *")
    expect(preview).to_contain_text("cron hour: “25” is outside 0-23", timeout=5000)

    # Pause with the keyboard: the row is swapped in place and Resume takes the focus.
    page.get_by_role("button", name="Pause Patch check, Every Monday 06:00").focus()
    page.keyboard.press("Enter")
    resume = page.get_by_role("button", name="Resume Patch check, Every Monday 06:00")
    expect(resume).to_be_focused(timeout=5000)
    expect(page.get_by_test_id("schedule-state")).to_have_text("Paused")
    assert not Schedule.objects.get().active

    # Delete asks first; dismissing keeps the schedule, accepting removes it.
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete Patch check, Every Monday 06:00").click()
    expect(page.get_by_test_id("schedule-row")).to_have_count(1)
    assert "the runs it already created stay" in questions[0] and Schedule.objects.exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Patch check, Every Monday 06:00").click()
    expect(page.get_by_test_id("schedule-empty")).to_be_visible(timeout=5000)
    assert not Schedule.objects.exists() and page.js_errors == []


def test_the_schedules_page_fits_a_phone(live_stack, signed_in_page, engineer, procedure):
    targets = [{"name": f"HOST-{i}", "client_name": "Fabrikam Dental"} for i in range(8)]
    services.create_schedule(engineer, flow_id=procedure.pk, targets=targets, recurrence="30 18 * * 1,3,5")
    page = signed_in_page(engineer, viewport={"width": 375, "height": 800})
    page.goto("/runs/schedules/")
    page.get_by_text("8 targets").click()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for control in (
        page.get_by_role("button", name="Pause Patch check, Every Monday, Wednesday and Friday 18:30"),
        page.get_by_role("button", name="Create schedule"),
        page.locator("label[for=id_repeat_0]"),
        page.get_by_text("8 targets"),
    ):
        assert control.bounding_box()["height"] >= 44, control


def test_edit_with_the_keyboard_on_a_phone(live_stack, signed_in_page, engineer, procedure):
    services.create_schedule(engineer, flow_id=procedure.pk, targets=["FAB-DC01"], recurrence="0 6 * * 1")
    page = signed_in_page(engineer, viewport={"width": 375, "height": 800})
    page.goto("/runs/schedules/")
    edit = page.get_by_role("link", name="Edit Patch check, Every Monday 06:00")
    assert edit.bounding_box()["height"] >= 44
    edit.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Edit schedule")).to_be_visible(timeout=5000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Filled in as stored; the preview follows a new expression as typed.
    expect(page.get_by_role("textbox", name="Targets")).to_have_value("FAB-DC01")
    cron = page.get_by_role("textbox", name="Cron expression")
    expect(cron).to_have_value("0 6 * * 1")
    cron.fill("30 18 * * 5")
    expect(page.locator("#recurrence-preview")).to_contain_text("Every Friday 18:30", timeout=5000)

    save = page.get_by_role("button", name="Save changes")
    save.focus()
    assert save.bounding_box()["height"] >= 44 and page.evaluate("document.activeElement.matches(':focus-visible')")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("schedule-words")).to_contain_text("Every Friday 18:30", timeout=5000)
    assert Schedule.objects.get().recurrence == "30 18 * * 5" and page.js_errors == []
