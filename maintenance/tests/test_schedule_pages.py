"""`/runs/schedules/`: the list, the create form and its preview, pause / resume / delete, roles and tenancy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from flows import services as flow_services
from flows.models import Flow
from maintenance import services
from maintenance.models import Run, Schedule
from maintenance.tests.conftest import PROCEDURE, publish_procedure

PAGE = "/runs/schedules/"
NEW = "/runs/schedules/new/"
PREVIEW = "/runs/schedules/preview/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def action(schedule, verb: str) -> str:
    return f"/runs/schedules/{schedule.pk}/{verb}/"


def form_body(flow, **extra) -> dict:
    body = {"flow": flow.pk, "targets": "FAB-DC01 | Fabrikam | 4242\nWWI-SQL01\n", "assignee": "", "repeat": "weekly"}
    return {**body, **extra}


def next_week_at_six():
    return timezone.localtime().replace(hour=6, minute=0, second=0, microsecond=0) + timedelta(days=7)


@pytest.fixture
def schedule(engineer, procedure, senior) -> Schedule:
    return services.create_schedule(
        engineer,
        flow_id=procedure.pk,
        targets=["FAB-DC01", {"name": "WWI-SQL01", "client_name": "Wide World"}],
        recurrence="0 6 * * 1",
        assignee=senior,
    )


@pytest.fixture
def outsider_schedule(outsider, outsider_procedure) -> Schedule:
    return services.create_schedule(outsider, flow_id=outsider_procedure.pk, targets=["X1"], recurrence="weekly")


# --- who sees what ------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "engineer"])
def test_engineer_or_owner_sees_the_schedules_with_the_form_and_buttons(role, request, client_for, schedule):
    response = client_for(request.getfixturevalue(role)).get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'id="schedule-{schedule.pk}"' in html
        and "Every Monday 06:00" in html
        and "(cron <code>0 6 * * 1</code>)" in html
    )
    assert "2 targets" in html and "FAB-DC01" in html and "Wide World" in html and "Sam Senior" in html
    assert 'data-testid="schedule-form"' in html and 'data-testid="schedule-pause"' in html
    assert 'data-testid="schedule-delete"' in html and "data-confirm=" in html


def test_viewer_sees_the_list_without_forms_or_buttons(client_for, viewer, schedule):
    html = client_for(viewer).get(PAGE).content.decode()
    assert 'data-testid="schedule-row"' in html and "Every Monday 06:00" in html
    assert 'data-testid="schedule-form"' not in html
    assert "schedule-pause" not in html and "schedule-delete" not in html
    assert 'action="/runs/schedules/' not in html


def test_viewer_is_refused_every_write_and_the_preview(client_for, viewer, procedure, schedule):
    client = client_for(viewer)
    assert client.post(NEW, form_body(procedure)).status_code == 403
    assert client.get(PREVIEW, {"repeat": "weekly"}).status_code == 403
    for verb in ("pause", "resume", "delete"):
        assert client.post(action(schedule, verb)).status_code == 403, verb
    schedule.refresh_from_db()
    assert schedule.active and Schedule.objects.count() == 1


def test_outsider_sees_none_and_gets_404_on_every_action(client_for, outsider, schedule, outsider_schedule):
    client = client_for(outsider)
    html = client.get(PAGE).content.decode()
    assert f"schedule-{schedule.pk}" not in html and f"schedule-{outsider_schedule.pk}" in html
    for verb in ("pause", "resume", "delete"):
        assert client.post(action(schedule, verb)).status_code == 404, verb
        assert client.post(action(schedule, verb), **HTMX).status_code == 404, verb
    schedule.refresh_from_db()
    assert schedule.active


def test_outsider_cannot_schedule_our_flow(client_for, outsider, procedure, outsider_procedure):
    response = client_for(outsider).post(NEW, form_body(procedure))
    assert response.status_code == 400
    assert "flow must be a published procedure flow of this account" in response.content.decode()
    assert not Schedule.objects.exists()


def test_anonymous_is_sent_to_login(client, schedule):
    for response in (client.get(PAGE), client.post(action(schedule, "pause"))):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_method_is_405_and_a_bad_id_is_404(client_for, engineer, schedule):
    client = client_for(engineer)
    assert client.get(action(schedule, "pause")).status_code == 405
    assert client.get(action(schedule, "delete")).status_code == 405
    assert client.post(PAGE).status_code == 405
    assert client.get(NEW).status_code == 405
    assert client.post("/runs/schedules/not-a-uuid/pause/").status_code == 404
    assert client.post("/runs/schedules/00000000-0000-0000-0000-000000000000/pause/").status_code == 404


# --- the list -----------------------------------------------------------------


def test_the_list_shows_next_due_and_the_last_run_with_its_progress(client_for, engineer, schedule):
    due = schedule.next_due_at
    services.fire_due_schedules(due + timedelta(minutes=1))
    run = Run.objects.get(schedule=schedule)
    services.set_item(run.items.first(), engineer, status="done")
    schedule.refresh_from_db()
    html = client_for(engineer).get(PAGE).content.decode()
    assert f'datetime="{timezone.localtime(schedule.next_due_at).isoformat()}"' in html
    last = html.split('data-testid="schedule-last-run"')[1].split("</dd>")[0]
    assert f'href="/runs/{run.pk}/"' in last and run.title in last and "1 of 6 recorded" in last


def test_the_last_run_is_the_newest_one(client_for, engineer, schedule):
    first = schedule.next_due_at
    services.fire_due_schedules(first + timedelta(minutes=1))
    schedule.refresh_from_db()
    services.fire_due_schedules(schedule.next_due_at + timedelta(minutes=1))
    newest = Run.objects.filter(schedule=schedule).order_by("-due_at").first()
    assert Run.objects.filter(schedule=schedule).count() == 2
    last = client_for(engineer).get(PAGE).content.decode().split('data-testid="schedule-last-run"')[1]
    assert f'href="/runs/{newest.pk}/"' in last.split("</dd>")[0]


def test_a_schedule_without_runs_says_so(client_for, engineer, schedule):
    html = client_for(engineer).get(PAGE).content.decode()
    assert "None yet" in html.split('data-testid="schedule-last-run"')[1].split("</dd>")[0]


def test_empty_state_teaches_and_links_to_publishing_a_procedure(client_for, engineer, viewer):
    html = client_for(engineer).get(PAGE).content.decode()
    assert 'data-testid="schedule-empty"' in html and "at each due time it creates a run" in html
    assert 'href="/flows/"' in html and 'data-testid="schedule-form"' not in html
    assert "Engineers, admins and owners can create schedules" in client_for(viewer).get(PAGE).content.decode()


def test_runs_list_links_to_schedules_and_runs_link_back(client_for, engineer, schedule):
    services.fire_due_schedules(schedule.next_due_at + timedelta(minutes=1))
    run = Run.objects.get(schedule=schedule)
    client = client_for(engineer)
    listing = client.get("/runs/").content.decode()
    assert 'href="/runs/schedules/"' in listing and "(1 active)" in listing
    assert f'href="/runs/schedules/#schedule-{schedule.pk}"' in listing
    assert f'href="/runs/schedules/#schedule-{schedule.pk}"' in client.get(f"/runs/{run.pk}/").content.decode()


# --- create -------------------------------------------------------------------


def test_engineer_creates_a_weekly_schedule(client_for, engineer, procedure, senior):
    first = next_week_at_six()
    client = client_for(engineer)
    response = client.post(NEW, form_body(procedure, assignee=senior.pk, first_due=first.strftime("%Y-%m-%dT%H:%M")))
    schedule = Schedule.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/runs/schedules/#schedule-{schedule.pk}"
    assert schedule.recurrence == "weekly" and schedule.next_due_at == first and schedule.assignee == senior
    assert schedule.created_by == engineer and schedule.active
    assert schedule.targets == [
        {"name": "FAB-DC01", "client_name": "Fabrikam", "ticket_ref": "4242"},
        {"name": "WWI-SQL01", "client_name": "", "ticket_ref": ""},
    ]
    page = client.get(PAGE).content.decode()
    assert f"Every {first:%A} 06:00" in page and f"Schedule created: Every {first:%A} 06:00. First run due" in page


def test_owner_creates_a_cron_schedule(client_for, owner, procedure):
    response = client_for(owner).post(NEW, form_body(procedure, repeat="cron", cron="  30 7  * * 1-5 "))
    schedule = Schedule.objects.get()
    assert response.status_code == 302 and schedule.recurrence == "30 7 * * 1-5"
    assert timezone.localtime(schedule.next_due_at).strftime("%H:%M") == "07:30"
    assert "Every weekday (Monday to Friday) 07:30" in client_for(owner).get(PAGE).content.decode()


@pytest.mark.parametrize(
    "cron, problem",
    [
        ("61 6 * * *", "cron minute: “61” is outside 0-59"),
        ("0 6 * *", "a cron expression has five fields"),
        ("", "a cron expression has five fields"),
        ("0 6 31 2 *", "never comes due"),
        ("0 six * * *", "cron hour"),
    ],
)
def test_a_bad_cron_is_refused_naming_the_problem_and_keeps_the_form(client_for, engineer, procedure, cron, problem):
    response = client_for(engineer).post(NEW, form_body(procedure, repeat="cron", cron=cron))
    html = response.content.decode()
    assert response.status_code == 400 and problem in html
    assert 'data-testid="cron-error"' in html
    # Nothing typed is lost: the targets, the choice and the expression come back.
    assert "FAB-DC01 | Fabrikam | 4242\nWWI-SQL01" in html and 'value="cron" id="id_repeat_2" required checked' in html
    assert f'value="{cron}"' in html if cron else True
    assert not Schedule.objects.exists()


def test_foreign_unpublished_and_troubleshooting_flows_are_refused(
    client_for, engineer, owner, outsider_procedure, procedure
):
    draft = flow_services.create_flow(engineer, title="Draft check", kind=Flow.Kind.PROCEDURE, graph=PROCEDURE)
    guide = flow_services.create_flow(engineer, title="Printer offline", graph=PROCEDURE)
    flow_services.publish(guide, owner)
    client = client_for(engineer)
    for flow_id in (outsider_procedure.pk, draft.pk, guide.pk, "00000000-0000-0000-0000-000000000000", "nope"):
        response = client.post(NEW, {**form_body(procedure), "flow": flow_id})
        assert response.status_code == 400, flow_id
        assert "flow must be a published procedure flow of this account" in response.content.decode()
    assert not Schedule.objects.exists()


@pytest.mark.parametrize(
    "extra, problem",
    [
        ({"targets": "A\na"}, "target “a” is listed twice"),
        ({"targets": "\n \n"}, "This field is required"),
        ({"targets": "\n".join(f"T{i}" for i in range(501))}, "1 to 500 targets"),
        ({"repeat": "yearly"}, "Select a valid choice"),
        ({"first_due": "2001-01-01T06:00"}, "the first due time must be in the future"),
        ({"first_due": "soon"}, "Enter a valid date/time"),
        ({"first_due": "9999-12-31T23:59"}, "the first due time must be within five years"),
    ],
)
def test_bad_input_is_400_with_the_form_reshown(client_for, engineer, procedure, extra, problem):
    response = client_for(engineer).post(NEW, form_body(procedure, **extra))
    html = response.content.decode()
    assert response.status_code == 400 and problem in html and 'data-testid="schedule-form"' in html
    assert not Schedule.objects.exists()


def test_assignee_must_be_an_engineer_of_the_account(client_for, engineer, procedure, viewer, outsider):
    for person in (viewer, outsider):
        response = client_for(engineer).post(NEW, form_body(procedure, assignee=person.pk))
        assert response.status_code == 400
        assert "assignee must be an engineer, admin or owner of this account" in response.content.decode()
    assert not Schedule.objects.exists()


# --- preview ------------------------------------------------------------------


def test_preview_shows_the_next_three_due_times(client_for, engineer):
    first = next_week_at_six()
    response = client_for(engineer).get(
        PREVIEW, {"repeat": "weekly", "first_due": first.strftime("%Y-%m-%dT%H:%M")}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and f"Every {first:%A} 06:00" in html
    for week in range(3):
        assert f'datetime="{(first + timedelta(weeks=week)).isoformat()}"' in html
    assert html.count("<li>") == 3 and "<html" not in html


def test_preview_of_a_cron_expression(client_for, owner):
    html = client_for(owner).get(PREVIEW, {"repeat": "cron", "cron": "0 6 1 * *"}).content.decode()
    assert "Every month on the 1st 06:00" in html and html.count("<li>") == 3


def test_preview_of_a_bad_cron_names_the_problem(client_for, engineer):
    response = client_for(engineer).get(PREVIEW, {"repeat": "cron", "cron": "0 25 * * *"})
    html = response.content.decode()
    assert response.status_code == 200 and "cron hour: “25” is outside 0-23" in html and "<li>" not in html


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"repeat": "hourly"},
        {"repeat": "monthly", "first_due": "9999-12-31T23:59"},
        {"repeat": "cron", "cron": "x" * 500},
    ],
)
def test_preview_of_nonsense_is_a_message_not_a_500(client_for, engineer, query):
    response = client_for(engineer).get(PREVIEW, query)
    assert response.status_code == 200 and 'data-testid="schedule-preview-error"' in response.content.decode()


def test_the_page_shows_a_preview_without_javascript(client_for, engineer, procedure):
    html = client_for(engineer).get(PAGE).content.decode()
    assert 'data-testid="schedule-preview"' in html and "Every " in html


# --- pause, resume, delete ----------------------------------------------------


def test_pause_stops_runs_and_resume_skips_what_fell_due_meanwhile(client_for, engineer, schedule):
    client = client_for(engineer)
    response = client.post(action(schedule, "pause"))
    assert response.status_code == 302 and response["Location"] == f"/runs/schedules/#schedule-{schedule.pk}"
    schedule.refresh_from_db()
    assert not schedule.active
    was_due = schedule.next_due_at
    later = was_due + timedelta(weeks=2, minutes=1)
    assert services.fire_due_schedules(later) == []
    assert "None while paused" in client.get(PAGE).content.decode()
    # Resumed two weeks later: the next Monday 06:00 ahead, no run for the missed ones.
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=timezone.now() - timedelta(weeks=2))
    client.post(action(schedule, "resume"))
    schedule.refresh_from_db()
    assert schedule.active and timezone.now() < schedule.next_due_at <= timezone.now() + timedelta(weeks=1)
    assert timezone.localtime(schedule.next_due_at).strftime("%a %H:%M") == "Mon 06:00"
    assert not Run.objects.exists()


def test_pause_over_htmx_answers_the_row_with_resume_focused_and_a_toast(client_for, engineer, schedule):
    response = client_for(engineer).post(action(schedule, "pause"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<li class="card schedule" id="schedule-{schedule.pk}"')
    assert 'data-testid="schedule-resume" autofocus' in html and "Paused" in html
    assert "Schedule paused" in response["HX-Trigger"]
    response = client_for(engineer).post(action(schedule, "resume"), **HTMX)
    assert 'data-testid="schedule-pause" autofocus' in response.content.decode()
    assert "Schedule resumed" in response["HX-Trigger"]


def test_pause_and_resume_twice_change_nothing_more(client_for, engineer, schedule):
    client = client_for(engineer)
    client.post(action(schedule, "pause"))
    assert client.post(action(schedule, "pause")).status_code == 302
    client.post(action(schedule, "resume"))
    due = Schedule.objects.get().next_due_at
    assert client.post(action(schedule, "resume")).status_code == 302
    assert Schedule.objects.get().active and Schedule.objects.get().next_due_at == due


@pytest.mark.parametrize("role", ["owner", "engineer"])
def test_delete_removes_the_schedule_and_keeps_its_runs(role, request, client_for, schedule):
    services.fire_due_schedules(schedule.next_due_at + timedelta(minutes=1))
    run = Run.objects.get(schedule=schedule)
    client = client_for(request.getfixturevalue(role))
    response = client.post(action(schedule, "delete"))
    assert response.status_code == 302 and response["Location"] == PAGE
    assert not Schedule.objects.exists()
    run.refresh_from_db()
    assert run.schedule is None and run.items.count() == 6
    page = client.get(PAGE).content.decode()
    assert "Schedule deleted. The run it created stays." in page and 'data-testid="schedule-empty"' in page
    assert "run-schedule" not in client.get(f"/runs/{run.pk}/").content.decode()


def test_service_refuses_a_viewer(viewer, schedule):
    from resolutionflow.domain import RoleRequired

    for operation in (services.pause_schedule, services.resume_schedule, services.delete_schedule):
        with pytest.raises(RoleRequired):
            operation(viewer, schedule)


def test_another_procedure_of_the_account_can_be_scheduled(client_for, engineer, owner, procedure):
    other = publish_procedure(engineer, owner, "Backup check")
    assert client_for(engineer).post(NEW, form_body(other, repeat="monthly")).status_code == 302
    assert Schedule.objects.get().flow == other
