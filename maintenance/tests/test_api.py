"""The runs and schedules API (SPEC section 16): shapes, tenancy, roles and validation."""

import uuid
from datetime import timedelta

import pytest

from maintenance import services
from maintenance.models import Run, RunItem, Schedule
from maintenance.tests.conftest import STEPS, publish_procedure

RUNS = "/api/v1/runs/"
SCHEDULES = "/api/v1/schedules/"


def item_url(run, target, key="reboot") -> str:
    return f"{RUNS}{run.pk}/targets/{target.pk}/items/{key}/"


def body(procedure, **extra) -> dict:
    return {"flow": str(procedure.pk), "title": "Patch", "targets": ["A", "B"], **extra}


@pytest.mark.parametrize("role", ["owner", "engineer"])
def test_engineer_or_owner_creates_a_run_with_targets_and_items(role, request, api_for, procedure, senior):
    user = request.getfixturevalue(role)
    response = api_for(user).post(RUNS, body(procedure, assignee=str(senior.pk)), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Patch" and data["assignee"] == str(senior.pk)
    assert [t["name"] for t in data["targets"]] == ["A", "B"]
    assert [i["node_key"] for i in data["targets"][0]["items"]] == STEPS
    assert data["targets"][0]["items"][0] == {**data["targets"][0]["items"][0], "status": "pending", "done_by": None}
    assert data["progress"] == {"done": 0, "total": 6}


def test_targets_may_carry_client_and_ticket(api_for, engineer, procedure):
    targets = [{"name": "A", "client_name": "Fabrikam", "ticket_ref": "4242"}]
    data = api_for(engineer).post(RUNS, body(procedure, targets=targets), format="json").json()
    assert data["targets"][0] == {**data["targets"][0], "client_name": "Fabrikam", "ticket_ref": "4242"}


def test_viewer_cannot_create_a_run(api_for, viewer, procedure):
    response = api_for(viewer).post(RUNS, body(procedure), format="json")
    assert response.status_code == 403 and "engineer" in response.json()["detail"]


def test_anonymous_is_refused(client, procedure, run):
    assert client.post(RUNS, body(procedure), content_type="application/json").status_code in (401, 403)
    assert client.get(f"{RUNS}{run.pk}/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("targets", "fragment"),
    [([], "1 to 500"), ([f"T{i}" for i in range(501)], "1 to 500"), (["A", "a"], "twice"), ("A", "list")],
)
def test_bad_target_lists_answer_400(api_for, engineer, procedure, targets, fragment):
    response = api_for(engineer).post(RUNS, body(procedure, targets=targets), format="json")
    assert response.status_code == 400 and fragment in response.json()["detail"]
    assert not Run.objects.exists()


def test_a_flow_that_is_not_a_published_procedure_answers_400(api_for, engineer, outsider_procedure):
    for flow in (str(outsider_procedure.pk), str(uuid.uuid4())):
        response = api_for(engineer).post(RUNS, {"flow": flow, "targets": ["A"]}, format="json")
        assert response.status_code == 400 and "published procedure" in response.json()["detail"]


def test_malformed_fields_answer_400(api_for, engineer, procedure):
    client = api_for(engineer)
    assert client.post(RUNS, {"flow": "nope", "targets": ["A"]}, format="json").status_code == 400
    assert client.post(RUNS, body(procedure, assignee="x"), format="json").status_code == 400
    assert client.post(RUNS, body(procedure, title=5), format="json").status_code == 400


@pytest.mark.parametrize("role", ["owner", "engineer", "viewer"])
def test_members_read_a_run_with_progress(role, request, api_for, run, engineer):
    item = run.items.first()
    item.status = RunItem.Status.DONE
    item.save()
    data = api_for(request.getfixturevalue(role)).get(f"{RUNS}{run.pk}/").json()
    assert data["id"] == str(run.pk) and data["progress"] == {"done": 1, "total": 9}


def test_outsider_gets_404_for_a_run_and_its_items(api_for, outsider, run):
    target = run.targets.first()
    client = api_for(outsider)
    assert client.get(f"{RUNS}{run.pk}/").status_code == 404
    assert client.post(item_url(run, target), {"status": "done"}, format="json").status_code == 404
    assert client.get(f"{RUNS}not-a-uuid/").status_code == 404


def test_engineer_records_an_item_result(api_for, engineer, run):
    target = run.targets.get(name="FAB-FS01")
    response = api_for(engineer).post(
        item_url(run, target), {"status": "failed", "result_note": "pending reboot", "output": "KB5031 0x80070"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json() == {**response.json(), "status": "failed", "done_by": str(engineer.pk)}
    item = RunItem.objects.get(target=target, node_key="reboot")
    assert (item.status, item.result_note, item.output) == ("failed", "pending reboot", "KB5031 0x80070")


def test_viewer_cannot_record_an_item(api_for, viewer, run):
    response = api_for(viewer).post(item_url(run, run.targets.first()), {"status": "done"}, format="json")
    assert response.status_code == 403


def test_unknown_node_key_or_foreign_target_is_404(api_for, engineer, run, outsider_run):
    client = api_for(engineer)
    assert client.post(item_url(run, run.targets.first(), "nope"), {"status": "done"}, format="json").status_code == 404
    foreign = outsider_run.targets.first()
    assert client.post(item_url(run, foreign), {"status": "done"}, format="json").status_code == 404


def test_bad_item_status_is_400(api_for, engineer, run):
    response = api_for(engineer).post(item_url(run, run.targets.first()), {"status": "maybe"}, format="json")
    assert response.status_code == 400


# --- schedules ----------------------------------------------------------------


def schedule_body(procedure, **extra) -> dict:
    return {"flow": str(procedure.pk), "targets": ["A", "B"], "recurrence": "0 9 1 * *", **extra}


@pytest.mark.parametrize("role", ["owner", "engineer"])
def test_engineer_creates_a_schedule(role, request, api_for, procedure):
    response = api_for(request.getfixturevalue(role)).post(SCHEDULES, schedule_body(procedure), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["recurrence"] == "0 9 1 * *" and data["targets"][0]["name"] == "A" and data["active"]


def test_viewer_reads_schedules_but_cannot_create(api_for, viewer, engineer, procedure):
    api_for(engineer).post(SCHEDULES, schedule_body(procedure), format="json")
    assert len(api_for(viewer).get(SCHEDULES).json()) == 1
    assert api_for(viewer).post(SCHEDULES, schedule_body(procedure), format="json").status_code == 403


def test_outsider_sees_none_of_the_accounts_schedules(api_for, outsider, engineer, procedure):
    api_for(engineer).post(SCHEDULES, schedule_body(procedure), format="json")
    assert api_for(outsider).get(SCHEDULES).json() == []
    response = api_for(outsider).post(SCHEDULES, schedule_body(procedure), format="json")
    assert response.status_code == 400 and Schedule.objects.count() == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"recurrence": "every day"},
        {"recurrence": "* * *"},
        {"targets": []},
        {"targets": ["A", "a"]},
        {"next_due_at": "9999-12-31T00:00:00Z"},
    ],
)
def test_bad_schedules_answer_400(api_for, engineer, procedure, extra):
    response = api_for(engineer).post(SCHEDULES, schedule_body(procedure, **extra), format="json")
    assert response.status_code == 400 and response.json()["detail"]


# --- one schedule: read, change, delete ----------------------------------------------


@pytest.fixture
def schedule(api_for, engineer, procedure, senior) -> dict:
    response = api_for(engineer).post(SCHEDULES, schedule_body(procedure, assignee=str(senior.pk)), format="json")
    return response.json()


def one(schedule) -> str:
    return f"{SCHEDULES}{schedule['id']}/"


@pytest.mark.parametrize("role", ["owner", "engineer", "viewer"])
def test_members_read_one_schedule_like_the_list_item(role, request, api_for, schedule):
    client = api_for(request.getfixturevalue(role))
    response = client.get(one(schedule))
    assert response.status_code == 200 and response.json() == schedule == client.get(SCHEDULES).json()[0]


@pytest.mark.parametrize("role", ["owner", "engineer"])
def test_patch_changes_only_the_fields_sent(role, request, api_for, schedule, owner):
    targets = ["NEW-01", {"name": "NEW-02", "client_name": "Contoso", "ticket_ref": "9"}]
    response = api_for(request.getfixturevalue(role)).patch(
        one(schedule), {"targets": targets, "assignee": str(owner.pk)}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert [t["name"] for t in data["targets"]] == ["NEW-01", "NEW-02"] and data["targets"][1]["ticket_ref"] == "9"
    assert data["assignee"] == str(owner.pk)
    assert {k: data[k] for k in ("recurrence", "next_due_at", "flow")} == {
        k: schedule[k] for k in ("recurrence", "next_due_at", "flow")
    }


def test_patch_a_new_recurrence_moves_next_due_at(api_for, engineer, schedule):
    data = api_for(engineer).patch(one(schedule), {"recurrence": "weekly"}, format="json").json()
    assert data["recurrence"] == "weekly" and data["next_due_at"] != schedule["next_due_at"]
    assert Schedule.objects.get(pk=schedule["id"]).day_of_month is None


def test_patch_clears_the_assignee_and_changes_the_flow(api_for, engineer, owner, schedule):
    other = publish_procedure(engineer, owner, "Backup check")
    data = api_for(engineer).patch(one(schedule), {"assignee": None, "flow": str(other.pk)}, format="json").json()
    assert data["assignee"] is None and data["flow"] == str(other.pk)


def test_an_empty_patch_changes_nothing(api_for, engineer, schedule):
    response = api_for(engineer).patch(one(schedule), {}, format="json")
    assert response.status_code == 200 and response.json() == schedule


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"recurrence": "61 * * * *"}, "recurrence", "cron minute"),
        ({"recurrence": 5}, "recurrence", "Must be a string"),
        ({"targets": []}, "targets", "1 to 500"),
        ({"targets": ["A", "a"]}, "targets", "listed twice"),
        ({"targets": "A"}, "targets", "list"),
        ({"targets": [{"nom": "A"}]}, "targets", "a name"),
        ({"assignee": "nope"}, "assignee", "valid UUID"),
        ({"assignee": str(uuid.uuid4())}, "assignee", "active member"),
        ({"flow": str(uuid.uuid4())}, "flow", "published procedure"),
        ({"flow": None}, "flow", "null"),
        ({"next_due_at": "2001-01-01T00:00:00Z"}, "next_due_at", "in the future"),
        ({"next_due_at": "9999-12-31T00:00:00Z"}, "next_due_at", "within five years"),
        ({"next_due_at": "soon"}, "next_due_at", "Datetime has wrong format"),
    ],
)
def test_bad_patches_answer_400_naming_the_field(api_for, engineer, schedule, change, field, message):
    response = api_for(engineer).patch(one(schedule), change, format="json")
    assert response.status_code == 400, response.content
    data = response.json()
    assert list(data["errors"]) == [field] and message in data["detail"]
    assert api_for(engineer).get(one(schedule)).json() == schedule


