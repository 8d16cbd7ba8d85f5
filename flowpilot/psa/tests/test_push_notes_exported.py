"""A sent notes push is logged as `notes_exported` (channel psa); an escalation package is not notes."""

from flowpilot.models import Activity
from flowpilot.psa import services
from flowpilot.psa.models import PsaPush


def test_sent_notes_push_records_notes_exported(
    ticket_session, engineer, connection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        push = services.request_notes_push(ticket_session, engineer)
    push.refresh_from_db()

    assert push.status == PsaPush.Status.SENT
    export = Activity.objects.get(session=ticket_session, kind=Activity.Kind.NOTES_EXPORTED)
    assert (export.actor, export.payload) == (engineer, {"channel": "psa", "format": "md"})


def test_failed_push_records_no_export(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    fake_cw.fail_next(401)
    with django_capture_on_commit_callbacks(execute=True):
        push = services.request_notes_push(ticket_session, engineer)
    push.refresh_from_db()

    assert push.status != PsaPush.Status.SENT
    assert not Activity.objects.filter(session=ticket_session, kind=Activity.Kind.NOTES_EXPORTED).exists()
