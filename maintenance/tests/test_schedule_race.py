"""Two beats firing the same due schedule at the same moment (PostgreSQL, real transactions): one run."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from maintenance import services
from maintenance.models import Run, Schedule

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's (the postgres stage)")
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
