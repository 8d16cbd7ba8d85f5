"""seed_demo's FlowPilot part and the operator admin."""

import pytest
from django.core.management import call_command

from accounts.demo import seed as seed_accounts
from accounts.models import User
from flowpilot import demo, services
from flowpilot.models import Activity, Session


@pytest.mark.django_db
def test_demo_seed_creates_worked_sessions_and_is_idempotent():
    accounts = seed_accounts()
    demo.seed(accounts)
    northwind, _ = accounts["northwind"]
    sessions = Session.objects.filter(account=northwind, ticket_ref__startswith="DEMO-S-")
    assert sessions.count() == len(demo.NORTHWIND) >= 12
    assert {s.status for s in sessions} >= {"active", "resolved"}
    assert len({s.problem_domain for s in sessions}) >= 6
    outlook = sessions.get(ticket_ref="DEMO-S-201")
    assert outlook.steps.filter(is_dead_end=True).count() == 1
    assert outlook.steps.exclude(output="").exists()
    assert outlook.activities.filter(kind=Activity.Kind.AI_REPLY).count() == 2
    assert outlook.created_at < outlook.activities.order_by("created_at").last().created_at
    resolved = sessions.get(ticket_ref="DEMO-S-202")
    assert resolved.resolved_at is not None and resolved.resolved_at > resolved.created_at

    counts = (Session.objects.count(), Activity.objects.count())
    demo.seed(accounts)
    assert (Session.objects.count(), Activity.objects.count()) == counts


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("ops@resolutionflow.test", "pw-ops-123456")


def test_admin_lists_sessions_steps_and_activities(operator, engineer, client):
    session = services.open_session(engineer, problem_summary="Admin visible")
    services.add_step(session, engineer, title="A step")
    client.force_login(operator)
    assert client.get("/admin/flowpilot/session/").status_code == 200
    assert client.get(f"/admin/flowpilot/session/{session.pk}/change/").status_code == 200
    assert client.get("/admin/flowpilot/step/").status_code == 200
    assert client.get("/admin/flowpilot/activity/").status_code == 200


def test_admin_activities_are_read_only(operator, engineer, client):
    session = services.open_session(engineer, problem_summary="Append only")
    activity = session.activities.get()
    client.force_login(operator)
    assert client.get("/admin/flowpilot/activity/add/").status_code == 403
    assert client.post(f"/admin/flowpilot/activity/{activity.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/flowpilot/activity/{activity.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_seed_demo_command_runs_twice(db, capsys):
    call_command("seed_demo")
    first = Session.objects.count()
    call_command("seed_demo")
    assert Session.objects.count() == first > 12


def test_admin_session_lifecycle_is_read_only(operator, engineer, senior, client):
    session = services.open_session(engineer, problem_summary="Lifecycle stays with the services")
    services.add_step(session, engineer, title="A step")
    client.force_login(operator)
    page = client.get(f"/admin/flowpilot/session/{session.pk}/change/").content.decode()

    for field in ("status", "assignee", "resolved_at", "owner", "account"):
        assert f'name="{field}"' not in page
    assert client.get("/admin/flowpilot/session/add/").status_code == 403
    assert client.get("/admin/flowpilot/step/add/").status_code == 403


def test_admin_cannot_record_a_step_result(operator, engineer, client):
    session = services.open_session(engineer, problem_summary="Results go through record_result")
    step = services.add_step(session, engineer, title="Flush DNS")
    client.force_login(operator)

    response = client.post(
        f"/admin/flowpilot/step/{step.pk}/change/",
        {"title": "Flush the DNS cache", "detail": "", "command": "", "status": "done", "is_dead_end": "on"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    step.refresh_from_db()
    assert step.title == "Flush the DNS cache"
    assert step.status == "proposed" and not step.is_dead_end
