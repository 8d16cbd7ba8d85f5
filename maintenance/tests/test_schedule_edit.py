"""Editing a schedule: the service (each field, the due time, checks like creation) and `/runs/schedules/<id>/edit/`."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from flows import services as flow_services
from flows.models import Flow
from maintenance import services
from maintenance.forms import target_lines
from maintenance.models import Run, Schedule
from maintenance.tests.conftest import PROCEDURE, publish_procedure
from resolutionflow.domain import Conflict, InvalidOperation, RoleRequired

HTMX = {"HTTP_HX_REQUEST": "true"}
NOT_A_PROCEDURE = "flow must be a published procedure flow of this account"


def edit_url(schedule) -> str:
    return f"/runs/schedules/{schedule.pk}/edit/"


def preview_url(schedule) -> str:
    return f"/runs/schedules/{schedule.pk}/preview/"


@pytest.fixture
def schedule(engineer, procedure, senior) -> Schedule:
    return services.create_schedule(
        engineer,
        flow_id=procedure.pk,
        targets=["FAB-DC01", {"name": "WWI-SQL01", "client_name": "Wide World", "ticket_ref": "77"}],
        recurrence="0 6 * * 1",
        assignee=senior,
    )


@pytest.fixture
def outsider_schedule(outsider, outsider_procedure) -> Schedule:
    return services.create_schedule(outsider, flow_id=outsider_procedure.pk, targets=["X1"], recurrence="weekly")


def stored(schedule) -> Schedule:
    return Schedule.objects.get(pk=schedule.pk)


def form_body(schedule, **extra) -> dict:
    """What the edit form posts when nothing is changed."""
    body = {
        "flow": schedule.flow_id,
        "targets": "FAB-DC01\nWWI-SQL01 | Wide World | 77",
        "assignee": schedule.assignee_id or "",
        "repeat": "cron",
        "cron": schedule.recurrence,
    }
    return {**body, **extra}


# --- the service ----------------------------------------------------------------


def test_new_targets_leave_the_due_time_and_the_rest(engineer, schedule):
    due = schedule.next_due_at
    services.update_schedule(engineer, schedule, targets=["NEW-01", {"name": "NEW-02", "client_name": "Contoso"}])
    after = stored(schedule)
    assert after.targets == [
        {"name": "NEW-01", "client_name": "", "ticket_ref": ""},
        {"name": "NEW-02", "client_name": "Contoso", "ticket_ref": ""},
    ]
    assert after.next_due_at == due and after.recurrence == "0 6 * * 1" and after.assignee_id == schedule.assignee_id


def test_assignee_can_change_and_be_cleared(engineer, owner, schedule):
    due = schedule.next_due_at
    services.update_schedule(engineer, schedule, assignee=owner.pk)
    assert stored(schedule).assignee == owner
    services.update_schedule(engineer, schedule, assignee=None)
    assert stored(schedule).assignee is None and stored(schedule).next_due_at == due


def test_flow_can_change_to_another_published_procedure(engineer, owner, schedule):
    other = publish_procedure(engineer, owner, "Backup check")
    services.update_schedule(engineer, schedule, flow_id=other.pk)
    assert stored(schedule).flow == other


def test_a_new_recurrence_moves_the_due_time_from_now(engineer, schedule):
    before = timezone.now()
    services.update_schedule(engineer, schedule, recurrence="30 7 * * 1-5")
    after = stored(schedule)
    local = timezone.localtime(after.next_due_at)
    assert after.recurrence == "30 7 * * 1-5" and (local.hour, local.minute) == (7, 30)
    assert before < after.next_due_at <= before + timedelta(days=4) and local.weekday() < 5
    assert after.day_of_month is None


def test_monthly_takes_its_day_from_the_new_due_time(engineer, schedule):
    before = timezone.now()
    services.update_schedule(engineer, schedule, recurrence="monthly")
    after = stored(schedule)
    assert after.recurrence == "monthly" and after.day_of_month == timezone.localtime(after.next_due_at).day
    assert timedelta(days=27) < after.next_due_at - before <= timedelta(days=32)


def test_a_chosen_next_due_time_is_kept_with_its_day(engineer, schedule):
    chosen = timezone.make_aware(datetime(timezone.localdate().year + 1, 1, 31, 9, 0))
    services.update_schedule(engineer, schedule, recurrence="monthly", next_due_at=chosen)
    after = stored(schedule)
    assert after.next_due_at == chosen and after.day_of_month == 31


def test_the_same_recurrence_leaves_the_due_time(engineer, schedule):
    due = schedule.next_due_at
    services.update_schedule(engineer, schedule, recurrence="  0 6 * *   1 ", targets=["ONLY"])
    assert stored(schedule).next_due_at == due and stored(schedule).targets[0]["name"] == "ONLY"


def test_editing_leaves_the_runs_already_created(engineer, schedule):
    services.fire_due_schedules(schedule.next_due_at + timedelta(minutes=1))
    run = Run.objects.get(schedule=schedule)
    services.update_schedule(engineer, stored(schedule), targets=["OTHER"], recurrence="weekly", assignee=None)
    run.refresh_from_db()
    assert sorted(run.targets.values_list("name", flat=True)) == ["FAB-DC01", "WWI-SQL01"]
    assert run.due_at is not None and run.assignee_id is not None and run.items.count() == 6


def test_the_next_run_is_made_from_the_edit(engineer, owner, schedule):
    services.update_schedule(engineer, schedule, targets=["EDITED"], assignee=owner)
    services.fire_due_schedules(schedule.next_due_at + timedelta(minutes=1))
    run = Run.objects.get(schedule=schedule)
    assert list(run.targets.values_list("name", flat=True)) == ["EDITED"] and run.assignee == owner


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"targets": []}, "targets", "1 to 500"),
        ({"targets": ["A", "a "]}, "targets", "listed twice"),
        ({"targets": [f"T{i}" for i in range(501)]}, "targets", "1 to 500"),
        ({"targets": "A"}, "targets", "must be a list"),
        ({"recurrence": "61 6 * * *"}, "recurrence", "cron minute: “61” is outside 0-59"),
        ({"recurrence": "0 6 * *"}, "recurrence", "five fields"),
        ({"recurrence": "0 6 31 2 *"}, "recurrence", "never comes due"),
        ({"recurrence": ""}, "recurrence", "weekly, monthly or"),
        ({"flow_id": "nope"}, "flow", NOT_A_PROCEDURE),
        ({"assignee": "nope"}, "assignee", "active member"),
    ],
)
def test_bad_values_are_refused_naming_the_field(engineer, schedule, change, field, message):
    with pytest.raises(InvalidOperation, match=message) as caught:
        services.update_schedule(engineer, schedule, **change)
    assert list(caught.value.extra["errors"]) == [field]
    assert stored(schedule).targets == schedule.targets and stored(schedule).recurrence == "0 6 * * 1"


@pytest.mark.parametrize(
    ("when", "message"),
    [(timedelta(minutes=-5), "must be in the future"), (timedelta(days=366 * 5 + 2), "within five years")],
)
def test_a_next_due_time_in_the_past_or_too_far_is_refused(engineer, schedule, when, message):
    with pytest.raises(InvalidOperation, match=message) as caught:
        services.update_schedule(engineer, schedule, recurrence="weekly", next_due_at=timezone.now() + when)
    assert caught.value.extra["errors"] == {"next_due_at": [caught.value.message]}
    assert stored(schedule).recurrence == "0 6 * * 1"


def test_other_accounts_or_unpublished_flows_and_people_are_refused(
    engineer, owner, viewer, outsider, outsider_procedure, schedule
):
    draft = flow_services.create_flow(engineer, title="Draft", kind=Flow.Kind.PROCEDURE, graph=PROCEDURE)
    guide = flow_services.create_flow(engineer, title="Printer offline", graph=PROCEDURE)
    flow_services.publish(guide, owner)
    for flow in (outsider_procedure, draft, guide):
        with pytest.raises(InvalidOperation, match=NOT_A_PROCEDURE):
            services.update_schedule(engineer, schedule, flow_id=flow.pk)
    with pytest.raises(InvalidOperation, match="engineer, admin or owner"):
        services.update_schedule(engineer, schedule, assignee=viewer.pk)
    with pytest.raises(InvalidOperation, match="active member of this account"):
        services.update_schedule(engineer, schedule, assignee=outsider.pk)
    assert stored(schedule).flow_id == schedule.flow_id and stored(schedule).assignee_id == schedule.assignee_id


def test_a_viewer_cannot_edit(viewer, schedule):
    with pytest.raises(RoleRequired):
        services.update_schedule(viewer, schedule, targets=["X"])


def test_a_schedule_deleted_meanwhile_is_a_conflict(engineer, schedule):
    Schedule.objects.filter(pk=schedule.pk).delete()
    with pytest.raises(Conflict, match="deleted meanwhile"):
        services.update_schedule(engineer, schedule, targets=["X"])


def test_an_edit_after_a_firing_keeps_one_run_per_due_time(engineer, schedule):
    """The firing moved next_due_at on; the edit is made to the moved row and never re-creates that time."""
    due = schedule.next_due_at
    services.fire_schedule(schedule.pk, due, due + timedelta(minutes=1))
    services.update_schedule(engineer, schedule, targets=["LATER"])
    assert stored(schedule).next_due_at == due + timedelta(weeks=1)
    assert services.fire_schedule(schedule.pk, due, due + timedelta(minutes=2)) is None
    assert Run.objects.filter(schedule=schedule).count() == 1


def test_a_firing_for_a_due_time_the_edit_moved_makes_no_run(engineer, schedule):
    due = schedule.next_due_at
    services.update_schedule(engineer, schedule, recurrence="monthly")
    assert services.fire_schedule(schedule.pk, due, due + timedelta(minutes=1)) is None
    assert not Run.objects.exists()


def test_target_lines_read_back_as_the_same_targets():
    targets = [
        {"name": "A", "client_name": "", "ticket_ref": ""},
        {"name": "B", "client_name": "Contoso", "ticket_ref": ""},
        {"name": "C", "client_name": "", "ticket_ref": "42"},
        {"name": "D", "client_name": "Fabrikam", "ticket_ref": "7"},
    ]
    lines = target_lines(targets)
    assert lines == "A\nB | Contoso\nC |  | 42\nD | Fabrikam | 7"
    assert services.clean_targets(services.parse_target_lines(lines)) == targets


# --- the page: who may -------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "engineer"])
def test_engineer_or_owner_gets_the_form_filled_in(role, request, client_for, schedule, senior):
    response = client_for(request.getfixturevalue(role)).get(edit_url(schedule))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="schedule-edit-form"' in html
    assert "FAB-DC01\nWWI-SQL01 | Wide World | 77</textarea>" in html
    assert 'value="cron" id="id_repeat_2" required checked' in html and 'value="0 6 * * 1"' in html
    assert f'<option value="{senior.pk}" selected>' in html
    assert f'<option value="{schedule.flow_id}" selected>' in html
    # The preview without JavaScript: the schedule's own next three times, the first one its next due.
    assert "Every Monday 06:00" in html and html.count("<li><time") == 3
    assert f'datetime="{timezone.localtime(schedule.next_due_at).isoformat()}"' in html
    assert f'hx-get="/runs/schedules/{schedule.pk}/preview/"' in html


def test_the_list_has_an_edit_link_per_row_for_engineers_only(client_for, engineer, viewer, schedule):
    link = f'href="/runs/schedules/{schedule.pk}/edit/" data-testid="schedule-edit"'
    assert link in client_for(engineer).get("/runs/schedules/").content.decode()
    html = client_for(viewer).get("/runs/schedules/").content.decode()
    assert "schedule-edit" not in html and "/edit/" not in html


def test_viewer_is_refused_the_form_the_save_and_the_preview(client_for, viewer, schedule):
    client = client_for(viewer)
    assert client.get(edit_url(schedule)).status_code == 403
    assert client.post(edit_url(schedule), form_body(schedule, cron="0 7 * * 1")).status_code == 403
    assert client.get(preview_url(schedule), {"repeat": "weekly"}).status_code == 403
    assert stored(schedule).recurrence == "0 6 * * 1"


def test_outsider_gets_404_everywhere(client_for, outsider, schedule, outsider_schedule):
    client = client_for(outsider)
    assert client.get(edit_url(schedule)).status_code == 404
    assert client.post(edit_url(schedule), form_body(schedule, targets="MINE")).status_code == 404
    assert client.get(preview_url(schedule), {"repeat": "weekly"}).status_code == 404
    assert client.get(edit_url(outsider_schedule)).status_code == 200
    assert stored(schedule).targets[0]["name"] == "FAB-DC01"


def test_anonymous_is_sent_to_login_and_bad_ids_and_methods_are_refused(client, client_for, engineer, schedule):
    response = client.get(edit_url(schedule))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    engineer_client = client_for(engineer)
    assert engineer_client.get("/runs/schedules/not-a-uuid/edit/").status_code == 404
    assert engineer_client.get("/runs/schedules/00000000-0000-0000-0000-000000000000/edit/").status_code == 404
    assert engineer_client.put(edit_url(schedule)).status_code == 405
    assert engineer_client.post(preview_url(schedule)).status_code == 405


# --- the page: saving --------------------------------------------------------------


def test_saving_new_targets_and_assignee_goes_back_to_the_row(client_for, engineer, owner, schedule):
    due = schedule.next_due_at
    client = client_for(engineer)
    body = form_body(schedule, targets="NEW-01 | Contoso\nNEW-02", assignee=owner.pk)
    response = client.post(edit_url(schedule), body)
    assert response.status_code == 302 and response["Location"] == f"/runs/schedules/#schedule-{schedule.pk}"
    after = stored(schedule)
    assert [t["name"] for t in after.targets] == ["NEW-01", "NEW-02"] and after.targets[0]["client_name"] == "Contoso"
    assert after.assignee == owner and after.next_due_at == due
    page = client.get("/runs/schedules/").content.decode()
    assert "Schedule saved: Every Monday 06:00. Next run due" in page and "runs so far stay" in page


def test_saving_a_new_rule_moves_the_next_due_time(client_for, engineer, schedule):
    response = client_for(engineer).post(edit_url(schedule), form_body(schedule, repeat="cron", cron="30 18 * * 5"))
    assert response.status_code == 302
    local = timezone.localtime(stored(schedule).next_due_at)
    assert stored(schedule).recurrence == "30 18 * * 5" and local.strftime("%a %H:%M") == "Fri 18:30"


def test_saving_weekly_with_a_chosen_next_due_time(client_for, engineer, schedule):
    chosen = timezone.localtime().replace(hour=9, minute=15, second=0, microsecond=0) + timedelta(days=3)
    body = form_body(schedule, repeat="weekly", cron="", first_due=chosen.strftime("%Y-%m-%dT%H:%M"))
    assert client_for(engineer).post(edit_url(schedule), body).status_code == 302
    assert stored(schedule).recurrence == "weekly" and stored(schedule).next_due_at == chosen


def test_clearing_the_assignee(client_for, engineer, schedule):
    assert client_for(engineer).post(edit_url(schedule), form_body(schedule, assignee="")).status_code == 302
    assert stored(schedule).assignee is None


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"cron": "61 6 * * *"}, "cron minute: “61” is outside 0-59"),
        ({"cron": ""}, "a cron expression has five fields"),
        ({"targets": "A\na"}, "target “a” is listed twice"),
        ({"targets": " \n "}, "This field is required"),
        ({"repeat": "yearly"}, "Select a valid choice"),
        ({"first_due": "2001-01-01T06:00"}, "the first due time must be in the future"),
        ({"first_due": "9999-12-31T23:59"}, "within five years"),
        ({"first_due": "soon"}, "Enter a valid date/time"),
        ({"flow": "nope"}, NOT_A_PROCEDURE),
        ({"assignee": "00000000-0000-0000-0000-000000000000"}, "assignee must be an engineer"),
        ({"targets": "x" * 100_001}, "at most 100000 characters"),
    ],
)
def test_bad_input_is_400_with_the_form_reshown_and_the_input_kept(client_for, engineer, schedule, extra, problem):
    body = form_body(schedule, **{"targets": "KEPT-01 | Kept client\nKEPT-02", **extra})
    response = client_for(engineer).post(edit_url(schedule), body)
    html = response.content.decode()
    assert response.status_code == 400 and problem in html and 'data-testid="schedule-edit-form"' in html
    if "targets" not in extra:
        assert "KEPT-01 | Kept client\nKEPT-02</textarea>" in html
    assert stored(schedule).targets == schedule.targets and stored(schedule).recurrence == "0 6 * * 1"


def test_a_viewer_or_another_accounts_flow_cannot_be_chosen(client_for, engineer, viewer, outsider_procedure, schedule):
    client = client_for(engineer)
    response = client.post(edit_url(schedule), form_body(schedule, assignee=viewer.pk))
    assert response.status_code == 400 and "assignee must be an engineer, admin or owner" in response.content.decode()
    response = client.post(edit_url(schedule), form_body(schedule, flow=outsider_procedure.pk))
    assert response.status_code == 400 and NOT_A_PROCEDURE in response.content.decode()
    assert stored(schedule).assignee_id == schedule.assignee_id and stored(schedule).flow_id == schedule.flow_id


# --- the page: preview -------------------------------------------------------------


def test_preview_of_the_unchanged_rule_shows_the_schedules_own_times(client_for, engineer, schedule):
    response = client_for(engineer).get(preview_url(schedule), {"repeat": "cron", "cron": "0 6 * * 1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and html.count("<li>") == 3
    assert f'datetime="{timezone.localtime(schedule.next_due_at).isoformat()}"' in html


def test_preview_of_a_new_rule_starts_from_now(client_for, engineer, schedule):
    html = client_for(engineer).get(preview_url(schedule), {"repeat": "cron", "cron": "0 6 1 * *"}).content.decode()
    assert "Every month on the 1st 06:00" in html and html.count("<li>") == 3


@pytest.mark.parametrize("query", [{}, {"repeat": "cron", "cron": "0 25 * * *"}, {"repeat": "cron", "cron": "x" * 500}])
def test_preview_of_nonsense_is_a_message_not_a_500(client_for, engineer, schedule, query):
    response = client_for(engineer).get(preview_url(schedule), query)
    assert response.status_code == 200 and 'data-testid="schedule-preview-error"' in response.content.decode()


def test_a_paused_schedule_past_due_previews_from_its_next_time_ahead(client_for, engineer, schedule):
    services.pause_schedule(engineer, schedule)
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=timezone.now() - timedelta(weeks=2))
    html = client_for(engineer).get(edit_url(schedule)).content.decode()
    assert "(paused)" in html
    first = html.split('<li><time datetime="')[1].split('"')[0]
    assert datetime.fromisoformat(first) > timezone.now()


def test_a_procedure_unpublished_or_an_assignee_gone_is_said_not_replaced(client_for, engineer, senior, schedule):
    Flow.objects.filter(pk=schedule.flow_id).update(status=Flow.Status.ARCHIVED)
    senior.is_active = False
    senior.save()
    html = client_for(engineer).get(edit_url(schedule)).content.decode()
    assert "Choose a procedure</option>" in html and "Patch check</option>" not in html
    assert "“Patch check” is no longer a published procedure" in html
    assert "Sam Senior can no longer be assigned" in html
    response = client_for(engineer).post(edit_url(schedule), form_body(schedule, flow=""))
    assert response.status_code == 400 and stored(schedule).flow_id == schedule.flow_id
