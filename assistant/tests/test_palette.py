"""The command palette's endpoint: own account only, roles honoured, bad input answered, dialog on every page."""

import pytest

from assistant import palette
from escalations import services as escalations
from flowpilot import services as sessions

pytestmark = pytest.mark.django_db


def labels(response) -> list[str]:
    html = response.content.decode()
    return [part.split("</span>")[0] for part in html.split('class="palette-option-label">')[1:]]


def test_an_empty_query_lists_the_actions_an_engineer_may_take(client_for, engineer):
    found = labels(client_for(engineer).get("/palette/"))
    assert {"New session", "Open queue", "Start flow…", "Ask the assistant", "Analytics"} <= set(found)


def test_schedules_and_runs_are_one_word_away_for_every_role(client_for, engineer, viewer):
    for user in (engineer, viewer):
        response = client_for(user).get("/palette/?q=schedules")
        assert "Schedules" in labels(response)
        assert 'href="/runs/schedules/"' in response.content.decode()
    assert "Maintenance runs" in labels(client_for(viewer).get("/palette/?q=runs"))


def test_owner_sees_every_action(client_for, owner):
    assert "Analytics" in labels(client_for(owner).get("/palette/?q=dash"))


def test_a_viewer_gets_no_create_actions_and_no_analytics(client_for, viewer):
    found = labels(client_for(viewer).get("/palette/"))
    assert "Open queue" in found
    assert not {"New session", "Start flow…", "Ask the assistant", "Analytics"} & set(found)


def test_sessions_flows_and_escalations_of_the_account_are_found(client_for, engineer, senior, outlook_flow):
    session = sessions.open_session(engineer, problem_summary="Outlook password prompt on the reception PC")
    handoff = escalations.escalate(session, engineer, engineer_notes="stuck", priority="high")
    response = client_for(senior).get("/palette/", {"q": "outlook"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/sessions/{session.pk}/" in html
    assert f"/escalations/{handoff.pk}/" in html
    assert f"/flows/{outlook_flow.pk}/" in html


def test_results_never_cross_accounts(client_for, engineer, outsider):
    mine = sessions.open_session(engineer, problem_summary="Outlook password prompt")
    theirs = sessions.open_session(outsider, problem_summary="Outlook password prompt")
    html = client_for(outsider).get("/palette/", {"q": "outlook"}).content.decode()
    assert f"/sessions/{theirs.pk}/" in html
    assert f"/sessions/{mine.pk}/" not in html


def test_a_viewer_finds_sessions_of_the_account(client_for, engineer, viewer):
    session = sessions.open_session(engineer, problem_summary="Printer jams on tray 2")
    assert f"/sessions/{session.pk}/" in client_for(viewer).get("/palette/?q=printer").content.decode()


@pytest.mark.parametrize("q", ["x" * 5000, '"unbalanced', "-", "a & b | !c", "<script>", "%00"])
def test_odd_queries_answer_200_never_500(client_for, engineer, q):
    response = client_for(engineer).get("/palette/", {"q": q})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_nothing_found_says_so(client_for, engineer):
    assert "Nothing matches" in client_for(engineer).get("/palette/?q=zzzqqq").content.decode()


def test_post_is_not_allowed(client_for, engineer):
    assert client_for(engineer).post("/palette/").status_code == 405


def test_anonymous_is_sent_to_login(client):
    response = client.get("/palette/?q=x")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_member_page_carries_the_dialog_and_login_does_not(client_for, viewer, client):
    page = client_for(viewer).get("/sessions/").content.decode()
    assert 'id="palette"' in page and 'role="combobox"' in page and "js/palette.js" in page
    assert 'id="palette"' not in client.get("/accounts/login/").content.decode()


def test_a_registered_source_joins_the_results_for_its_roles_only(engineer, viewer):
    def runs(user, q, limit):
        return [palette.Item("Monthly patch run", "/runs/1/")]

    palette.register_source("runs-test", 50, "Runs", runs, roles=["engineer"])
    try:
        assert "runs-test" in [g.name for g in palette.results(engineer, "")]
        assert "runs-test" not in [g.name for g in palette.results(viewer, "")]
    finally:
        palette.SOURCES._entries.pop("runs-test")


def test_a_query_offers_the_full_session_search_and_the_assistant(client_for, engineer, viewer):
    html = client_for(engineer).get("/palette/", {"q": "vpn drops"}).content.decode()
    assert "Search all sessions for “vpn drops”" in html
    assert "/sessions/?q=vpn+drops&amp;scope=all" in html
    assert "/assistant/?q=vpn+drops" in html
    assert "vpn drops</textarea>" in client_for(engineer).get("/assistant/?q=vpn drops").content.decode()
    assert "/assistant/?q=" not in client_for(viewer).get("/palette/", {"q": "vpn drops"}).content.decode()


def test_the_best_match_among_recent_matches_comes_first(client_for, engineer):
    weak = sessions.open_session(engineer, problem_summary="Printer offline, vpn unrelated")
    strong = sessions.open_session(engineer, problem_summary="VPN drops: VPN tunnel resets, VPN client logs")
    html = client_for(engineer).get("/palette/", {"q": "vpn"}).content.decode()
    assert html.index(f"/sessions/{strong.pk}/") < html.index(f"/sessions/{weak.pk}/")


def test_unfinished_runs_of_the_account_are_found(client_for, engineer, owner, outsider, other_account):
    from conftest import make_user
    from maintenance import services as runs
    from maintenance.tests.conftest import publish_procedure

    mine = runs.create_run(
        engineer, flow_id=publish_procedure(engineer, owner).pk, title="November patch check", targets=["DC01"]
    )
    boss = make_user(other_account, "owner", "boss@other.test")
    theirs = runs.create_run(
        outsider, flow_id=publish_procedure(outsider, boss, "Theirs").pk, title="November patch check", targets=["X"]
    )
    html = client_for(engineer).get("/palette/", {"q": "patch"}).content.decode()
    assert f"/runs/{mine.pk}/" in html
    assert f"/runs/{theirs.pk}/" not in html
