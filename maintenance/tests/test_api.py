"""The runs and schedules API (SPEC section 16): shapes, tenancy, roles and validation."""

import uuid

import pytest

from maintenance.models import Run, RunItem, Schedule
from maintenance.tests.conftest import STEPS

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


def test_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in (
        "/api/v1/runs/",
        "/api/v1/runs/{run_id}/",
        "/api/v1/runs/{run_id}/targets/{target_id}/items/{node_key}/",
        "/api/v1/schedules/",
    ):
        assert path in schema["paths"], path
