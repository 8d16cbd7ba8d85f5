"""`/psa/` session panel, push button and ticket lookup: roles, tenancy, htmx fragments."""

import pytest

from flowpilot.psa.models import PsaPush

HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_url(session) -> str:
    return f"/psa/sessions/{session.pk}/panel/"


def push_url(session) -> str:
    return f"/psa/sessions/{session.pk}/push/"


def test_engineer_sees_the_push_button_on_the_panel(client_for, engineer, ticket_session, connection):
    response = client_for(engineer).get(panel_url(ticket_session))

    assert response.status_code == 200
    assert b'data-testid="psa-push-button"' in response.content


def test_viewer_sees_the_push_log_but_no_button(committed, client_for, engineer, viewer, ticket_session, connection):
    committed(client_for(engineer).post, push_url(ticket_session), **HTMX)

    response = client_for(viewer).get(panel_url(ticket_session))

    assert response.status_code == 200
    assert b'data-testid="psa-push-log"' in response.content
    assert b'data-testid="psa-push-button"' not in response.content


def test_panel_of_another_account_is_not_found(client_for, outsider, ticket_session):
    assert client_for(outsider).get(panel_url(ticket_session)).status_code == 404


def test_panel_with_bad_uuid_is_not_found(client_for, engineer):
    assert client_for(engineer).get("/psa/sessions/nope/panel/").status_code == 404


def test_panel_post_is_not_allowed(client_for, engineer, ticket_session):
    assert client_for(engineer).post(panel_url(ticket_session)).status_code == 405


def test_panel_explains_when_not_connected(client_for, engineer, ticket_session):
    response = client_for(engineer).get(panel_url(ticket_session))

    assert b"Not connected to ConnectWise" in response.content
    assert b'data-testid="psa-push-button"' not in response.content


def test_panel_polls_only_while_a_push_is_queued(client_for, engineer, ticket_session, connection):
    push = PsaPush.objects.create(account=ticket_session.account, session=ticket_session, ticket_ref="4242")
    client = client_for(engineer)

    assert b'hx-trigger="every 3s"' in client.get(panel_url(ticket_session)).content
    PsaPush.objects.filter(pk=push.pk).update(status=PsaPush.Status.SENT)
    assert b'hx-trigger="every 3s"' not in client.get(panel_url(ticket_session)).content


# Real commits: in autocommit the in-process task runs before the response is built.
@pytest.mark.django_db(transaction=True)
def test_htmx_push_answers_202_with_the_logged_note_id(
    committed, client_for, engineer, ticket_session, connection, fake_cw
):
    response = committed(client_for(engineer).post, push_url(ticket_session), **HTMX)

    assert response.status_code == 202
    assert f"note #{fake_cw.notes[0]['id']}".encode() in response.content
    assert "queued for ConnectWise" in response["HX-Trigger"]


def test_push_without_htmx_redirects_to_the_session(committed, client_for, owner, ticket_session, connection, fake_cw):
    response = committed(client_for(owner).post, push_url(ticket_session))

    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{ticket_session.pk}/"
    assert len(fake_cw.notes) == 1


def test_push_by_viewer_is_forbidden(committed, client_for, viewer, ticket_session, connection, fake_cw):
    response = committed(client_for(viewer).post, push_url(ticket_session), **HTMX)

    assert response.status_code == 403
    assert b"engineer or admin role required" in response.content
    assert fake_cw.notes == []


def test_push_by_outsider_is_not_found(committed, client_for, outsider, ticket_session, connection, fake_cw):
    assert committed(client_for(outsider).post, push_url(ticket_session), **HTMX).status_code == 404
    assert fake_cw.requests == []


def test_push_get_is_not_allowed(client_for, engineer, ticket_session):
    assert client_for(engineer).get(push_url(ticket_session)).status_code == 405


def test_push_without_ticket_is_a_400_with_an_inline_message(
    committed, client_for, engineer, ticket_session, connection
):
    ticket_session.ticket_ref = ""
    ticket_session.save()

    response = committed(client_for(engineer).post, push_url(ticket_session), **HTMX)

    assert response.status_code == 400
    assert b'data-testid="psa-push-error"' in response.content
    assert b"no ConnectWise ticket number" in response.content


