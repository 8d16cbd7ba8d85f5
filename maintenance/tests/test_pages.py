"""Run pages: list and new-run form, the grid, ticks, bulk done, target page, summary, nav count."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maintenance import services
from maintenance.models import Run, RunItem


def tick_url(run, item) -> str:
    return f"/runs/{run.pk}/cells/{item.target.position}/{item.position}/tick/"


@pytest.mark.parametrize("role", ["owner", "engineer", "viewer"])
def test_members_see_the_list_and_the_grid(role, request, client_for, run):
    client = client_for(request.getfixturevalue(role))
    listing = client.get("/runs/")
    assert listing.status_code == 200 and run.title in listing.content.decode()
    page = client.get(f"/runs/{run.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="run-cell run-cell-pending"') == 9
    assert f'ws-connect="/ws/runs/{run.pk}/"' in html
    # Every cell is a labelled button: row header + column header + its own status.
    assert 'id="c0-0"' in html and 'aria-labelledby="rt0 rk0 c0-0"' in html
    assert ("hx-disable" in html) == (role == "viewer")


def test_only_engineers_get_the_new_run_form(client_for, viewer, engineer, procedure):
    assert 'data-testid="run-form"' in client_for(engineer).get("/runs/").content.decode()
    assert 'data-testid="run-form"' not in client_for(viewer).get("/runs/").content.decode()


def test_outsider_gets_404_everywhere(client_for, outsider, run):
    client = client_for(outsider)
    target, item = run.targets.first(), run.items.first()
    for url in (
        f"/runs/{run.pk}/",
        f"/runs/{run.pk}/grid/",
        f"/runs/{run.pk}/summary/",
        f"/runs/{run.pk}/targets/{target.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (tick_url(run, item), f"/runs/{run.pk}/steps/reboot/done/", f"/runs/{run.pk}/targets/{target.pk}/push/"):
        assert client.post(url).status_code == 404, url
    assert not run.items.exclude(status="pending").exists()


def test_anonymous_is_sent_to_login(client, run):
    response = client.get(f"/runs/{run.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_engineer_creates_a_run_from_the_form(client_for, engineer, procedure, senior):
    response = client_for(engineer).post(
        "/runs/new/",
        {
            "flow": procedure.pk,
            "title": "",
            "targets": "FAB-DC01 | Fabrikam | 4242\n\nWWI-SQL01\n",
            "assignee": senior.pk,
        },
    )
    run = Run.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/runs/{run.pk}/"
    assert run.title.startswith("Patch check") and run.assignee == senior
    assert list(run.targets.values_list("name", "client_name", "ticket_ref")) == [
        ("FAB-DC01", "Fabrikam", "4242"),
        ("WWI-SQL01", "", ""),
    ]


def test_bad_form_answers_400_with_the_reason(client_for, engineer, procedure):
    response = client_for(engineer).post("/runs/new/", {"flow": procedure.pk, "targets": "A\na"})
    assert response.status_code == 400 and "twice" in response.content.decode()
    assert client_for(engineer).post("/runs/new/", {"flow": "nope", "targets": "A"}).status_code == 400


def test_viewer_cannot_create_tick_or_bulk(client_for, viewer, procedure, run):
    client = client_for(viewer)
    assert client.post("/runs/new/", {"flow": procedure.pk, "targets": "A"}).status_code == 403
    assert client.post(tick_url(run, run.items.first())).status_code == 403
    assert client.post(f"/runs/{run.pk}/steps/reboot/done/").status_code == 403


def test_tick_answers_the_out_of_band_cell_and_progress(client_for, engineer, run):
    item = run.items.get(target__position=1, position=2)
    response = client_for(engineer).post(tick_url(run, item), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        'id="c1-2"' in html
        and 'aria-pressed="true"' in html
        and "run-cell-done" in html
        and 'hx-swap-oob="true"' in html
    )
    assert 'data-done="1" data-total="9"' in html
    item.refresh_from_db()
    assert item.status == "done"


def test_tick_of_a_cell_outside_the_grid_is_404(client_for, engineer, run):
    other = Run.objects.create(account=run.account, flow=run.flow, version=run.version, title="other")
    assert client_for(engineer).post(f"/runs/{other.pk}/cells/0/0/tick/").status_code == 404
    assert client_for(engineer).post(f"/runs/{run.pk}/cells/3/0/tick/").status_code == 404
    assert client_for(engineer).post(f"/runs/{run.pk}/cells/0/-1/tick/").status_code == 404


def test_bulk_done_marks_every_target_once(client_for, engineer, run):
    response = client_for(engineer).post(f"/runs/{run.pk}/steps/reboot/done/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert run.items.filter(node_key="reboot", status="done").count() == 3
    assert response.content.decode().count("run-cell-done") == 3
    assert client_for(engineer).post(f"/runs/{run.pk}/steps/nope/done/").status_code == 404


def test_target_page_saves_a_result_and_redacts_its_notes(client_for, engineer, viewer, run):
    target = run.targets.get(name="FAB-DC01")
    item = target.items.get(node_key="updates")
    url = f"/runs/{run.pk}/targets/{target.pk}/items/{item.pk}/"
    response = client_for(engineer).post(
        url, {"status": "failed", "result_note": "admin password=hunter2 rejected", "output": "0x80070"}
    )
    assert response.status_code == 302
    page = client_for(viewer).get(f"/runs/{run.pk}/targets/{target.pk}/").content.decode()
    notes = page.split('data-testid="target-notes"')[1].split("</pre>")[0]
    assert "[Failed] Check Windows Update" in notes and "hunter2" not in notes and "[REDACTED]" in notes
    assert client_for(viewer).post(url, {"status": "done"}).status_code == 403
    assert client_for(engineer).post(url, {"status": "bogus"}).status_code == 400


def test_summary_counts_by_target(client_for, viewer, engineer, run):
    client_for(engineer).post(f"/runs/{run.pk}/steps/reboot/done/")
    html = client_for(viewer).get(f"/runs/{run.pk}/summary/").content.decode()
    assert html.count("FAB-") == 2 and 'data-label="Done" class="num">1<' in html


def test_overdue_run_is_flagged_on_its_page_the_list_and_the_nav(client_for, engineer, viewer, outsider, run):
    Run.objects.filter(pk=run.pk).update(due_at=timezone.now() - timedelta(hours=2))
    html = client_for(viewer).get(f"/runs/{run.pk}/").content.decode()
    assert 'data-testid="run-overdue"' in html
    assert 'data-testid="nav-count">1<' in html
    assert 'data-testid="run-overdue"' in client_for(engineer).get("/runs/").content.decode()
    assert 'data-testid="nav-count"' not in client_for(outsider).get("/runs/").content.decode()
    RunItem.objects.filter(run=run).update(status="done")
    Run.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    assert 'data-testid="nav-count"' not in client_for(viewer).get("/runs/").content.decode()


def test_wrong_method_is_405(client_for, engineer, run):
    assert client_for(engineer).get(tick_url(run, run.items.first())).status_code == 405
    assert client_for(engineer).post(f"/runs/{run.pk}/").status_code == 405


def test_the_list_links_to_the_schedules_with_the_active_count(client_for, engineer, outsider, procedure):
    services.create_schedule(engineer, flow_id=procedure.pk, targets=["A", "B"], recurrence="monthly")
    html = client_for(engineer).get("/runs/").content.decode()
    assert 'href="/runs/schedules/" data-testid="schedules-link"' in html and "(1 active)" in html
    assert "active)" not in client_for(outsider).get("/runs/").content.decode()


def test_first_connect_refetch_sends_the_grid_only_when_something_changed_since_render(client_for, engineer, run):
    client = client_for(engineer)
    page = client.get(f"/runs/{run.pk}/").content.decode()
    rendered_at = page.split('data-rendered-at="')[1].split('"')[0]
    grid_url = f"/runs/{run.pk}/grid/"
    assert client.get(grid_url, {"since": rendered_at}).status_code == 204  # nothing new: nothing resent
    item = run.items.first()
    services.toggle_item(item, engineer)  # a tick between the render and the socket's first open
    refetch = client.get(grid_url, {"since": rendered_at})
    assert refetch.status_code == 200 and 'class="run-cell run-cell-done"' in refetch.content.decode()
    services.toggle_item(RunItem.objects.get(pk=item.pk), engineer)  # back to pending is a change too
    later = timezone.now().isoformat()
    assert client.get(grid_url, {"since": later}).status_code == 204


@pytest.mark.parametrize("since", ["", "yesterday", "2026-13-45T99:00:00+00:00", "2026-11-29T10:00:00"])
def test_a_malformed_or_naive_since_gets_the_whole_grid(client_for, engineer, run, since):
    response = client_for(engineer).get(f"/runs/{run.pk}/grid/", {"since": since})
    assert response.status_code == 200 and 'data-testid="run-grid"' in response.content.decode()
