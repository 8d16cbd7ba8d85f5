"""A guided flow end to end in real browsers: build it in the editor, publish, run it as a junior, escalate
from its escalate outcome; the senior's handoff-context screen shows the path taken.

Realstack stage: daphne, a Celery worker, Redis, PostgreSQL and Chromium.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from escalations.models import Handoff
from flowpilot import services as flowpilot
from flows import builder, services
from flows.models import Flow

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]

# The classes htmx keeps on swapped content until it has settled it.
HTMX_UNSETTLED = re.compile(r"\bhtmx-(added|settling)\b")

NODES = [
    ("online", "question", "Does the printer show as online?"),
    ("spooler", "action", "Restart the print spooler"),
    ("test-page", "question", "Does a test page print?"),
    ("fixed", "outcome", "Printing works again"),
    ("hardware", "outcome", "Likely a hardware fault"),
]


def node(page: Page, key: str):
    return page.locator(f'[data-testid="node-card"][data-node="{key}"]')


def save(page: Page, key: str) -> None:
    """Save a node and wait until the redrawn workspace (a new graph hash) has been swapped in."""
    workspace = page.get_by_test_id("editor-workspace")
    before = workspace.get_attribute("data-graph")
    node(page, key).get_by_test_id("node-save").click()
    expect(workspace).not_to_have_attribute("data-graph", before)


def add_answer(page: Page, key: str, label: str, goes_to: str, count: int) -> None:
    """Fill the question's blank answer row and save; the redrawn card then has `count` answers."""
    card = node(page, key)
    card.get_by_test_id("new-answer-label").fill(label)
    card.get_by_test_id("new-answer-next").select_option(goes_to)
    save(page, key)
    expect(node(page, key).get_by_role("textbox", name=re.compile(r"^Answer \d+$"))).to_have_count(count)


def build_flow_in_editor(page: Page) -> Flow:
    page.goto("/flows/")
    form = page.get_by_test_id("new-flow-form")
    form.get_by_label("Title").fill("Printer offline")
    form.get_by_label("Domain").select_option("printing")
    form.get_by_test_id("new-flow-submit").click()
    expect(page).to_have_url(re.compile(r"/flows/[0-9a-f-]+/edit/$"))
    for key, kind, text in NODES:
        adder = page.get_by_test_id("add-node-form")
        adder.get_by_test_id("add-node-type").select_option(kind)
        adder.get_by_test_id("add-node-key").fill(key)
        adder.get_by_test_id("add-node-text").fill(text)
        adder.get_by_test_id("add-node-submit").click()
        expect(node(page, key)).to_be_visible()
    add_answer(page, "online", "Yes", "fixed", 1)
    add_answer(page, "online", "No", "spooler", 2)
    node(page, "spooler").get_by_test_id("node-next").select_option("test-page")
    save(page, "spooler")
    add_answer(page, "test-page", "Yes", "fixed", 1)
    add_answer(page, "test-page", "No", "hardware", 2)
    node(page, "hardware").get_by_test_id("node-outcome").select_option("escalate")
    save(page, "hardware")
    expect(page.get_by_test_id("flow-valid")).to_be_visible()
    expect(page.get_by_test_id("flow-diagram").locator("g[data-node]")).to_have_count(5)
    page.get_by_test_id("flow-publish").click()
    expect(page.get_by_test_id("flow-published-version")).to_contain_text("1")
    return Flow.objects.get(title="Printer offline")


def test_build_publish_run_and_escalate_a_flow(live_stack, signed_in_page, owner, engineer, senior):
    author = signed_in_page(owner)
    flow = build_flow_in_editor(author)
    assert flow.status == "published" and len(flow.versions.get().graph["nodes"]) == 5

    session = flowpilot.open_session(
        engineer, problem_summary="Printer offline at reception", problem_domain="printing"
    )
    junior = signed_in_page(engineer)
    junior.goto(f"/sessions/{session.pk}/")
    runner = junior.get_by_test_id("flow-runner")
    runner.get_by_label("Run a flow from the library").select_option(str(flow.pk))
    runner.get_by_test_id("flow-start").click()
    expect(junior.get_by_test_id("flow-node")).to_have_attribute("data-node", "online")

    # htmx wires a swapped panel's forms when it settles (20 ms on); a key pressed before that submits
    # the form natively, a full page load, so wait for the settle as a person's reaction time would.
    expect(runner).not_to_have_class(HTMX_UNSETTLED)
    # The first answer has focus; answers are buttons in the Tab order; "2" presses the second (No).
    first_answer = junior.get_by_test_id("flow-answer").first
    expect(first_answer).to_be_focused()
    junior.keyboard.press("Shift+Tab")
    expect(first_answer).not_to_be_focused()
    junior.keyboard.press("Tab")
    expect(first_answer).to_be_focused()
    junior.keyboard.press("2")
    expect(junior.get_by_test_id("flow-node")).to_have_attribute("data-node", "spooler")
    expect(junior.get_by_test_id("flow-done")).to_be_focused()  # the next node's first control takes focus
    runner.get_by_label("Result note").fill("Spooler restarted")
    junior.get_by_test_id("flow-done").click()
    expect(junior.get_by_test_id("flow-node")).to_have_attribute("data-node", "test-page")
    expect(junior.get_by_test_id("steps")).to_contain_text("Restart the print spooler")
    junior.get_by_test_id("flow-answer").filter(has_text="No").click()

    outcome = junior.get_by_test_id("flow-outcome")
    expect(outcome).to_have_attribute("data-outcome", "escalate")
    notes = runner.get_by_label(re.compile("Why are you stuck"))
    expect(notes).to_have_value(re.compile("Printer offline.*Restart the print spooler → done"))
    junior.get_by_test_id("flow-escalate-submit").click()
    handoff = Handoff.objects.get(session=session)

    context = signed_in_page(senior)
    context.goto(f"/escalations/{handoff.pk}/")
    flow_box = context.get_by_test_id("context-flow")
    expect(flow_box).to_contain_text("Printer offline")
    expect(flow_box).to_contain_text("v1")
    path = context.get_by_test_id("context-flow-path").get_by_role("listitem")
    expect(path).to_have_count(3)
    expect(path.nth(1)).to_contain_text("Restart the print spooler → done")
    expect(context.get_by_test_id("context-flow-stop")).to_contain_text("Likely a hardware fault")
    assert author.js_errors == [] and junior.js_errors == [] and context.js_errors == []


def test_flow_pages_fit_a_375px_screen(live_stack, signed_in_page, owner, engineer):
    document = builder.offline_document("VPN disconnects every few minutes for remote staff", "networking")
    flow = services.create_flow(engineer, title=document["title"], problem_domain="networking", graph=document)
    services.publish(flow, owner)
    session = flowpilot.open_session(engineer, problem_summary="VPN drops at home", problem_domain="networking")
    page = signed_in_page(engineer, viewport={"width": 375, "height": 800})
    for url in (
        "/flows/",
        f"/flows/{flow.pk}/",
        f"/flows/{flow.pk}/edit/",
        f"/sessions/{session.pk}/",
        "/sessions/new/",
    ):
        page.goto(url)
        if url.startswith("/sessions/") and url != "/sessions/new/":
            page.get_by_test_id("flow-start").click()
            expect(page.get_by_test_id("flow-node")).to_be_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at 375px"
    assert page.js_errors == []
