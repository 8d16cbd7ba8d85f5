"""Runs and schedules: creation, validation, ticks, bulk done, finishing, idempotent firing, the email."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from flows import services as flow_services
from flows.models import Flow
from maintenance import selectors, services
from maintenance.models import Run, RunEmail, RunItem, Schedule
from maintenance.notify import email_assignee
from maintenance.tests.conftest import STEPS
from resolutionflow.domain import InvalidOperation, RoleRequired


def test_run_has_one_item_per_target_and_action_node_in_order(run):
    assert [t.name for t in run.targets.order_by("position")] == ["FAB-DC01", "FAB-FS01", "WWI-SQL01"]
    for target in run.targets.all():
        assert list(target.items.order_by("position").values_list("node_key", flat=True)) == STEPS
    first = run.targets.get(name="FAB-DC01")
    assert (first.client_name, first.ticket_ref) == ("Fabrikam", "4242")
    assert selectors.progress(run)["total"] == 9


@pytest.mark.parametrize(
    ("targets", "message"),
    [([], "1 to 500"), ([f"T{i}" for i in range(501)], "1 to 500"), (["a", "A "], "twice"), ([5], "name")],
)
def test_bad_target_lists_are_refused(procedure, engineer, targets, message):
    with pytest.raises(InvalidOperation, match=message):
        services.create_run(engineer, flow_id=procedure.pk, title="x", targets=targets)


def test_500_targets_are_allowed(procedure, engineer):
    run = services.create_run(engineer, flow_id=procedure.pk, title="x", targets=[f"T{i}" for i in range(500)])
    assert run.items.count() == 1500


def test_a_troubleshooting_flow_or_a_draft_is_not_a_procedure(engineer, owner, procedure):
    draft = flow_services.create_flow(engineer, title="Draft", kind=Flow.Kind.PROCEDURE)
    tree = flow_services.create_flow(engineer, title="Tree")
    for flow_id in (draft.pk, tree.pk, "not-a-uuid"):
        with pytest.raises(InvalidOperation, match="published procedure"):
            services.create_run(engineer, flow_id=flow_id, title="x", targets=["a"])


def test_another_accounts_procedure_reads_as_none(engineer, outsider_procedure):
    with pytest.raises(InvalidOperation, match="published procedure"):
        services.create_run(engineer, flow_id=outsider_procedure.pk, title="x", targets=["a"])


def test_viewer_cannot_create_or_tick(viewer, procedure, run):
    with pytest.raises(RoleRequired):
        services.create_run(viewer, flow_id=procedure.pk, title="x", targets=["a"])
    with pytest.raises(RoleRequired):
        services.toggle_item(run.items.first(), viewer)


def test_assignee_must_be_an_engineer_of_the_account(engineer, procedure, viewer, outsider):
    for assignee in (viewer, outsider, 999999, "1f0e0000-0000-4000-8000-000000000000"):
        with pytest.raises(InvalidOperation, match="assignee"):
            services.create_run(engineer, flow_id=procedure.pk, title="x", targets=["a"], assignee=assignee)


def test_tick_toggles_and_records_who_and_when(run, engineer):
    item = run.items.first()
    item = services.toggle_item(item, engineer)
    assert (item.status, item.done_by) == (RunItem.Status.DONE, engineer) and item.done_at
    item = services.toggle_item(item, engineer)
    assert (item.status, item.done_by, item.done_at) == (RunItem.Status.PENDING, None, None)


def test_output_is_capped_like_step_output(run, engineer):
    item = services.set_item(run.items.first(), engineer, status="done", output="x" * (70 * 1024))
    assert item.output_truncated and len(item.output.encode()) == 64 * 1024


def test_bulk_done_records_one_item_per_target_and_keeps_other_results(run, engineer, senior):
    failed = run.items.get(target__name="FAB-FS01", node_key="reboot")
    services.set_item(failed, senior, status="failed", result_note="stuck")

    changed = services.bulk_done(run, engineer, "reboot")

    assert changed == 2
    rows = run.items.filter(node_key="reboot")
    assert rows.count() == 3 == rows.values("target").distinct().count()
    assert rows.filter(status="done", done_by=engineer).count() == 2
    assert rows.get(target__name="FAB-FS01").status == "failed"
    assert run.items.exclude(node_key="reboot").filter(status="done").count() == 0


def test_run_finishes_when_nothing_is_pending_and_reopens(run, engineer):
    for key in STEPS:
        services.bulk_done(run, engineer, key)
    run.refresh_from_db()
    assert run.finished_at is not None
    services.toggle_item(run.items.first(), engineer)
    run.refresh_from_db()
    assert run.finished_at is None


def test_overdue_counts_unfinished_runs_past_due(run, engineer, outsider_run):
    assert selectors.overdue_count(engineer) == 0
    Run.objects.filter(pk__in=[run.pk, outsider_run.pk]).update(due_at=timezone.now() - timedelta(hours=1))
    assert selectors.overdue_count(engineer) == 1
    run.refresh_from_db()
    assert run.is_overdue()


# --- schedules ----------------------------------------------------------------


@pytest.fixture
def schedule(procedure, engineer, senior):
    return services.create_schedule(
        engineer, flow_id=procedure.pk, targets=["A", "B"], recurrence="weekly", assignee=senior
    )


def test_schedule_starts_one_period_ahead(schedule):
    assert timedelta(days=6, hours=23) < schedule.next_due_at - timezone.now() <= timedelta(days=7)


def test_schedule_refuses_a_bad_cron_and_a_past_first_due(procedure, engineer):
    with pytest.raises(InvalidOperation, match="cron"):
        services.create_schedule(engineer, flow_id=procedure.pk, targets=["A"], recurrence="61 * * * *")
    with pytest.raises(InvalidOperation, match="future"):
        services.create_schedule(
            engineer, flow_id=procedure.pk, targets=["A"], recurrence="weekly",
            next_due_at=timezone.now() - timedelta(minutes=1),
        )  # fmt: skip


def test_due_schedule_creates_exactly_one_run_even_when_beat_fires_twice(schedule, django_capture_on_commit_callbacks):
    due = timezone.now() - timedelta(minutes=1)
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=due)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.fire_due_schedules()
        second = services.fire_due_schedules()
        # A second beat that read the same due time before the first moved it on:
        stale = services.fire_schedule(schedule.pk, due, timezone.now())

    assert len(first) == 1 and second == [] and stale is None
    run = Run.objects.get(schedule=schedule)
    assert run.due_at == due and run.items.count() == 6
    schedule.refresh_from_db()
    assert schedule.next_due_at == due + timedelta(weeks=1)


def test_a_monthly_schedule_keeps_its_day_through_a_short_month(
    procedure, engineer, django_capture_on_commit_callbacks
):
    first = timezone.now().replace(microsecond=0) + timedelta(days=1)
    schedule = services.create_schedule(
        engineer, flow_id=procedure.pk, targets=["A"], recurrence="monthly", next_due_at=first
    )
    assert schedule.day_of_month == timezone.localtime(first).day
    # It falls due on a 30th although its day is the 31st (a short month): the next one is back on the 31st.
    Schedule.objects.filter(pk=schedule.pk).update(day_of_month=31)
    due = timezone.make_aware(datetime(2026, 4, 30, 9, 0))
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=due)
    with django_capture_on_commit_callbacks(execute=True):
        services.fire_schedule(schedule.pk, due, due + timedelta(minutes=1))
    schedule.refresh_from_db()
    assert schedule.next_due_at == timezone.make_aware(datetime(2026, 5, 31, 9, 0))


def test_the_unique_constraint_backs_up_the_conditional_update(schedule):
    due = timezone.now() - timedelta(minutes=1)
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=due)
    services.fire_due_schedules()
    # Someone moved next_due_at back by hand: the constraint still refuses a second run for that time,
    # and the due time moves on rather than failing again at every beat.
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=due)
    assert services.fire_due_schedules() == []
    assert Run.objects.filter(schedule=schedule).count() == 1
    schedule.refresh_from_db()
    assert schedule.next_due_at == due + timedelta(weeks=1)


def test_missed_periods_create_one_run_and_move_past_now(schedule):
    due = timezone.now() - timedelta(weeks=3, minutes=1)
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=due)
    assert len(services.fire_due_schedules()) == 1
    schedule.refresh_from_db()
    assert schedule.next_due_at > timezone.now()


def test_scheduled_run_emails_the_assignee_once_with_a_logged_delivery(
    schedule, senior, django_capture_on_commit_callbacks
):
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.fire_due_schedules()
    run = Run.objects.get(schedule=schedule)

    assert [m.to for m in mail.outbox] == [[senior.email]]
    assert run.title in mail.outbox[0].subject and f"/runs/{run.pk}/" in mail.outbox[0].body
    row = RunEmail.objects.get(run=run)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    # A redelivered task finds the row sent and sends nothing.
    assert email_assignee(run.pk) == "skipped" and len(mail.outbox) == 1


def test_failed_email_is_logged_with_its_error(schedule, settings, django_capture_on_commit_callbacks, monkeypatch):
    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.fire_due_schedules()
    row = RunEmail.objects.get()
    assert row.status == "failed" and "SMTP down" in row.last_error and row.attempts == 1


def test_archived_flow_moves_the_schedule_on_without_a_run(schedule, owner):
    flow_services.archive(schedule.flow, owner)
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=timezone.now() - timedelta(minutes=1))
    assert services.fire_due_schedules() == []
    schedule.refresh_from_db()
    assert schedule.next_due_at > timezone.now()


def test_assignee_with_email_off_is_suppressed(schedule, senior, django_capture_on_commit_callbacks):
    User.objects.filter(pk=senior.pk).update(email_notifications=False)
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.fire_due_schedules()
    assert RunEmail.objects.get().status == "suppressed" and mail.outbox == []


def test_run_schedules_command_fires_due_schedules(schedule):
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("run_schedules", stdout=out)
    call_command("run_schedules", stdout=out)
    assert out.getvalue().splitlines() == ["Created 1 scheduled run(s)", "Created 0 scheduled run(s)"]
    with pytest.raises(CommandError):
        call_command("run_schedules", "--loop", "-1")
