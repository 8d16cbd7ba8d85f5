"""Session notes pushed by a mapped user carry that user's ConnectWise member."""

from flowpilot.psa import services
from flowpilot.psa.models import PsaMember


def test_session_notes_push_carries_the_member(
    ticket_session, engineer, connection, fake_cw, django_capture_on_commit_callbacks
):
    PsaMember.objects.create(account=engineer.account, user=engineer, identifier="jchen")
    with django_capture_on_commit_callbacks(execute=True):
        push = services.request_notes_push(ticket_session, engineer)
    push.refresh_from_db()
    assert push.status == "sent" and push.member == "jchen"
    assert fake_cw.notes[0]["member"] == {"identifier": "jchen"}


def test_automatic_push_has_no_member(ticket_session, connection, fake_cw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_notes_push(ticket_session, None)
    assert "member" not in fake_cw.notes[0] and fake_cw.notes[0]["createdBy"] == "api-member"


def test_session_panel_warns_an_unmapped_user(client_for, engineer, ticket_session, connection):
    url = f"/psa/sessions/{ticket_session.pk}/panel/"
    assert 'data-testid="member-warning"' in client_for(engineer).get(url).content.decode()
    PsaMember.objects.create(account=engineer.account, user=engineer, identifier="jchen")
    assert 'data-testid="member-warning"' not in client_for(engineer).get(url).content.decode()
