"""The knowledge loop end to end: a tech resolves in the browser, the real Celery worker turns the session into a
proposal, and the owner reviews it beside the evidence and accepts it as a draft.

Realstack stage: daphne, a Celery worker, Redis, PostgreSQL and Chromium.
"""

import re

import pytest
from playwright.sync_api import expect

from flowpilot import services as flowpilot
from flows.models import Flow, FlowProposal
from tests.support.browser import wait_for

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


def test_resolve_on_the_worker_proposes_and_the_reviewer_accepts(live_stack, signed_in_page, owner, engineer):
    session = flowpilot.open_session(
        engineer, problem_summary="Teams calls drop after 60 seconds", problem_domain="cloud"
    )
    flowpilot.add_step(session, engineer, title="Reinstall Teams", status="failed", is_dead_end=True)
    flowpilot.add_step(session, engineer, title="Open UDP 3478-3481 on the firewall", status="done")

    tech = signed_in_page(engineer)
    tech.goto(f"/sessions/{session.pk}/")
    tech.get_by_label("What fixed it?").fill("Opened the Teams media ports on the firewall")
    tech.get_by_test_id("resolve").click()
    expect(tech.get_by_test_id("resolution")).to_be_visible()

    # The worker, not the request, makes the proposal.
    proposal = wait_for(lambda: FlowProposal.objects.filter(sources__session=session).first(), timeout=30)
    assert proposal.status == "pending"

    reviewer = signed_in_page(owner)
    reviewer.goto("/flows/")
    expect(reviewer.get_by_test_id("nav-count")).to_have_text(re.compile(r"^1"))
    reviewer.get_by_role("link", name=re.compile("Proposals")).click()
    reviewer.get_by_role("link", name=proposal.title).click()
    evidence = reviewer.get_by_test_id("proposal-evidence")
    expect(evidence).to_contain_text("Reinstall Teams")
    expect(evidence).to_contain_text("dead end")
    expect(reviewer.get_by_test_id("flow-diagram")).to_be_visible()
    # Edit before accepting, node by node as in the flow editor: a save redraws the diagram (htmx), and a
    # broken node is named inline and blocks accepting until fixed.
    nodes = proposal.graph["nodes"]
    index, action = next((i, n) for i, n in enumerate(nodes) if n["type"] == "action")
    card = reviewer.get_by_test_id("proposal-node").nth(index)
    card.get_by_label("Text").fill("Reset the Teams cache, then sign in again")
    card.get_by_label("Then").select_option("")
    card.get_by_role("button", name="Save node").click()
    expect(reviewer.get_by_test_id("proposal-errors")).to_contain_text(f"{action['key']}: an action needs a next node")
    expect(reviewer.get_by_test_id("proposal-accept")).to_be_disabled()
    expect(reviewer.get_by_test_id("flow-diagram")).to_contain_text("Reset the Teams cache")
    card = reviewer.get_by_test_id("proposal-node").nth(index)
    expect(card.get_by_label("Text")).to_have_value("Reset the Teams cache, then sign in again")  # the edit is kept
    card.get_by_label("Then").select_option(action["next"])
    card.get_by_role("button", name="Save node").click()
    expect(reviewer.get_by_test_id("proposal-errors")).to_contain_text("The graph is valid")
    reviewer.get_by_test_id("proposal-accept").click()
    expect(reviewer).to_have_url(re.compile(r"/flows/[0-9a-f-]+/edit/$"))

    draft = Flow.objects.get(pk=FlowProposal.objects.get(pk=proposal.pk).draft_id)
    assert draft.status == Flow.Status.DRAFT and draft.latest_version == 0
    assert next(n for n in draft.graph["nodes"] if n["key"] == action["key"])["text"].startswith("Reset the Teams")
    assert reviewer.js_errors == []
