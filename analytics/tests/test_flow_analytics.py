"""Flow analytics /analytics/flows/ and GET /api/v1/analytics/flows/ (SPEC section 14)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from analytics import flow_gaps, flow_metrics
from escalations import services as escalations
from escalations.models import Handoff
from flowpilot import services as session_services
from flows import runner, services
from flows.models import FlowProposal, FlowRun
from flows.tests.conftest import vpn_graph

pytestmark = pytest.mark.django_db
API = "/api/v1/analytics/flows/"


@pytest.fixture
def vpn(engineer, owner):
    flow = services.create_flow(engineer, title="VPN drops", problem_domain="networking", graph=vpn_graph())
    services.publish(flow, owner)
    flow.refresh_from_db()
    return flow


def run(engineer, flow, answers, summary="VPN drops"):
    session = session_services.open_session(engineer, problem_summary=summary, problem_domain="networking")
    current = runner.start_run(session, engineer, flow)
    for node, kwargs in answers:
        current = runner.answer(current, engineer, node=node, **kwargs)
    return session, current


@pytest.fixture
def runs(engineer, vpn):
    resolved = [
        run(engineer, vpn, [("connected", {"answer": "No"}), ("restart", {"status": "done"})]) for _ in range(3)
    ]
    for minutes, (_, r) in zip((4, 10, 30), resolved, strict=True):
        FlowRun.objects.filter(pk=r.pk).update(ended_at=r.started_at + timedelta(minutes=minutes))
    run(engineer, vpn, [("connected", {"answer": "Yes"}), ("mtu", {"status": "failed"})])  # escalate outcome
    _, left = run(engineer, vpn, [("connected", {"answer": "Yes"})])
    runner.leave(left, engineer)
    run(engineer, vpn, [("connected", {"answer": "Yes"})])  # still open at mtu
    session_services.open_session(engineer, problem_summary="Printer offline", problem_domain="printing")
    return vpn


def test_per_flow_figures_are_computed_in_the_database(engineer, runs):
    report = flow_metrics.flow_report(engineer.account_id, "30d")
    row = report["flows"][0]
    assert (row["runs"], row["resolved_in_flow"], row["escalated"]) == (6, 3, 1)
    assert row["escalation_rate"] == round(1 / 6, 3)
    assert row["median_time_to_resolve_s"] == 600.0  # 4, 10, 30 minutes
    assert row["most_common_stop"]["node"] == "mtu" and row["most_common_stop"]["runs"] == 2


def test_coverage_is_the_share_of_sessions_that_ran_a_flow(engineer, runs):
    coverage = flow_metrics.flow_report(engineer.account_id, "30d")["coverage"]
    assert (coverage["sessions"], coverage["with_flow"]) == (7, 6)
    assert coverage["trend"] and sum(w["sessions"] for w in coverage["trend"]) == 7


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(engineer, vpn):
    for minutes in (2, 4, 8, 100):
        _, r = run(engineer, vpn, [("connected", {"answer": "No"}), ("restart", {"status": "done"})])
        FlowRun.objects.filter(pk=r.pk).update(ended_at=r.started_at + timedelta(minutes=minutes))
    assert flow_metrics.flow_report(engineer.account_id, "7d")["flows"][0]["median_time_to_resolve_s"] == 360.0


def escalated(user, summary, domain):
    session = session_services.open_session(user, problem_summary=summary, problem_domain=domain)
    escalations.escalate(session, user, "stuck")
    return session


def test_gaps_list_uncovered_domains_and_recurring_problems(engineer, vpn):
    escalated(engineer, "Printer queue stuck", "printing")
    escalated(engineer, "Printer offline again", "printing")
    escalated(engineer, "Wifi roaming drops calls", "networking")
    escalated(engineer, "Wifi roaming slow handover", "networking")
    escalated(engineer, "VPN drops hourly", "networking")  # covered by the published VPN flow
    gaps = flow_metrics.flow_report(engineer.account_id, "30d")["gaps"]
    labels = [g["label"] for g in gaps]
    assert "Printing" in labels
    assert "Networking: “wifi”" in labels or "Networking: “roaming”" in labels
    assert not any("vpn" in label.lower() for label in labels)
    printing = next(g for g in gaps if g["label"] == "Printing")
    assert printing["escalations"] == 2 and len(printing["sessions"]) == 2


def test_draft_a_flow_from_a_gap(client_for, owner, engineer):
    done = escalated(engineer, "Printer queue stuck", "printing")
    session_services.add_step(done, owner, title="Restart the spooler", status="done")
    session_services.resolve(done, owner, "Restarted the spooler")
    response = client_for(owner).post("/flows/proposals/draft/", {"session": [str(done.pk)]})
    proposal = FlowProposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/flows/proposals/{proposal.pk}/"


def test_draft_from_unresolved_sessions_uses_the_builder(client_for, engineer):
    stuck = escalated(engineer, "Printer queue stuck", "printing")
    response = client_for(engineer).post("/flows/proposals/draft/", {"session": [str(stuck.pk)]})
    assert response.status_code == 302 and response["Location"].endswith("/edit/")


def test_draft_from_another_accounts_sessions_is_refused(client_for, outsider, engineer):
    stuck = escalated(engineer, "Printer queue stuck", "printing")
    outsider.account_role = "owner"
    outsider.save()
    client_for(outsider).post("/flows/proposals/draft/", {"session": [str(stuck.pk)]})
    assert not FlowProposal.objects.exists()


@pytest.mark.parametrize("role", ["owner", "admin_user", "engineer"])
def test_page_and_api_for_engineer_or_admin(client_for, api_for, role, runs, request):
    user = request.getfixturevalue(role)
    page = client_for(user).get("/analytics/flows/")
    assert page.status_code == 200 and "VPN drops" in page.content.decode()
    body = api_for(user).get(API, {"period": "7d"}).json()
    assert body["period"] == "7d" and body["flows"][0]["runs"] == 6


def test_viewer_gets_403(client_for, api_for, viewer):
    assert client_for(viewer).get("/analytics/flows/").status_code == 403
    assert api_for(viewer).get(API).status_code == 403
    assert client_for(viewer).post("/flows/proposals/draft/", {"session": []}).status_code == 403


def test_outsider_sees_only_their_own_account(api_for, outsider, runs):
    body = api_for(outsider).get(API).json()
    assert body["flows"] == [] and body["coverage"]["sessions"] == 0


def test_unknown_period_is_400_naming_the_allowed_values(client_for, api_for, engineer):
    response = api_for(engineer).get(API, {"period": "1y"})
    assert response.status_code == 400 and "7d, 30d, 90d" in response.json()["detail"]
    assert client_for(engineer).get("/analytics/flows/?period=1y").status_code == 400


def test_old_runs_fall_outside_the_period(engineer, runs):
    FlowRun.objects.update(started_at=timezone.now() - timedelta(days=40))
    assert flow_metrics.flow_report(engineer.account_id, "30d")["flows"] == []
    assert flow_metrics.flow_report(engineer.account_id, "90d")["flows"][0]["runs"] == 6


def test_the_demo_shows_flow_figures_and_gaps(db):
    northwind, _ = accounts_demo.seed_all()["northwind"]
    report = flow_metrics.flow_report(northwind.pk, "30d")
    assert report["flows"] and report["gaps"] and report["coverage"]["with_flow"]


def test_coverage_trend_reaches_past_a_short_window(engineer, runs):
    from flowpilot.models import Session

    Session.objects.filter(problem_domain="printing").update(created_at=timezone.now() - timedelta(days=20))
    coverage = flow_metrics.flow_report(engineer.account_id, "7d")["coverage"]
    assert (coverage["sessions"], coverage["with_flow"]) == (6, 6)  # the 20-day-old session is outside 7 days
    assert sum(w["sessions"] for w in coverage["trend"]) == 7  # ... and inside the 12 weeks


def test_a_cluster_counts_each_session_once_and_links_to_its_sessions(engineer, vpn):
    first = escalated(engineer, "Wifi roaming drops calls", "networking")
    again = Handoff.objects.get(session=first)
    again.pk = None  # a second escalation of the same session (after a re-open)
    again.save()
    second = escalated(engineer, "Wifi roaming slow handover", "networking")
    gaps = flow_gaps.gaps(engineer.account_id, timezone.now() - timedelta(days=30))
    (cluster,) = [g for g in gaps if g["kind"] == "cluster"]  # "wifi" and "roaming" name the same two: one gap
    assert cluster["escalations"] == 2
    assert sorted(cluster["sessions"]) == sorted([str(first.pk), str(second.pk)])


def test_problem_clusters_are_capped_most_escalated_first(engineer, vpn, monkeypatch):
    monkeypatch.setattr(flow_gaps, "CLUSTER_LIMIT", 1)
    for summary in ("Scanner jams paper", "Scanner jams badly", "Scanner offline", "Dock flickers", "Dock flickers"):
        escalated(engineer, summary, "networking")
    clusters = [
        g for g in flow_gaps.gaps(engineer.account_id, timezone.now() - timedelta(days=30)) if g["kind"] == "cluster"
    ]
    assert [(c["label"], c["escalations"]) for c in clusters] == [("Networking: “scanner”", 3)]


def test_gaps_never_cross_accounts(engineer, outsider, vpn):
    escalated(engineer, "Printer queue stuck", "printing")
    escalated(engineer, "Wifi roaming drops", "networking")
    escalated(engineer, "Wifi roaming slow", "networking")
    assert flow_gaps.gaps(outsider.account_id, timezone.now() - timedelta(days=30)) == []


def test_each_gap_on_the_page_posts_its_sessions_to_draft_a_flow(client_for, engineer, vpn):
    first = escalated(engineer, "Wifi roaming drops calls", "networking")
    second = escalated(engineer, "Wifi roaming slow handover", "networking")
    html = client_for(engineer).get("/analytics/flows/").content.decode()
    gap = html[html.index('data-testid="knowledge-gap"') :]
    gap = gap[: gap.index("</li>")]
    assert "Networking: “" in gap and 'action="/flows/proposals/draft/"' in gap
    assert f'value="{first.pk}"' in gap and f'value="{second.pk}"' in gap
