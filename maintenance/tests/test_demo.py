"""The demo: a monthly patch-check schedule over eight Northwind targets and a half-finished run."""

from io import StringIO

from django.core.management import call_command

from maintenance.models import Run, RunItem, Schedule


def test_seed_demo_adds_the_schedule_and_a_half_finished_run(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent

    schedule = Schedule.objects.get()
    assert schedule.recurrence == "monthly" and len(schedule.targets) == 8
    assert schedule.account.code == "NORTHWIND" and schedule.flow.kind == "procedure"
    run = Run.objects.get()
    assert run.targets.count() == 8 and run.finished_at is None
    recorded = run.items.exclude(status=RunItem.Status.PENDING)
    assert recorded.count() == run.items.count() // 2
    assert recorded.filter(status=RunItem.Status.FAILED).count() == 1
