"""What flows contributes to flowpilot's named hooks (registered in FlowsConfig.ready())."""

from django.template.loader import render_to_string

from flowpilot.redact import redact
from flows import graph as graphs
from flows import runner, selectors, tasks
from flows.api import SessionFlowRunField
from flows.panels import runner_context, similar_context, suggestion_context
from outbox import services as outbox


def session_page(request, session) -> dict[str, str]:
    """The runner panel on the session page (nothing for a reader of a session that never ran a flow)."""
    context = runner_context(request, session)
    if not context["can_work"] and context["run"] is None:
        return {}
    return {"workspace": render_to_string("flows/_runner.html", context, request=request)}


def new_session_panels(request, form) -> str:
    """Flow suggestions on the new-session page (refreshed as the tech types)."""
    return render_to_string("flows/_suggest.html", suggestion_context(request, form.data), request=request)


def new_session_similar(request, form) -> str:
    """Similar resolutions on the new-session page (refreshed as the tech types)."""
    return render_to_string("flows/_similar.html", similar_context(request, form.data), request=request)


def session_facts(session) -> dict:
    """The handoff snapshot's `flow`: flow, version, path taken and where the run stopped."""
    run = runner.latest_run(session)
    if run is None:
        return {}
    facts = runner.run_facts(run)
    for step in facts["steps"]:
        step["note"] = redact(step["note"])
    return {"flow": facts}


def session_api_fields() -> dict:
    """`flow_run` on the session detail API: a field, so the OpenAPI schema documents it too."""
    return {"flow_run": SessionFlowRunField()}


def ticket_notes_sections(session) -> list[tuple[str, list[str]]]:
    """The path taken, for the ticket notes."""
    run = runner.latest_run(session)
    if run is None:
        return []
    facts = runner.run_facts(run)
    lines = [f"{facts['title']} (version {facts['version']})"]
    lines += [f"{n}. {s['text']} → {s['answer']}" for n, s in enumerate(facts["steps"], 1)]
    if facts["outcome"] == "left":
        lines.append(f"Left the flow at: {facts['stopped_at']['text']}")
    elif facts["ended"]:
        lines.append(f"Outcome: {facts['outcome']} ({facts['stopped_at']['text']})")
    elif facts["stopped_at"]:
        lines.append(f"Stopped at: {facts['stopped_at']['text']}")
    return [("Guided flow", lines)]


def _queue_proposal(session_id) -> None:
    # The one place the knowledge loop queues work: an outbox row in the resolve's transaction
    # (nothing for a rolled-back resolve), dispatched after commit and swept again if the broker lost it.
    outbox.enqueue(tasks.PROPOSE, session_id=str(session_id))


def session_resolved(session, user) -> None:
    """Queue the knowledge loop's proposal for the resolved session."""
    _queue_proposal(session.pk)


def knowledge_context(account_id, text: str, domain: str) -> list[dict]:
    """Matching published flows for the copilot's and the assessment's prompt (SPEC section 14)."""
    return [
        {"kind": "flow", "title": flow.title, "text": redact(graphs.node_text(flow.graph))[:400]}
        for flow in selectors.knowledge_flows(account_id, text, domain)
    ]
