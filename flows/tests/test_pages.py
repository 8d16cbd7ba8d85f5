"""Flow pages: library, detail, editor operations, the runner on the session page; tenancy and roles."""

import pytest

from flowpilot.models import Session
from flows import library, runner, services
from flows.models import Flow, LibraryStep

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_library_lists_flows_with_30_day_stats(client_for, engineer, published, session):
    run = runner.start_run(session, engineer, published)
    runner.answer(run, engineer, node="connected", answer="No")
    runner.answer(run, engineer, node="restart", status="done")
    page = client_for(engineer).get("/flows/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "VPN drops" in html and "1 run in 30 days" in html and "resolved 100%" in html


def test_library_empty_state_teaches(client_for, engineer):
    html = client_for(engineer).get("/flows/").content.decode()
    assert 'data-testid="flow-empty"' in html and "No flows yet" in html


def test_library_search_without_match_says_so(client_for, engineer, published):
    html = client_for(engineer).get("/flows/?q=zebra").content.decode()
    assert "No flow matches" in html


def test_viewer_reads_library_and_detail_but_not_editor(client_for, viewer, published):
    client = client_for(viewer)
    assert client.get("/flows/").status_code == 200
    assert client.get(f"/flows/{published.pk}/").status_code == 200
    assert client.get(f"/flows/{published.pk}/edit/").status_code == 403
    assert client.post("/flows/new/", {"title": "x", "kind": "procedure", "problem_domain": "other"}).status_code == 403


def test_outsider_gets_404_on_every_flow_page(client_for, outsider, published, session):
    client = client_for(outsider)
    for url in (f"/flows/{published.pk}/", f"/flows/{published.pk}/edit/", f"/flows/{published.pk}/export/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/flows/{published.pk}/publish/").status_code == 404
    assert client.post(f"/flows/sessions/{session.pk}/start/", {"flow": str(published.pk)}).status_code == 404


def test_editor_builds_a_flow_with_htmx(client_for, engineer, owner):
    client = client_for(engineer)
    response = client.post(
        "/flows/new/", {"title": "Printer offline", "kind": "troubleshooting", "problem_domain": "printing"}
    )
    flow = Flow.objects.get(title="Printer offline")
    assert response.url == f"/flows/{flow.pk}/edit/"
    base = f"/flows/{flow.pk}/edit/nodes/"
    for key, kind, text in [("q", "question", "Is it powered on?"), ("on", "action", "Power it on"),
                            ("ok", "outcome", "Printing again"), ("esc", "outcome", "Hardware fault")]:  # fmt: skip
        workspace = client.post(base, {"type": kind, "key": key, "text": text}, **HTMX)
        assert workspace.status_code == 200
    assert "problem" in workspace.content.decode()  # still incomplete: inline validation lists the problems
    client.post(
        f"{base}q/", {"text": "Is it powered on?", "answer_label": ["Yes", "No"], "answer_next": ["ok", "on"]}, **HTMX
    )
    client.post(f"{base}on/", {"text": "Power it on", "next": "esc"}, **HTMX)
    workspace = client.post(f"{base}esc/", {"text": "Hardware fault", "outcome": "escalate"}, **HTMX)
    html = workspace.content.decode()
    assert 'data-testid="flow-valid"' in html and "<svg" in html
    flow.refresh_from_db()
    assert services.validate_errors(flow) == []
    client.post(f"{base}ok/move/", {"direction": "up"}, **HTMX)
    flow.refresh_from_db()
    assert [n["key"] for n in flow.graph["nodes"]] == ["q", "ok", "on", "esc"]
    assert client.post(f"/flows/{flow.pk}/publish/").status_code == 403
    client_for(owner).post(f"/flows/{flow.pk}/publish/")
    flow.refresh_from_db()
    assert flow.published_version == 1
    client.post(f"{base}esc/delete/", **HTMX)
    flow.refresh_from_db()
    assert "esc" not in [n["key"] for n in flow.graph["nodes"]]
    detail = client.get(f"/flows/{flow.pk}/edit/").content.decode()
    assert "Removed outcome “esc”" in detail and "Version 1" in detail


def test_editor_refuses_duplicate_keys_with_a_message(client_for, engineer, draft):
    response = client_for(engineer).post(
        f"/flows/{draft.pk}/edit/nodes/", {"type": "action", "key": "mtu", "text": "x"}, **HTMX
    )
    assert response.status_code == 400 and "already used" in response.content.decode()


def test_publishing_an_invalid_draft_shows_the_problems(client_for, owner, engineer):
    flow = services.create_flow(engineer, title="Empty")
    response = client_for(owner).post(f"/flows/{flow.pk}/publish/", follow=True)
    assert "Not published" in response.content.decode()
    assert not flow.versions.exists()


def test_duplicate_and_archive(client_for, owner, published):
    client = client_for(owner)
    response = client.post(f"/flows/{published.pk}/duplicate/")
    copy = Flow.objects.get(title="Copy of VPN drops")
    assert response.url == f"/flows/{copy.pk}/edit/" and copy.status == "draft"
    client.post(f"/flows/{published.pk}/archive/")
    published.refresh_from_db()
    assert published.status == "archived"
    assert '">VPN drops</a>' not in client.get("/flows/").content.decode()


def test_session_page_shows_runner_and_answers_with_htmx(client_for, engineer, published, session):
    client = client_for(engineer)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert 'data-testid="flow-runner"' in page and "Run “VPN drops”" in page
    panel = client.post(f"/flows/sessions/{session.pk}/start/", {"flow": str(published.pk)}, **HTMX).content.decode()
    assert "Does the VPN client connect at all?" in panel and 'data-flow-key="1"' in panel
    panel = client.post(f"/flows/sessions/{session.pk}/answer/", {"node": "connected", "answer": "Yes"}, **HTMX)
    html = panel.content.decode()
    assert "Lower the MTU to 1400" in html and 'id="steps"' in html and 'hx-swap-oob="true"' in html
    stale = client.post(f"/flows/sessions/{session.pk}/answer/", {"node": "connected", "answer": "No"}, **HTMX)
    assert stale.status_code == 409
    panel = client.post(
        f"/flows/sessions/{session.pk}/answer/", {"node": "mtu", "status": "failed"}, **HTMX
    ).content.decode()
    assert 'data-testid="flow-escalate-form"' in panel and "Followed “VPN drops” v1" in panel


def test_resolved_outcome_prefills_the_resolution(client_for, engineer, published, session):
    client = client_for(engineer)
    client.post(f"/flows/sessions/{session.pk}/start/", {"flow": str(published.pk)})
    client.post(f"/flows/sessions/{session.pk}/answer/", {"node": "connected", "answer": "No"})
    client.post(f"/flows/sessions/{session.pk}/answer/", {"node": "restart", "status": "done"})
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert 'data-testid="flow-resolve-form"' in page and ">Connection is stable</textarea>" in page


def test_viewer_sees_the_run_but_no_controls(client_for, viewer, engineer, published, session):
    runner.start_run(session, engineer, published)
    page = client_for(viewer).get(f"/sessions/{session.pk}/").content.decode()
    assert "Does the VPN client connect at all?" in page and 'data-testid="flow-answer"' not in page
    assert client_for(viewer).post(f"/flows/sessions/{session.pk}/back/").status_code == 403


def test_new_session_page_suggests_flows_and_opens_with_one(client_for, engineer, published):
    client = client_for(engineer)
    assert 'data-testid="flow-suggest"' in client.get("/sessions/new/").content.decode()
    found = client.get("/flows/suggest/", {"problem_summary": "VPN keeps dropping", "problem_domain": "networking"})
    assert "Open and run “VPN drops”" in found.content.decode()
    response = client.post(
        f"/flows/{published.pk}/run-new/", {"problem_summary": "VPN keeps dropping", "problem_domain": "networking"}
    )
    session = Session.objects.get(problem_summary="VPN keeps dropping")
    assert response.url == f"/sessions/{session.pk}/#flow-runner"
    assert runner.latest_run(session).flow_id == published.pk


def test_step_library_save_insert_and_vote(client_for, engineer, senior, session):
    from flowpilot import services as session_services

    step = session_services.add_step(session, engineer, title="Flush DNS", command="ipconfig /flushdns")
    client = client_for(engineer)
    client.post(f"/flows/sessions/{session.pk}/library/save/", {"step": str(step.pk)})
    entry = LibraryStep.objects.get(title="Flush DNS")
    assert entry.command == "ipconfig /flushdns"
    client.post(f"/flows/sessions/{session.pk}/library/insert/", {"entry": str(entry.pk)})
    entry.refresh_from_db()
    assert entry.usage_count == 1 and session.steps.filter(title="Flush DNS").count() == 2
    client.post(f"/flows/steps/{entry.pk}/vote/", {"vote": "up"})
    client.post(f"/flows/steps/{entry.pk}/vote/", {"vote": "down"})
    client_for(senior).post(f"/flows/steps/{entry.pk}/vote/", {"vote": "up"})
    entry.refresh_from_db()
    assert (entry.thumbs_up, entry.thumbs_down) == (1, 1)
    assert "Flush DNS" in client.get("/flows/steps/").content.decode()


def test_library_step_into_an_action_node(engineer, draft):
    entry = library.save_step(engineer, title="Restart the VPN agent", command="Restart-Service vpnagent -Force")
    flow = library.insert_into_node(entry, draft, "mtu", engineer)
    node = next(n for n in flow.graph["nodes"] if n["key"] == "mtu")
    assert node["text"] == "Restart the VPN agent" and node["command"] == "Restart-Service vpnagent -Force"


def test_export_download_and_import_upload(client_for, engineer, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(engineer)
    exported = client.get(f"/flows/{draft.pk}/export/")
    assert exported["Content-Disposition"].startswith('attachment; filename="flow-vpn-drops.json"')
    upload = SimpleUploadedFile("flow.json", exported.content, content_type="application/json")
    client.post("/flows/import/", {"document": upload})
    assert Flow.objects.filter(title="VPN drops").count() == 2
    bad = SimpleUploadedFile("flow.json", b"not json", content_type="application/json")
    response = client.post("/flows/import/", {"document": bad}, follow=True)
    assert "not JSON" in response.content.decode()


def test_generate_page_builds_a_draft(client_for, engineer):
    response = client_for(engineer).post(
        "/flows/generate/", {"description": "Printer offline for everyone", "problem_domain": "printing"}
    )
    flow = Flow.objects.get()
    assert response.url == f"/flows/{flow.pk}/edit/" and flow.status == "draft"


def test_nav_has_flows(client_for, viewer):
    assert '<a href="/flows/"' in client_for(viewer).get("/sessions/").content.decode()


def test_outsider_cannot_touch_library_steps_or_suggest(client_for, outsider, engineer, session):
    entry = library.save_step(engineer, title="Flush DNS")
    client = client_for(outsider)
    assert client.post(f"/flows/steps/{entry.pk}/vote/", {"vote": "up"}).status_code == 404
    assert client.post(f"/flows/sessions/{session.pk}/library/insert/", {"entry": str(entry.pk)}).status_code == 404
    assert "Flush DNS" not in client.get("/flows/steps/").content.decode()


def test_viewer_cannot_vote_save_or_get_suggestions(client_for, viewer, engineer, session):
    entry = library.save_step(engineer, title="Flush DNS")
    client = client_for(viewer)
    assert client.get("/flows/steps/").status_code == 200
    assert client.post(f"/flows/steps/{entry.pk}/vote/", {"vote": "up"}).status_code == 403
    assert client.post("/flows/steps/", {"title": "x", "problem_domain": "other"}).status_code == 403
    assert client.get("/flows/suggest/?problem_summary=vpn").status_code == 403


def test_wrong_methods_and_bad_ids(client_for, engineer, published, session):
    client = client_for(engineer)
    assert client.get(f"/flows/sessions/{session.pk}/answer/").status_code == 405
    assert client.get(f"/flows/{published.pk}/publish/").status_code == 405
    assert client.post(f"/flows/sessions/{session.pk}/start/", {"flow": "nope"}).status_code == 404
    assert client.post(f"/flows/sessions/{session.pk}/answer/", {"node": "x", "answer": "y"}, **HTMX).status_code == 400
    assert client.get("/flows/?status=bogus&domain=nowhere").status_code == 200


def test_editor_fills_an_action_node_from_the_library(client_for, engineer, draft):
    entry = library.save_step(engineer, title="Reset the Winsock catalog", command="netsh winsock reset")
    client = client_for(engineer)
    assert "Fill from library" in client.get(f"/flows/{draft.pk}/edit/").content.decode()
    response = client.post(f"/flows/{draft.pk}/edit/nodes/mtu/library/", {"entry": str(entry.pk)}, **HTMX)
    assert response.status_code == 200 and "netsh winsock reset" in response.content.decode()
    entry.refresh_from_db()
    assert entry.usage_count == 1
    refused = client.post(f"/flows/{draft.pk}/edit/nodes/fixed/library/", {"entry": str(entry.pk)}, **HTMX)
    assert refused.status_code == 400


def test_enter_on_the_new_session_form_still_opens_a_plain_session(client_for, engineer, published):
    html = client_for(engineer).get("/flows/suggest/?problem_summary=vpn").content.decode()
    assert "formaction" in html
    page = client_for(engineer).get("/sessions/new/").content.decode()
    # The form's default (first) submit button has no formaction: Enter never starts a flow by surprise.
    first_submit = page[page.index('data-testid="session-form"') :].split('type="submit"')[1][:80]
    assert "formaction" not in first_submit


def test_editor_shows_each_nodes_problems_on_its_card_and_links_by_title(client_for, engineer, published):
    flow = services.create_flow(engineer, title="Remote access")
    client = client_for(engineer)
    client.post(f"/flows/{flow.pk}/edit/nodes/", {"type": "question", "key": "kind", "text": "VPN or RDP?"}, **HTMX)
    html = client.post(f"/flows/{flow.pk}/edit/nodes/", {"type": "link", "key": "vpn", "text": "VPN"}, **HTMX)
    html = html.content.decode()
    card = html[
        html.index('data-testid="node-card" data-node="kind"') : html.index('data-testid="node-card" data-node="vpn"')
    ]
    assert 'data-testid="node-problems"' in card and "at least two answers" in card
    assert f'<option value="{published.pk}">VPN drops</option>' in html


def test_editor_reorders_answers(client_for, engineer, draft):
    client = client_for(engineer)
    page = client.get(f"/flows/{draft.pk}/edit/").content.decode()
    assert f"/flows/{draft.pk}/edit/nodes/connected/answers/1/move/" in page
    client.post(f"/flows/{draft.pk}/edit/nodes/connected/answers/1/move/", {"direction": "up"}, **HTMX)
    draft.refresh_from_db()
    assert [a["label"] for a in draft.graph["nodes"][0]["answers"]] == ["No", "Yes"]
    client.post(f"/flows/{draft.pk}/edit/nodes/connected/answers/9/move/", {"direction": "up"}, **HTMX)
    draft.refresh_from_db()
    assert [a["label"] for a in draft.graph["nodes"][0]["answers"]] == ["No", "Yes"]


def test_answering_with_htmx_moves_focus_to_the_next_node(client_for, engineer, published, session):
    client = client_for(engineer)
    client.post(f"/flows/sessions/{session.pk}/start/", {"flow": str(published.pk)})
    assert "autofocus" not in client.get(f"/sessions/{session.pk}/").content.decode().split("flow-runner")[1][:3000]
    panel = client.post(f"/flows/sessions/{session.pk}/answer/", {"node": "connected", "answer": "Yes"}, **HTMX)
    assert 'data-testid="flow-done" autofocus' in panel.content.decode()


def test_no_runner_panel_for_a_viewer_when_no_flow_ran(client_for, viewer, session):
    assert 'data-testid="flow-runner"' not in client_for(viewer).get(f"/sessions/{session.pk}/").content.decode()


def test_editor_saves_an_action_node_to_the_library(client_for, engineer, draft):
    client = client_for(engineer)
    response = client.post(f"/flows/{draft.pk}/edit/nodes/restart/to-library/", **HTMX)
    assert response.status_code == 204 and "step library" in response["HX-Trigger"]
    entry = LibraryStep.objects.get(title="Restart the VPN service")
    assert entry.command == "Restart-Service vpnagent" and entry.problem_domain == "networking"
    assert client.post(f"/flows/{draft.pk}/edit/nodes/fixed/to-library/", **HTMX).status_code == 400


def test_session_timeline_names_the_flow_lifecycle(client_for, engineer, published, session):
    run = runner.start_run(session, engineer, published)
    runner.leave(run, engineer)
    html = client_for(engineer).get(f"/sessions/{session.pk}/").content.decode()
    assert "Guided flow started: VPN drops" in html and "Left the guided flow" in html
    assert "flow_started" not in html.replace('data-kind="flow_started"', "")
