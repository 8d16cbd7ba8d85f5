"""Data for the flow panels on flowpilot's pages (the templates only print what is here)."""

from accounts.access import scoped
from flowpilot import similar
from flowpilot.models import ProblemDomain, Session
from flowpilot.selectors import can_work as may_work_on
from flows import runner, selectors
from flows.models import Flow, FlowRun, LibraryStep

PICKER_MAX = 100
LIBRARY_SHOWN = 8


def _escalate_notes(facts: dict) -> str:
    taken = "; ".join(f"{s['text']} → {s['answer']}" for s in facts["steps"]) or "no answers yet"
    stop = facts["stopped_at"]["text"] if facts["stopped_at"] else ""
    return f"Followed “{facts['title']}” v{facts['version']} to “{stop}”. Path: {taken}."


def _resolution(facts: dict) -> str:
    node = facts["current"] or {}
    return node.get("summary") or node.get("text") or f"Resolved by following “{facts['title']}”."


def runner_context(request, session: Session, *, session_steps=None) -> dict:
    """The runner panel's data; `session_steps` (the session's steps, in order) when the caller has them."""
    user = request.user
    can_work = may_work_on(user, session)
    run = runner.latest_run(session)
    facts = runner.run_facts(run) if run else None
    idle = run is None or run.outcome == FlowRun.Outcome.LEFT
    context = {
        "session": session,
        "run": run,
        "facts": facts,
        "idle": idle,
        "can_work": can_work,
        "can_escalate": can_work and session.status == Session.Status.ACTIVE,
        "statuses": runner.RESULT_STATUSES,
    }
    if facts and facts["outcome"] == FlowRun.Outcome.ESCALATE:
        context["escalate_notes"] = _escalate_notes(facts)
    if facts and facts["outcome"] == FlowRun.Outcome.RESOLVED:
        context["resolution"] = _resolution(facts)
    context["show_picker"] = can_work and (idle or run.ended)
    if context["show_picker"]:
        published = scoped(Flow, user).filter(status=Flow.Status.PUBLISHED)
        context["suggested"] = selectors.suggestions(user, domain=session.problem_domain, text=session.problem_summary)
        context["published"] = published.order_by("title").only("id", "title")[:PICKER_MAX]
    if can_work:
        context["library"] = scoped(LibraryStep, user).filter(problem_domain=session.problem_domain)[:LIBRARY_SHOWN]
        # session_id too: a related manager sets each row's known `session` from it, and a deferred
        # session_id cost one query per step (80 queries per answer at 40 answered steps).
        if session_steps is None:
            session_steps = session.steps.order_by("order").only("id", "title", "session_id")
        context["session_steps"] = session_steps
    return context


def suggestion_context(request, data) -> dict:
    text = str(data.get("problem_summary", ""))[:2000]
    domain = data.get("problem_domain", "")
    domain = domain if domain in ProblemDomain.values else ""
    found = selectors.suggestions(request.user, domain=domain, text=text) if (text.strip() or domain) else []
    return {"suggested": found, "searched": bool(text.strip() or domain)}


def similar_context(request, data) -> dict:
    """Resolved sessions of the account most like the problem being typed (the new-session panel)."""
    text = str(data.get("problem_summary", ""))[:2000]
    domain = data.get("problem_domain", "")
    domain = domain if domain in ProblemDomain.values else ""
    found = similar.find(request.user.account_id, text, domain=domain) if text.strip() else []
    return {"similar": found, "searched": bool(text.strip())}
