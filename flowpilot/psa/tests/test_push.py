"""Pushing notes and packages: delivery, retries, idempotency, Activity and the resolve hook."""

import uuid

import pytest

from accounts.models import User
from flowpilot import services as flowpilot_services
from flowpilot.models import Activity
from flowpilot.psa import delivery, hooks, services
from flowpilot.psa.models import PsaPush
from flowpilot.psa.tasks import push_note
from resolutionflow.domain import InvalidOperation, RoleRequired


def push_now(session, user, capture):
    with capture(execute=True):
        push = services.request_notes_push(session, user)
    push.refresh_from_db()
    return push


def test_notes_push_is_sent_and_logged_with_the_note_id(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    push = push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    assert push.status == PsaPush.Status.SENT
    assert push.http_status == 201
    assert push.external_id == str(fake_cw.notes[0]["id"])
    assert push.attempts == 1 and push.error == ""
    assert fake_cw.notes[0]["ticketId"] == 4242
    assert "VPN drops" in fake_cw.notes[0]["text"]


def test_pushed_notes_are_redacted(ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks):
    push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    assert "hunter2" not in fake_cw.notes[0]["text"]


def test_sent_push_records_psa_push_activity_by_the_requesting_user(
    ticket_session, engineer, connection, django_capture_on_commit_callbacks
):
    push = push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    activity = Activity.objects.get(session=ticket_session, kind=Activity.Kind.PSA_PUSH)
    assert activity.actor == engineer
    assert activity.payload["push_id"] == str(push.pk)
    assert activity.payload["note_id"] == push.external_id


def test_server_error_is_retried_then_sent(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    fake_cw.fail_next(500)
    push = push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    assert push.status == PsaPush.Status.SENT
    assert push.attempts == 2
    assert len(fake_cw.notes) == 1


def test_persistent_server_error_fails_after_max_attempts(
    ticket_session, engineer, connection, fake_cw, settings, django_capture_on_commit_callbacks
):
    fake_cw.fail_next(503, times=10)
    push = push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    assert push.status == PsaPush.Status.FAILED
    assert push.attempts == settings.PSA_PUSH_MAX_ATTEMPTS
    assert push.http_status == 503
    assert "unavailable (503)" in push.error
    assert len(fake_cw.requests) == settings.PSA_PUSH_MAX_ATTEMPTS
    assert not Activity.objects.filter(session=ticket_session, kind=Activity.Kind.PSA_PUSH).exists()


def test_client_errors_are_not_retried(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    fake_cw.fail_next(401)
    push = push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    assert push.status == PsaPush.Status.FAILED
    assert (push.attempts, push.http_status) == (1, 401)
    assert len(fake_cw.requests) == 1


def test_unknown_ticket_fails_with_404(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    ticket_session.ticket_ref = "T-777"
    ticket_session.save()
    push = push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    assert push.status == PsaPush.Status.FAILED
    assert push.http_status == 404
    assert "ticket not found" in push.error


def test_timeout_in_eager_mode_fails_at_once_without_hanging_the_request(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    fake_cw.fail_next(status=0, delay_s=1.5, times=5)
    push = push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    # One timed-out attempt and no in-request retry (no wall-clock assertion: the count proves it).
    assert len(fake_cw.requests) == 1
    assert push.status == PsaPush.Status.FAILED
    assert push.attempts == 1
    assert "Could not reach" in push.error


def test_a_worker_retries_timeouts(ticket_session, engineer, connection, fake_cw):
    push = PsaPush.objects.create(
        account=ticket_session.account, session=ticket_session, ticket_ref="4242", body="note", requested_by=engineer
    )
    fake_cw.fail_next(status=0, delay_s=1.5)

    assert delivery.attempt_push(push.pk, retry_timeouts=True) == delivery.RETRY
    push.refresh_from_db()
    assert push.status == PsaPush.Status.QUEUED and "retrying" in push.error

    assert delivery.attempt_push(push.pk, retry_timeouts=True) == delivery.SENT
    push.refresh_from_db()
    assert push.status == PsaPush.Status.SENT and push.attempts == 2 and push.error == ""


def test_redelivered_task_never_double_posts_a_sent_push(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    push = push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    push_note.apply(args=[str(push.pk)])  # acks_late redelivery after a worker crash

    push.refresh_from_db()
    assert len(fake_cw.notes) == 1
    assert push.attempts == 1
    assert Activity.objects.filter(session=ticket_session, kind=Activity.Kind.PSA_PUSH).count() == 1


def test_task_has_the_explicit_name():
    assert push_note.name == "psa.push_note"


def test_push_without_ticket_ref_is_refused(ticket_session, engineer, connection):
    ticket_session.ticket_ref = ""
    ticket_session.save()

    with pytest.raises(InvalidOperation, match="no ConnectWise ticket number"):
        services.request_notes_push(ticket_session, engineer)
    assert not PsaPush.objects.exists()


def test_push_with_a_non_numeric_ticket_ref_is_refused(ticket_session, engineer, connection):
    ticket_session.ticket_ref = "INC-ABC"
    ticket_session.save()

    with pytest.raises(InvalidOperation, match="not a ConnectWise ticket number"):
        services.request_notes_push(ticket_session, engineer)


def test_push_without_a_connection_is_refused(ticket_session, engineer):
    with pytest.raises(InvalidOperation, match="no ConnectWise connection"):
        services.request_notes_push(ticket_session, engineer)


def test_push_by_viewer_is_refused(ticket_session, viewer, connection):
    with pytest.raises(RoleRequired):
        services.request_notes_push(ticket_session, viewer)


def test_broker_outage_leaves_the_push_queued_instead_of_failing_the_request(
    ticket_session, engineer, connection, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(push_note, "apply_async", broker_down)
    with django_capture_on_commit_callbacks() as callbacks:
        push = services.request_notes_push(ticket_session, engineer)
    assert len(callbacks) == 1
    push.refresh_from_db()
    assert push.status == PsaPush.Status.QUEUED


@pytest.fixture
def push_on_resolve(connection):
    connection.push_notes_on_resolve = True
    connection.save()
    return connection


def test_resolve_pushes_the_notes_when_the_account_turned_it_on(
    ticket_session, engineer, push_on_resolve, fake_cw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flowpilot_services.resolve(ticket_session, engineer, "Replaced the VPN profile")

    push = PsaPush.objects.get(session=ticket_session)
    assert push.status == PsaPush.Status.SENT and push.kind == PsaPush.Kind.NOTES
    assert push.requested_by is None  # automatic
    assert "Replaced the VPN profile" in fake_cw.notes[0]["text"]


def test_resolve_does_not_push_when_the_toggle_is_off(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flowpilot_services.resolve(ticket_session, engineer, "Fixed")

    assert not PsaPush.objects.exists()
    assert fake_cw.requests == []


def test_failed_push_never_blocks_resolving(
    ticket_session, engineer, push_on_resolve, fake_cw, django_capture_on_commit_callbacks
):
    fake_cw.fail_next(500, times=10)
    with django_capture_on_commit_callbacks(execute=True):
        flowpilot_services.resolve(ticket_session, engineer, "Fixed")

    ticket_session.refresh_from_db()
    assert ticket_session.status == "resolved"
    assert PsaPush.objects.get(session=ticket_session).status == PsaPush.Status.FAILED


def test_resolve_hook_skips_sessions_without_a_ticket(ticket_session, push_on_resolve, fake_cw):
    ticket_session.ticket_ref = ""
    ticket_session.save()

    hooks.session_resolved(ticket_session.pk)

    assert not PsaPush.objects.exists()


def test_resolve_hook_never_raises(monkeypatch, caplog):
    def boom(_):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "push_notes_on_resolve", boom)

    hooks.session_resolved("x")

    assert [r.getMessage() for r in caplog.records] == ["PSA push on resolve failed for session x"]


def test_a_package_whose_subject_is_gone_fails_with_a_reason(
    ticket_session, connection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        push = services.request_package_push(ticket_session, PsaPush.Kind.ESCALATION, uuid.uuid4())

    push.refresh_from_db()
    assert push.status == PsaPush.Status.FAILED
    assert "subject was removed" in push.error


def test_a_crashing_push_is_marked_failed_instead_of_staying_queued(
    ticket_session, engineer, connection, monkeypatch, django_capture_on_commit_callbacks
):
    def crash(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(delivery, "record", crash)
    push = push_now(ticket_session, engineer, django_capture_on_commit_callbacks)

    assert push.status == PsaPush.Status.FAILED
    assert "Unexpected error" in push.error


def test_admin_never_shows_the_keys(client, account, connection):
    staff = User.objects.create_superuser("ops@example.test", "pw-ops-123456")
    client.force_login(staff)

    page = client.get(f"/admin/psa/psaconnection/{connection.pk}/change/").content.decode()

    assert connection.site in page
    assert "public_key_encrypted" not in page and connection.private_key_encrypted not in page