# Real commits: in autocommit the in-process task runs before the response is built.
@pytest.mark.django_db(transaction=True)
def test_failed_push_is_shown_with_its_error(committed, client_for, engineer, ticket_session, connection, fake_cw):
    fake_cw.fail_next(404)

    response = committed(client_for(engineer).post, push_url(ticket_session), **HTMX)

    assert b'data-status="failed"' in response.content
    assert b"HTTP 404" in response.content


LOOKUP = "/psa/tickets/lookup/"


def test_ticket_lookup_returns_the_fields_to_fill(client_for, engineer, connection, fake_cw):
    response = client_for(engineer).get(LOOKUP, {"ticket": "4242"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-summary="VPN drops every 10 minutes"' in html
    assert 'data-client="Fabrikam Dental"' in html
    assert 'data-ticket="4242"' in html


def test_ticket_lookup_escapes_ticket_text(client_for, owner, connection, fake_cw):
    fake_cw.add_ticket(13, '<script>alert("x")</script>', company='"><b>evil</b>')

    html = client_for(owner).get(LOOKUP, {"ticket": "13"}, **HTMX).content.decode()

    assert "<script>" not in html and "<b>evil" not in html
    assert "&lt;script&gt;" in html


def test_ticket_lookup_of_unknown_ticket_is_a_404_with_a_clear_message(client_for, engineer, connection, fake_cw):
    response = client_for(engineer).get(LOOKUP, {"ticket": "999"}, **HTMX)

    assert response.status_code == 404
    assert b"Ticket 999 was not found in ConnectWise" in response.content


def test_ticket_lookup_when_not_connected_is_a_400(client_for, engineer):
    response = client_for(engineer).get(LOOKUP, {"ticket": "4242"}, **HTMX)

    assert response.status_code == 400
    assert b"no ConnectWise connection" in response.content


def test_ticket_lookup_with_a_non_number_is_a_400(client_for, engineer, connection):
    response = client_for(engineer).get(LOOKUP, {"ticket": "abc"}, **HTMX)

    assert response.status_code == 400
    assert b"Enter a ConnectWise ticket number" in response.content


def test_ticket_lookup_without_a_ticket_is_a_400(client_for, engineer, connection):
    assert client_for(engineer).get(LOOKUP, **HTMX).status_code == 400


def test_ticket_lookup_when_connectwise_fails_is_a_502(client_for, engineer, connection, fake_cw):
    fake_cw.fail_next(500)

    response = client_for(engineer).get(LOOKUP, {"ticket": "4242"}, **HTMX)

    assert response.status_code == 502
    assert b"ConnectWise is unavailable (500)" in response.content


def test_ticket_lookup_by_viewer_is_forbidden(client_for, viewer, connection, fake_cw):
    response = client_for(viewer).get(LOOKUP, {"ticket": "4242"}, **HTMX)

    assert response.status_code == 403
    assert fake_cw.requests == []


def test_ticket_lookup_by_outsider_never_uses_our_connection(client_for, outsider, connection, fake_cw):
    response = client_for(outsider).get(LOOKUP, {"ticket": "4242"}, **HTMX)

    assert response.status_code == 400
    assert fake_cw.requests == []


def test_ticket_lookup_post_is_not_allowed(client_for, engineer):
    assert client_for(engineer).post(LOOKUP, {"ticket": "4242"}).status_code == 405


def test_new_session_page_offers_the_ticket_lookup(client_for, engineer):
    html = client_for(engineer).get("/sessions/new/").content.decode()

    assert 'data-testid="psa-ticket-lookup"' in html
    assert 'hx-get="/psa/tickets/lookup/"' in html and 'for="psa-ticket-number"' in html


def test_session_page_shows_the_push_panel_with_the_views_data(client_for, engineer, ticket_session, connection):
    html = client_for(engineer).get(f"/sessions/{ticket_session.pk}/").content.decode()

    assert 'data-testid="psa-session-panel"' in html
    assert f'hx-post="/psa/sessions/{ticket_session.pk}/push/"' in html


def test_session_page_push_panel_for_a_viewer_has_no_button(client_for, viewer, ticket_session, connection):
    html = client_for(viewer).get(f"/sessions/{ticket_session.pk}/").content.decode()

    assert 'data-testid="psa-session-panel"' in html and "psa-push-button" not in html
    assert "Nothing pushed to ConnectWise yet." in html
