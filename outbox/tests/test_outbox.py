"""The outbox: recorded with the write, dispatched after commit, swept when the broker lost it."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.models import OutboxMessage
from outbox.registry import RetryLater, register
from outbox.tasks import deliver

pytestmark = pytest.mark.django_db

calls: list[dict] = []


@register("test.record")
def record(**args):
    calls.append(args)


@register("test.flaky")
def flaky(**args):
    calls.append(args)
    if len(calls) < 2:
        raise RetryLater(10, "not yet")


@register("test.broken")
def broken(**args):
    raise RuntimeError("bug")


@pytest.fixture(autouse=True)
def reset_calls():
    calls.clear()


def test_a_rolled_back_write_leaves_no_side_effect(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue("test.record", n=1)
        raise RuntimeError("the write failed")
    assert not OutboxMessage.objects.exists() and calls == []


def test_a_committed_message_runs_after_commit_and_is_done(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = services.enqueue("test.record", n=1)
        assert calls == []  # nothing before commit
    message.refresh_from_db()
    assert calls == [{"n": 1}]
    assert message.status == OutboxMessage.Status.DONE and message.attempts == 1 and message.done_at


def test_unknown_kind_is_refused_at_enqueue():
    with pytest.raises(LookupError):
        services.enqueue("test.nobody-handles-this")


def test_broker_down_at_commit_keeps_the_row_for_the_sweep(django_capture_on_commit_callbacks):
    with (
        mock.patch.object(deliver, "apply_async", side_effect=ConnectionError("redis down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = services.enqueue("test.record", n=2)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and message.dispatched_at is None
    assert calls == []

    # The broker is back: the next sweep runs it, once.
    assert services.sweep(now=timezone.now() + timedelta(seconds=10)) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE and calls == [{"n": 2}]
    assert services.sweep(now=timezone.now() + timedelta(hours=1)) == 0


def test_sweep_leaves_fresh_and_recently_dispatched_messages_alone(settings):
    now = timezone.now() + timedelta(seconds=1)
    fresh = OutboxMessage.objects.create(kind="test.record", args={"n": 3})
    dispatched = OutboxMessage.objects.create(
        kind="test.record", args={"n": 4}, created_at=now - timedelta(minutes=5), dispatched_at=now
    )
    lost = OutboxMessage.objects.create(
        kind="test.record",
        args={"n": 5},
        created_at=now - timedelta(minutes=5),
        dispatched_at=now - timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_S + 1),
    )
    assert services.sweep(now=now) == 1
    assert calls == [{"n": 5}]
    for message, status in ((fresh, "pending"), (dispatched, "pending"), (lost, "done")):
        message.refresh_from_db()
        assert message.status == status


def test_running_a_done_message_again_does_nothing():
    message = OutboxMessage.objects.create(kind="test.record", args={"n": 6})
    assert services.run(message.pk) == "done"
    assert services.run(message.pk) == "skipped"  # a redelivered task
    assert calls == [{"n": 6}]


def test_retry_later_waits_then_succeeds():
    message = OutboxMessage.objects.create(kind="test.flaky", args={})
    assert services.run(message.pk, eager=True) == "retry"
    message.refresh_from_db()
    assert message.status == "pending" and message.run_after > timezone.now() + timedelta(seconds=5)
    assert services.sweep() == 0  # not due yet
    assert services.sweep(now=timezone.now() + timedelta(seconds=11)) == 1
    message.refresh_from_db()
    assert message.status == "done" and message.attempts == 2


def test_a_failing_handler_gives_up_after_max_attempts(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = OutboxMessage.objects.create(kind="test.broken", args={})
    assert services.run(message.pk, eager=True) == "retry"
    assert services.run(message.pk, eager=True) == "failed"
    message.refresh_from_db()
    assert message.status == "failed" and "RuntimeError: bug" in message.last_error