@pytest.mark.parametrize("payload", ["[]", "null", "not json", '{"targets": ' * 200])
def test_garbage_bodies_are_4xx(api_for, engineer, schedule, payload):
    response = api_for(engineer).patch(one(schedule), payload, content_type="application/json")
    assert 400 <= response.status_code < 500 and response.json()["detail"]


def test_viewer_reads_but_cannot_patch_or_delete(api_for, viewer, schedule):
    client = api_for(viewer)
    assert client.patch(one(schedule), {"targets": ["X"]}, format="json").status_code == 403
    assert client.delete(one(schedule)).status_code == 403
    assert client.get(one(schedule)).json() == schedule


def test_outsider_gets_404_on_every_method(api_for, outsider, schedule):
    client = api_for(outsider)
    assert client.get(one(schedule)).status_code == 404
    assert client.patch(one(schedule), {"targets": ["X"]}, format="json").status_code == 404
    assert client.delete(one(schedule)).status_code == 404
    assert Schedule.objects.get(pk=schedule["id"]).targets[0]["name"] == "A"


def test_bad_ids_and_methods(api_for, engineer, schedule):
    client = api_for(engineer)
    assert client.get(f"{SCHEDULES}{uuid.uuid4()}/").status_code == 404
    assert client.get(f"{SCHEDULES}not-a-uuid/").status_code == 404
    assert client.put(one(schedule), {"targets": ["X"]}, format="json").status_code == 405
    assert client.post(one(schedule), {}, format="json").status_code == 405


def test_delete_keeps_the_runs(api_for, engineer, schedule):
    due = Schedule.objects.get(pk=schedule["id"]).next_due_at
    services.fire_due_schedules(due + timedelta(minutes=1))
    response = api_for(engineer).delete(one(schedule))
    assert response.status_code == 204 and not Schedule.objects.exists()
    assert Run.objects.get().schedule is None
    assert api_for(engineer).get(one(schedule)).status_code == 404


def test_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in (
        "/api/v1/runs/",
        "/api/v1/runs/{run_id}/",
        "/api/v1/runs/{run_id}/targets/{target_id}/items/{node_key}/",
        "/api/v1/schedules/",
        "/api/v1/schedules/{schedule_id}/",
    ):
        assert path in schema["paths"], path
