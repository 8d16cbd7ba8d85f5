"""Ticket notes leaving the product are logged as `notes_exported` Activity (the time-saved report counts them)."""

import pytest

from flowpilot.models import WORK_ACTIVITY_KINDS, Activity, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(account, engineer) -> Session:
    return Session.objects.create(account=account, owner=engineer, problem_summary="Printer offline")


def _exports(session):
    return list(Activity.objects.filter(session=session, kind=Activity.Kind.NOTES_EXPORTED).order_by("created_at"))


def test_download_records_the_format_and_who(session, engineer, client_for):
    response = client_for(engineer).get(f"/sessions/{session.pk}/ticket-notes/?format=txt")

    assert response.status_code == 200
    [export] = _exports(session)
    assert (export.actor, export.payload) == (engineer, {"channel": "download", "format": "txt"})


def test_bad_format_records_nothing(session, engineer, client_for):
    assert client_for(engineer).get(f"/sessions/{session.pk}/ticket-notes/?format=pdf").status_code == 400
    assert _exports(session) == []


def test_copy_button_posts_and_is_recorded(session, engineer, viewer, client_for):
    page = client_for(engineer).get(f"/sessions/{session.pk}/").content.decode()
    assert f'hx-post="/sessions/{session.pk}/ticket-notes/copied/"' in page

    assert client_for(engineer).post(f"/sessions/{session.pk}/ticket-notes/copied/").status_code == 204
    assert client_for(viewer).post(f"/sessions/{session.pk}/ticket-notes/copied/").status_code == 204
    assert [(e.actor, e.payload["channel"]) for e in _exports(session)] == [(engineer, "copy"), (viewer, "copy")]


def test_copy_of_another_accounts_session_is_404(session, outsider, client_for):
    assert client_for(outsider).post(f"/sessions/{session.pk}/ticket-notes/copied/").status_code == 404
    assert _exports(session) == []


def test_copy_by_get_is_405(session, engineer, client_for):
    assert client_for(engineer).get(f"/sessions/{session.pk}/ticket-notes/copied/").status_code == 405


def test_api_notes_download_is_recorded(session, engineer, api_for):
    assert api_for(engineer).get(f"/api/v1/sessions/{session.pk}/notes/?format=md").status_code == 200
    assert [e.payload["channel"] for e in _exports(session)] == ["api"]


def test_an_export_is_not_a_first_action():
    assert Activity.Kind.NOTES_EXPORTED not in WORK_ACTIVITY_KINDS
