"""Session pages and their htmx actions: tenancy, roles, methods and inline errors."""

import uuid

import pytest

from flowpilot import services
from flowpilot.models import Activity, Session, Step
from tests.support.fake_anthropic import FakeReply
from tests.support.htmx import toast

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def session(engineer):
    return services.open_session(
        engineer,
        problem_summary="VPN drops every hour",
        problem_domain="networking",
        client_name="Fabrikam",
        ticket_ref="T-9",
    )


@pytest.fixture
def step(session, engineer):
    return services.add_step(session, engineer, title="Check gateway", command="Test-NetConnection vpn -Port 443")


def write_requests(session, step):
    base = f"/sessions/{session.pk}"
    return {
        "message": (f"{base}/messages/", {"text": "what next?"}),
        "add_step": (f"{base}/steps/", {"title": "Reboot the firewall"}),
        "result": (f"{base}/steps/{step.pk}/result/", {"status": "done", "result_note": "ok"}),
        "note": (f"{base}/notes/", {"text": "Called the client"}),
        "resolve": (f"{base}/resolve/", {"resolution_summary": "Updated firmware"}),
    }


WRITES = ["message", "add_step", "result", "note", "resolve"]


# --- session page -----------------------------------------------------------


def test_session_page_renders_for_engineer_with_work_forms_and_seams(session, step, engineer, client_for):
    response = client_for(engineer).get(f"/sessions/{session.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="message-form"' in html and 'id="message-input"' in html and 'name="text"' in html
    assert 'data-testid="send-message"' in html
    assert f'data-testid="step" data-step-id="{step.pk}"' in html
    assert f'data-copy-target="#cmd-{step.pk}"' in html
    assert 'data-testid="resolve-form"' in html
    assert "Rule-based (offline)" in html


def test_session_page_is_read_only_for_viewer(session, step, viewer, client_for):
    response = client_for(viewer).get(f"/sessions/{session.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "VPN drops every hour" in html
    assert 'data-testid="message-form"' not in html
    assert 'data-testid="result-form"' not in html
    assert 'data-testid="resolve-form"' not in html


def test_session_page_of_another_account_is_not_found(session, outsider, client_for):
    assert client_for(outsider).get(f"/sessions/{session.pk}/").status_code == 404


def test_session_page_with_bad_or_unknown_uuid_is_not_found(engineer, client_for):
    client = client_for(engineer)
    assert client.get("/sessions/not-a-uuid/").status_code == 404
    assert client.get(f"/sessions/{uuid.uuid4()}/").status_code == 404


def test_session_page_post_is_method_not_allowed(session, engineer, client_for):
    assert client_for(engineer).post(f"/sessions/{session.pk}/").status_code == 405


def test_anonymous_is_sent_to_login(session, client):
    response = client.get(f"/sessions/{session.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- htmx actions -------------------------------------------------------------


@pytest.mark.parametrize("action", WRITES)
def test_write_by_engineer_works(action, session, step, engineer, client_for):
    url, data = write_requests(session, step)[action]
    before = session.activities.count()
    response = client_for(engineer).post(url, data, **HTMX)
    assert response.status_code in (200, 204)
    assert session.activities.count() > before


@pytest.mark.parametrize("action", WRITES)
def test_write_by_owner_works(action, session, step, owner, client_for):
    url, data = write_requests(session, step)[action]
    response = client_for(owner).post(url, data, **HTMX)
    assert response.status_code in (200, 204)
    assert session.activities.filter(actor=owner).exists()


@pytest.mark.parametrize("action", WRITES)
def test_write_by_viewer_is_forbidden(action, session, step, viewer, client_for):
    url, data = write_requests(session, step)[action]
    before = session.activities.count()
    response = client_for(viewer).post(url, data, **HTMX)
    assert response.status_code == 403
    assert "engineer or admin role required" in response.content.decode()
    assert session.activities.count() == before


@pytest.mark.parametrize("action", WRITES)
def test_write_by_outsider_is_not_found(action, session, step, outsider, client_for):
    url, data = write_requests(session, step)[action]
    assert client_for(outsider).post(url, data, **HTMX).status_code == 404


@pytest.mark.parametrize("action", WRITES)
def test_write_with_get_is_method_not_allowed(action, session, step, engineer, client_for):
    url, _ = write_requests(session, step)[action]
    assert client_for(engineer).get(url).status_code == 405


def test_step_result_for_a_step_of_another_session_is_not_found(session, engineer, client_for):
    other = services.open_session(engineer, problem_summary="Other")
    foreign = services.add_step(other, engineer, title="Elsewhere")
    response = client_for(engineer).post(
        f"/sessions/{session.pk}/steps/{foreign.pk}/result/", {"status": "done"}, **HTMX
    )
    assert response.status_code == 404


def test_step_result_fragment_shows_truncated_marker_for_huge_output(session, step, engineer, client_for):
    response = client_for(engineer).post(
        f"/sessions/{session.pk}/steps/{step.pk}/result/", {"output": "x" * (70 * 1024)}, **HTMX
    )
    assert 'data-testid="output-truncated"' in response.content.decode()
    step.refresh_from_db()
    assert step.output_truncated and len(step.output) == 64 * 1024
    assert session.activities.latest("created_at").kind == Activity.Kind.OUTPUT


def test_empty_output_box_keeps_earlier_output(session, step, engineer, client_for):
    client = client_for(engineer)
    client.post(f"/sessions/{session.pk}/steps/{step.pk}/result/", {"output": "first paste"}, **HTMX)
    client.post(f"/sessions/{session.pk}/steps/{step.pk}/result/", {"status": "failed", "output": ""}, **HTMX)
    step.refresh_from_db()
    assert step.output == "first paste" and step.status == Step.Status.FAILED


def test_empty_message_is_a_clear_400(session, engineer, client_for):
    response = client_for(engineer).post(f"/sessions/{session.pk}/messages/", {"text": ""}, **HTMX)
    assert response.status_code == 400
    assert toast(response)["message"]


def test_message_to_resolved_session_is_refused(session, engineer, client_for):
    services.resolve(session, engineer, "done")
    response = client_for(engineer).post(f"/sessions/{session.pk}/messages/", {"text": "hello"}, **HTMX)
    assert response.status_code == 400
    assert toast(response)["message"] == "session is resolved"


def test_ai_error_shows_inline_message_and_keeps_the_typed_text(session, engineer, client_for, fake_anthropic):
    fake_anthropic.queue(FakeReply(status=429))
    response = client_for(engineer).post(
        f"/sessions/{session.pk}/messages/", {"text": "tunnel is up but no DNS"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="ai-error"' in html and "rate limited" in html
    assert "tunnel is up but no DNS" in html
    assert response["X-RF-AI-Error"] == "rate_limited"
    assert list(session.activities.values_list("kind", flat=True).order_by("created_at"))[-2:] == [
        "message",
        "ai_error",
    ]


def test_ai_error_on_open_still_opens_the_session(engineer, client_for, fake_anthropic):
    fake_anthropic.queue(FakeReply(status=500))
    response = client_for(engineer).post("/sessions/new/", {"problem_summary": "Backups failing"})
    session = Session.objects.get(problem_summary="Backups failing")
    assert response.status_code == 302
    page = client_for(engineer).get(f"/sessions/{session.pk}/").content.decode()
    assert 'data-testid="ai-error-entry"' in page


def test_resolve_without_htmx_redirects_to_the_session(session, engineer, client_for):
    response = client_for(engineer).post(f"/sessions/{session.pk}/resolve/", {"resolution_summary": "Done"})
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.pk}/"


def test_resolve_twice_is_refused(session, engineer, client_for):
    client = client_for(engineer)
    client.post(f"/sessions/{session.pk}/resolve/", {"resolution_summary": "Done"})
    response = client.post(f"/sessions/{session.pk}/resolve/", {"resolution_summary": "Again"}, **HTMX)
    assert response.status_code == 400 and toast(response)["message"] == "session is resolved"


# --- new session ----------------------------------------------------------------


def test_new_session_form_has_psa_seam_and_default_ids(engineer, client_for):
    html = client_for(engineer).get("/sessions/new/").content.decode()
    for field_id in ("id_problem_summary", "id_problem_domain", "id_client_name", "id_ticket_ref"):
        assert f'id="{field_id}"' in html


def test_new_session_by_viewer_is_forbidden(viewer, client_for):
    client = client_for(viewer)
    assert client.get("/sessions/new/").status_code == 403
    assert client.post("/sessions/new/", {"problem_summary": "x"}).status_code == 403
    assert not Session.objects.exists()


def test_new_session_by_owner_works(owner, client_for):
    response = client_for(owner).post("/sessions/new/", {"problem_summary": "Wi-Fi drops"})
    assert response.status_code == 302
    assert Session.objects.get().owner == owner


def test_new_session_without_summary_shows_error(engineer, client_for):
    response = client_for(engineer).post("/sessions/new/", {"problem_summary": ""})
    assert response.status_code == 400
    assert "required" in response.content.decode()


def test_new_session_put_is_method_not_allowed(engineer, client_for):
    assert client_for(engineer).put("/sessions/new/").status_code == 405


# --- ticket notes download --------------------------------------------------------


@pytest.mark.parametrize(("fmt", "ctype"), [("md", "text/markdown"), ("txt", "text/plain"), ("html", "text/html")])
def test_ticket_notes_download_in_each_format(fmt, ctype, session, viewer, client_for):
    response = client_for(viewer).get(f"/sessions/{session.pk}/ticket-notes/?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(ctype)
    assert f'filename="ticket-notes-T-9.{fmt}"' in response["Content-Disposition"]


def test_ticket_notes_bad_format_is_400(session, engineer, client_for):
    assert client_for(engineer).get(f"/sessions/{session.pk}/ticket-notes/?format=pdf").status_code == 400


def test_ticket_notes_of_another_account_are_not_found(session, outsider, client_for):
    assert client_for(outsider).get(f"/sessions/{session.pk}/ticket-notes/").status_code == 404


# --- list ---------------------------------------------------------------------------


def test_session_list_scopes_and_filters(engineer, senior, viewer, outsider, client_for):
    mine = services.open_session(engineer, problem_summary="Printer jam", problem_domain="printing", client_name="Acme")
    theirs = services.open_session(senior, problem_summary="DNS broken", problem_domain="networking", ticket_ref="T-77")
    services.resolve(theirs, senior, "fixed")
    foreign = services.open_session(outsider, problem_summary="Contoso secret problem")
    client = client_for(engineer)

    def listed(query=""):
        html = client.get(f"/sessions/{query}").content.decode()
        return {s for s in (mine, theirs, foreign) if str(s.pk) in html}

    assert listed() == {mine}  # engineers start on their own sessions
    assert listed("?scope=all") == {mine, theirs}
    assert listed("?scope=team") == {mine}  # senior has no team
    assert listed("?scope=all&status=resolved") == {theirs}
    assert listed("?scope=all&domain=printing") == {mine}
    assert listed("?scope=all&q=acme") == {mine}
    assert listed("?scope=all&q=T-77") == {theirs}
    viewer_html = client_for(viewer).get("/sessions/").content.decode()
    assert str(mine.pk) in viewer_html and str(theirs.pk) in viewer_html  # viewers see all by default
    assert "Contoso secret problem" not in viewer_html
    assert 'data-testid="new-session"' not in viewer_html


def test_session_list_post_is_method_not_allowed(engineer, client_for):
    assert client_for(engineer).post("/sessions/").status_code == 405


def test_session_list_for_outsider_shows_only_their_account(session, outsider, client_for):
    html = client_for(outsider).get("/sessions/?scope=all").content.decode()
    assert "VPN drops every hour" not in html


def test_resolved_session_page_shows_resolution_and_no_work_forms(session, engineer, client_for):
    services.resolve(session, engineer, "Updated the firmware")
    html = client_for(engineer).get(f"/sessions/{session.pk}/").content.decode()
    assert 'data-testid="resolution"' in html and "Updated the firmware" in html
    assert 'data-testid="message-form"' not in html and 'href="#resolve"' not in html
    assert 'data-testid="download-notes-md"' in html
