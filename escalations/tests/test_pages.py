"""Queue, handoff-context screen and the escalate / park / claim actions: access, behaviour, escaping."""

import pytest

from escalations import services
from escalations.models import Handoff, HandoffView
from escalations.tests.conftest import make_worked_session
from flowpilot.models import Activity, Session
from tests.support.htmx import toast

BAD_UUID = "not-a-uuid"
MISSING_UUID = "00000000-0000-0000-0000-000000000000"
XSS = "<script>alert('x')</script>"
HTMX = {"HTTP_HX_REQUEST": "true"}


def html(response) -> str:
    return response.content.decode()


# --- queue -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "senior"])
def test_queue_lists_open_escalations_with_live_socket_for_engineers(request, who, escalation, client_for):
    page = html(client_for(request.getfixturevalue(who)).get("/escalations/"))
    assert f'id="handoff-{escalation.pk}"' in page
    assert 'ws-connect="/ws/escalations/"' in page
    assert 'aria-label="1 escalation awaiting pickup"' in page
    assert 'data-testid="pick-up"' in page
    assert "js/queue-live.js" in page
    assert 'data-testid="ttfa-stat-card"' in page


def test_queue_for_viewer_reads_without_socket_or_actions(escalation, viewer, client_for):
    response = client_for(viewer).get("/escalations/")
    assert response.status_code == 200
    page = html(response)
    assert f'id="handoff-{escalation.pk}"' in page
    assert "ws-connect" not in page
    assert 'data-testid="pick-up"' not in page


def test_queue_of_outsider_shows_none_of_another_accounts_escalations(escalation, outsider, client_for):
    response = client_for(outsider).get("/escalations/")
    assert response.status_code == 200
    assert str(escalation.pk) not in html(response)
    assert 'aria-label="0 escalations awaiting pickup"' in html(response)


