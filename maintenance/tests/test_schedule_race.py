"""Two beats firing one due schedule at once, or an edit racing a firing (PostgreSQL, real transactions)."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from maintenance import services
from maintenance.models import Run, Schedule

pytestmark = pytest.mark.django_db(transaction=True)
postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's (the postgres stage)"
)


@postgres_only
def test_two_concurrent_firings_create_one_run(procedure, engineer):
    assert connection.vendor == "postgresql"
    schedule = services.create_schedule(engineer, flow_id=procedure.pk, targets=["A", "B"], recurrence="weekly")
    due = timezone.now() - timedelta(minutes=1)
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=due)
    start, results = threading.Barrier(2), []

    def beat():
        try:
            start.wait()
            results.append(services.fire_schedule(schedule.pk, due, timezone.now()))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(r is None for r in results) == [False, True]
    assert Run.objects.filter(schedule=schedule).count() == 1


# --- an edit racing a firing: both take the schedule's row lock -----------------


def _in_thread(results: list, work) -> threading.Thread:
    def body():
        try:
            results.append(work())
        finally:
            close_old_connections()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def _race(monkeypatch, hold: str, first, second) -> tuple[list, list]:
    """`first` stops inside `services.<hold>` with its row lock held; `second` must wait for it; both results."""
    inside, go, real = threading.Event(), threading.Event(), getattr(services, hold)

    def held(*args, **kwargs):
        inside.set()
        go.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, hold, held)
    firsts, seconds = [], []
    one = _in_thread(firsts, first)
    assert inside.wait(timeout=10)
    two = _in_thread(seconds, second)
    two.join(timeout=0.5)
    assert two.is_alive()  # blocked on the row lock
    go.set()
    one.join(timeout=30)
    two.join(timeout=30)
    return firsts, seconds


def _due_schedule(engineer, procedure) -> tuple[Schedule, object]:
    schedule = services.create_schedule(engineer, flow_id=procedure.pk, targets=["OLD"], recurrence="weekly")
    due = timezone.now() - timedelta(minutes=1)
    Schedule.objects.filter(pk=schedule.pk).update(next_due_at=due)
    return schedule, due


@postgres_only
def test_a_firing_waits_for_an_edit_that_moves_the_due_time_and_makes_no_run(monkeypatch, procedure, engineer):
    schedule, due = _due_schedule(engineer, procedure)
    edits, firings = _race(
        monkeypatch,
        "_due_fields",  # reached with the edit's row lock held
        lambda: services.update_schedule(engineer, schedule, recurrence="monthly"),
        lambda: services.fire_schedule(schedule.pk, due, timezone.now()),
    )
    assert firings == [None] and not Run.objects.exists()
    stored = Schedule.objects.get(pk=schedule.pk)
    assert stored.recurrence == "monthly" and stored.next_due_at == edits[0].next_due_at > timezone.now()


@postgres_only
def test_a_firing_after_an_edit_of_the_targets_makes_its_run_from_the_edit(monkeypatch, procedure, engineer):
    schedule, due = _due_schedule(engineer, procedure)
    _, firings = _race(
        monkeypatch,
        "_differs",
        lambda: services.update_schedule(engineer, schedule, targets=["NEW"]),
        lambda: services.fire_schedule(schedule.pk, due, timezone.now()),
    )
    run = Run.objects.get(schedule=schedule)
    assert firings == [run] and list(run.targets.values_list("name", flat=True)) == ["NEW"]
    assert Schedule.objects.get(pk=schedule.pk).next_due_at == due + timedelta(weeks=1)


@postgres_only
def test_an_edit_waits_for_a_firing_in_progress_and_is_kept(monkeypatch, procedure, engineer):
    schedule, due = _due_schedule(engineer, procedure)
    _race(
        monkeypatch,
        "create_run",  # the firing holds the row lock and has moved next_due_at on
        lambda: services.fire_schedule(schedule.pk, due, timezone.now()),
        lambda: services.update_schedule(engineer, schedule, targets=["NEW"], recurrence="monthly"),
    )
    run = Run.objects.get(schedule=schedule)
    assert list(run.targets.values_list("name", flat=True)) == ["OLD"]  # made before the edit; stays
    stored = Schedule.objects.get(pk=schedule.pk)
    assert stored.targets[0]["name"] == "NEW" and stored.recurrence == "monthly" and stored.next_due_at > due
    assert services.fire_schedule(schedule.pk, due, timezone.now()) is None
    assert Run.objects.filter(schedule=schedule).count() == 1