def test_queue_requires_login(client, db):
    response = client.get("/escalations/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_queue_rejects_post(senior, client_for):
    assert client_for(senior).post("/escalations/").status_code == 405


def test_queue_newest_first_and_excludes_claimed_and_parked(engineer, senior, parked, client_for):
    first = services.escalate(make_worked_session(engineer, "First problem"), engineer)
    second = services.escalate(make_worked_session(engineer, "Second problem"), engineer)
    claimed = services.escalate(make_worked_session(engineer, "Claimed problem"), engineer)
    services.claim(claimed, senior)
    page = html(client_for(senior).get("/escalations/"))
    assert page.index(f"handoff-{second.pk}") < page.index(f"handoff-{first.pk}")
    assert f"handoff-{claimed.pk}" not in page
    assert f"handoff-{parked.pk}" not in page  # not in the live list...
    assert f'id="parked-{parked.pk}"' in page  # ...but in the parked list
    assert 'data-testid="claimed-card"' in page


def test_card_unread_state_is_per_user(escalation, senior, senior2, client_for):
    services.mark_opened(escalation, senior)
    assert 'data-unread="false"' in html(client_for(senior).get("/escalations/"))
    assert 'data-unread="true"' in html(client_for(senior2).get("/escalations/"))


def test_queue_rows_returns_cards_and_out_of_band_count(escalation, senior, client_for):
    page = html(client_for(senior).get("/escalations/queue/rows/", **HTMX))
    assert f'id="handoff-{escalation.pk}"' in page
    assert "<html" not in page
    assert 'id="queue-count"' in page and 'hx-swap-oob="outerHTML"' in page


def test_queue_rows_for_viewer_has_no_actions_and_outsider_sees_nothing(escalation, viewer, outsider, client_for):
    assert 'data-testid="pick-up"' not in html(client_for(viewer).get("/escalations/queue/rows/"))
    assert str(escalation.pk) not in html(client_for(outsider).get("/escalations/queue/rows/"))


def test_queue_rows_rejects_post(senior, client_for):
    assert client_for(senior).post("/escalations/queue/rows/").status_code == 405


# --- context screen ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "senior", "viewer"])
def test_context_screen_shows_four_sections(request, who, escalation, client_for):
    response = client_for(request.getfixturevalue(who)).get(f"/escalations/{escalation.pk}/")
    assert response.status_code == 200
    page = html(response)
    for testid in ("context-header", "context-tried", "context-assessment"):
        assert f'data-testid="{testid}"' in page
    assert "Recreate the Outlook profile" in page and "Dead end" in page
    assert "Stuck after profile rebuild" in page
    assert 'data-status="pending"' in page and 'hx-trigger="every 2s"' in page


def test_context_screen_start_here_has_focus_for_seniors_only(escalation, senior, engineer, viewer, client_for):
    assert 'data-testid="start-here" autofocus' in html(client_for(senior).get(f"/escalations/{escalation.pk}/"))
    escalator_page = html(client_for(engineer).get(f"/escalations/{escalation.pk}/"))
    assert 'data-testid="start-here"' not in escalator_page
    assert 'data-testid="withdraw"' in escalator_page
    assert 'data-testid="start-here"' not in html(client_for(viewer).get(f"/escalations/{escalation.pk}/"))


def test_context_screen_marks_opened_and_records_context_viewed(escalation, senior, client_for):
    client_for(senior).get(f"/escalations/{escalation.pk}/")
    assert HandoffView.objects.get(handoff=escalation, user=senior).opened_at is not None
    assert escalation.session.activities.filter(kind=Activity.Kind.CONTEXT_VIEWED, actor=senior).exists()


def test_context_screen_delivery_panel_for_admins_and_owners_only(escalation, owner, senior, viewer, client_for):
    assert 'data-testid="delivery-panel"' in html(client_for(owner).get(f"/escalations/{escalation.pk}/"))
    assert 'data-testid="delivery-panel"' not in html(client_for(senior).get(f"/escalations/{escalation.pk}/"))
    viewer_page = html(client_for(viewer).get(f"/escalations/{escalation.pk}/"))
    assert 'data-testid="delivery-panel"' not in viewer_page and "ws-connect" not in viewer_page


@pytest.mark.parametrize("suffix", ["", "panel/", "assessment/"])
def test_context_urls_answer_404_to_outsiders_and_bad_uuids(suffix, escalation, outsider, senior, client_for):
    assert client_for(outsider).get(f"/escalations/{escalation.pk}/{suffix}").status_code == 404
    assert client_for(senior).get(f"/escalations/{BAD_UUID}/{suffix}").status_code == 404
    assert client_for(senior).get(f"/escalations/{MISSING_UUID}/{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["", "panel/", "assessment/"])
def test_context_urls_reject_post(suffix, escalation, senior, client_for):
    assert client_for(senior).post(f"/escalations/{escalation.pk}/{suffix}").status_code == 405


def test_context_panel_is_a_fragment_for_the_session_overlay(escalation, senior, client_for):
    services.claim(escalation, senior)
    page = html(client_for(senior).get(f"/escalations/{escalation.pk}/panel/", **HTMX))
    assert "<html" not in page and 'data-testid="context-tried"' in page
    assert "data-dialog-close" in page and 'data-testid="start-here"' not in page


def test_assessment_fragment_ready_unavailable_and_parked(escalation, parked, senior, client_for):
    client = client_for(senior)
    Handoff.objects.filter(pk=escalation.pk).update(
        assessment_status="ready",
        ai_assessment={
            "likely_cause": "Stale WAM token",
            "suggested_steps": ["Clear broker cache"],
            "confidence": "high",
        },
    )
    ready = html(client.get(f"/escalations/{escalation.pk}/assessment/"))
    assert 'data-status="ready"' in ready and "Stale WAM token" in ready and "High confidence" in ready
    assert "every 2s" not in ready  # polling stops once ready
    Handoff.objects.filter(pk=escalation.pk).update(assessment_status="unavailable", ai_assessment=None)
    assert "Assessment unavailable" in html(client.get(f"/escalations/{escalation.pk}/assessment/"))
    assert "not assessed" in html(client.get(f"/escalations/{parked.pk}/assessment/"))


# --- claim / start / release / withdraw / dismiss ----------------------------------


def test_claim_by_htmx_lands_on_the_context_screen(escalation, senior, client_for):
    response = client_for(senior).post(f"/escalations/{escalation.pk}/claim/", **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/escalations/{escalation.pk}/"
    escalation.refresh_from_db()
    assert escalation.claimed_by == senior


def test_claim_without_htmx_redirects_with_302(escalation, senior, client_for):
    response = client_for(senior).post(f"/escalations/{escalation.pk}/claim/")
    assert response.status_code == 302 and response["Location"] == f"/escalations/{escalation.pk}/"
    page = client_for(senior).get(response["Location"]).content.decode()
    assert "Claimed by you" in page and 'data-testid="start-here"' in page


def test_lost_claim_is_409_with_message_and_winner_headers(escalation, senior, senior2, client_for):
    services.claim(escalation, senior)
    response = client_for(senior2).post(f"/escalations/{escalation.pk}/claim/", **HTMX)
    assert response.status_code == 409
    assert toast(response)["message"].startswith("Already claimed by Sam Senior ")
    assert toast(response)["claimed_by"] == "Sam Senior"
    assert toast(response)["kind"] == "error"


def test_lost_claim_without_htmx_is_a_409_page(escalation, senior, senior2, client_for):
    services.claim(escalation, senior)
    response = client_for(senior2).post(f"/escalations/{escalation.pk}/claim/")
    assert response.status_code == 409 and "Already claimed by Sam Senior" in html(response)


def test_claim_by_viewer_is_forbidden_naming_the_role(escalation, viewer, client_for):
    response = client_for(viewer).post(f"/escalations/{escalation.pk}/claim/")
    assert response.status_code == 403 and "engineer or admin role required" in html(response)
    htmx = client_for(viewer).post(f"/escalations/{escalation.pk}/claim/", **HTMX)
    assert htmx.status_code == 403 and toast(htmx)["message"] == "engineer or admin role required"


def test_self_claim_by_escalator_is_400(escalation, engineer, client_for):
    response = client_for(engineer).post(f"/escalations/{escalation.pk}/claim/", **HTMX)
    assert response.status_code == 400 and "withdraw it instead" in toast(response)["message"]


@pytest.mark.parametrize("action", ["claim", "start", "release", "withdraw", "dismiss"])
def test_actions_answer_404_to_outsiders_and_bad_uuids(action, escalation, outsider, senior, client_for):
    assert client_for(outsider).post(f"/escalations/{escalation.pk}/{action}/").status_code == 404
    assert client_for(senior).post(f"/escalations/{BAD_UUID}/{action}/").status_code == 404
    escalation.refresh_from_db()
    assert escalation.is_open


@pytest.mark.parametrize("action", ["claim", "start", "release", "withdraw", "dismiss"])
def test_actions_reject_get(action, escalation, senior, client_for):
    assert client_for(senior).get(f"/escalations/{escalation.pk}/{action}/").status_code == 405


@pytest.mark.parametrize("action", ["start", "release", "withdraw", "dismiss"])
def test_actions_by_viewer_are_forbidden(action, escalation, viewer, client_for):
    response = client_for(viewer).post(f"/escalations/{escalation.pk}/{action}/", **HTMX)
    assert response.status_code == 403


def test_start_here_claims_and_lands_on_the_session(escalation, owner, client_for):
    client = client_for(owner)
    response = client.post(f"/escalations/{escalation.pk}/start/")
    assert response.status_code == 302 and response["Location"] == f"/sessions/{escalation.session_id}/"
    escalation.refresh_from_db()
    assert escalation.claimed_by == owner
    assert client.post(f"/escalations/{escalation.pk}/start/").status_code == 302  # already mine: just go


def test_release_page_action_puts_a_fresh_card_in_the_queue(escalation, senior, client_for):
    services.claim(escalation, senior)
    response = client_for(senior).post(f"/escalations/{escalation.pk}/release/")
    assert response.status_code == 302 and response["Location"] == "/escalations/"
    assert Handoff.objects.filter(session=escalation.session, claimed_at__isnull=True).count() == 1


def test_withdraw_page_action_by_escalator(escalation, engineer, client_for):
    response = client_for(engineer).post(f"/escalations/{escalation.pk}/withdraw/")
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.withdrawn_at is not None


def test_withdraw_by_someone_else_is_400(escalation, senior, client_for):
    assert client_for(senior).post(f"/escalations/{escalation.pk}/withdraw/", **HTMX).status_code == 400


def test_dismiss_clears_unread_and_returns_the_card(escalation, senior, client_for):
    response = client_for(senior).post(f"/escalations/{escalation.pk}/dismiss/", **HTMX)
    assert response.status_code == 200
    assert f'id="handoff-{escalation.pk}"' in html(response) and 'data-unread="false"' in html(response)
    assert HandoffView.objects.get(handoff=escalation, user=senior).dismissed_at is not None


# --- escalate / park from the session page -----------------------------------------


@pytest.mark.parametrize(("intent", "status"), [("escalate", "escalated"), ("park", "parked")])
def test_escalate_and_park_forms_create_a_handoff(intent, status, worked_session, engineer, client_for):
    response = client_for(engineer).post(
        f"/escalations/sessions/{worked_session.pk}/{intent}/", {"engineer_notes": "Need help", "priority": "urgent"}
    )
    assert response.status_code == 302 and response["Location"] == f"/sessions/{worked_session.pk}/"
    handoff = Handoff.objects.get(session=worked_session)
    assert (handoff.intent, handoff.priority, handoff.engineer_notes) == (intent, "urgent", "Need help")
    worked_session.refresh_from_db()
    assert worked_session.status == status


def test_owner_may_escalate_a_juniors_session(worked_session, owner, engineer, client_for):
    response = client_for(owner).post(f"/escalations/sessions/{worked_session.pk}/escalate/", {"priority": "normal"})
    assert response.status_code == 302
    assert Handoff.objects.get(session=worked_session).handed_off_by == owner


@pytest.mark.parametrize("intent", ["escalate", "park"])
def test_escalate_and_park_by_viewer_are_forbidden(intent, worked_session, viewer, client_for):
    response = client_for(viewer).post(f"/escalations/sessions/{worked_session.pk}/{intent}/", {"priority": "low"})
    assert response.status_code == 403 and "engineer or admin role required" in html(response)
    assert not Handoff.objects.exists()


@pytest.mark.parametrize("intent", ["escalate", "park"])
def test_escalate_and_park_404_for_outsiders_and_bad_uuids(intent, worked_session, outsider, engineer, client_for):
    data = {"priority": "low"}
    assert client_for(outsider).post(f"/escalations/sessions/{worked_session.pk}/{intent}/", data).status_code == 404
    assert client_for(engineer).post(f"/escalations/sessions/{BAD_UUID}/{intent}/", data).status_code == 404
    assert not Handoff.objects.exists()


@pytest.mark.parametrize("intent", ["escalate", "park"])
def test_escalate_and_park_reject_get(intent, worked_session, engineer, client_for):
    assert client_for(engineer).get(f"/escalations/sessions/{worked_session.pk}/{intent}/").status_code == 405


def test_escalate_with_bad_priority_is_400_and_keeps_the_session(worked_session, engineer, client_for):
    response = client_for(engineer).post(
        f"/escalations/sessions/{worked_session.pk}/escalate/", {"priority": "asap"}, **HTMX
    )
    assert response.status_code == 400 and "Priority" in toast(response)["message"]
    worked_session.refresh_from_db()
    assert worked_session.status == Session.Status.ACTIVE


def test_escalate_of_an_escalated_session_is_400(escalation, senior, client_for):
    response = client_for(senior).post(f"/escalations/sessions/{escalation.session_id}/escalate/", {"priority": "low"})
    assert response.status_code == 400 and "Only an active session" in html(response)


# --- escaping ----------------------------------------------------------------------


def test_markup_in_notes_is_escaped_on_queue_and_context(worked_session, engineer, senior, client_for):
    handoff = services.escalate(worked_session, engineer, engineer_notes=XSS)
    client = client_for(senior)
    for url in ("/escalations/", "/escalations/queue/rows/", f"/escalations/{handoff.pk}/"):
        page = html(client.get(url))
        assert XSS not in page
        assert "&lt;script&gt;" in page


# --- session page partials ---------------------------------------------------------


def test_session_page_has_escalate_and_park_dialogs_for_engineers(worked_session, engineer, client_for):
    page = html(client_for(engineer).get(f"/sessions/{worked_session.pk}/"))
    for testid in ("escalate-open", "park-open", "escalate-submit", "park-submit"):
        assert f'data-testid="{testid}"' in page
    assert 'name="engineer_notes"' in page and 'name="priority"' in page


def test_session_page_hides_handoff_buttons_from_viewers(worked_session, viewer, client_for):
    page = html(client_for(viewer).get(f"/sessions/{worked_session.pk}/"))
    assert 'data-testid="escalate-open"' not in page and 'data-testid="park-open"' not in page


def test_claimed_session_shows_context_button_and_suggested_chips(escalation, senior, client_for):
    services.claim(escalation, senior)
    Handoff.objects.filter(pk=escalation.pk).update(
        assessment_status="ready",
        ai_assessment={"likely_cause": "x", "suggested_steps": ["Clear the broker cache", XSS], "confidence": "low"},
    )
    page = html(client_for(senior).get(f"/sessions/{escalation.session_id}/"))
    assert 'data-testid="show-context"' in page and f"/escalations/{escalation.pk}/panel/" in page
    assert page.count('data-testid="suggested-chip"') == 2
    assert 'data-fill-input="#message-input"' in page and "js/escalations.js" in page
    assert XSS not in page
    assert page.index('id="message-input"') < page.index('data-testid="suggested-chip"')
