"""The step library: save a step (title, detail, command), insert it into a session or an action node, rate it."""

from django.db import transaction
from django.db.models import Count, F, Q

from accounts.models import User
from flowpilot import services as session_services
from flowpilot.models import ProblemDomain, Session, Step
from flows import editing
from flows.models import Flow, LibraryStep, LibraryStepVote
from flows.services import replace_graph, require_engineer
from resolutionflow.domain import InvalidOperation


def save_step(user: User, *, title: str, detail: str = "", command: str = "", problem_domain: str = "") -> LibraryStep:
    """A new library step of the user's account."""
    require_engineer(user)
    title = title.strip()
    if not title:
        raise InvalidOperation("a library step needs a title")
    domain = problem_domain if problem_domain in ProblemDomain.values else ProblemDomain.OTHER
    return LibraryStep.objects.create(
        account_id=user.account_id,
        title=title[:200],
        detail=detail.strip(),
        command=command.strip(),
        problem_domain=domain,
        created_by=user,
    )


def save_session_step(step: Step, user: User) -> LibraryStep:
    """Keep a step that worked in a session for the next tech."""
    session = step.session
    return save_step(
        user, title=step.title, detail=step.detail, command=step.command, problem_domain=session.problem_domain
    )


def save_node_step(flow: Flow, node_key: str, user: User) -> LibraryStep:
    """Keep an action node of a flow (its text, expected result and command) as a library step."""
    node = next((n for n in flow.graph.get("nodes", []) if n.get("key") == node_key), None)
    if node is None or node.get("type") != "action":
        raise InvalidOperation("only action nodes can be saved as library steps")
    detail = f"Expect: {node['expect']}" if node.get("expect") else ""
    return save_step(
        user,
        title=node.get("text", ""),
        detail=detail,
        command=node.get("command", ""),
        problem_domain=flow.problem_domain,
    )


def _used(entry: LibraryStep) -> None:
    LibraryStep.objects.filter(pk=entry.pk).update(usage_count=F("usage_count") + 1)


def insert_into_session(entry: LibraryStep, session: Session, user: User) -> Step:
    """Add the library step to a session's checklist (a tech step) and count the use."""
    if entry.account_id != session.account_id:
        raise InvalidOperation("library step belongs to another account")
    with transaction.atomic():
        step = session_services.add_step(session, user, title=entry.title, detail=entry.detail, command=entry.command)
        _used(entry)
    return step


def insert_into_node(entry: LibraryStep, flow: Flow, node_key: str, user: User) -> Flow:
    """Fill an action node of the draft with the library step's text and command."""
    if entry.account_id != flow.account_id:
        raise InvalidOperation("library step belongs to another account")
    node = next((n for n in flow.graph.get("nodes", []) if n.get("key") == node_key), None)
    if node is None or node.get("type") != "action":
        raise InvalidOperation("library steps go into action nodes")
    fields = {"text": entry.title, "command": entry.command, "expect": node.get("expect", "")}
    with transaction.atomic():
        flow = replace_graph(flow, user, editing.update_node(flow.graph, node_key, fields), strict=False)
        _used(entry)
    return flow


def vote(entry: LibraryStep, user: User, *, up: bool) -> LibraryStep:
    """One thumbs up or down per person; voting again replaces the earlier vote."""
    require_engineer(user)
    if entry.account_id != user.account_id:
        raise InvalidOperation("library step belongs to another account")
    with transaction.atomic():
        LibraryStepVote.objects.update_or_create(step=entry, user=user, defaults={"up": up})
        counts = entry.votes.aggregate(n_up=Count("pk", filter=Q(up=True)), n_down=Count("pk", filter=Q(up=False)))
        LibraryStep.objects.filter(pk=entry.pk).update(thumbs_up=counts["n_up"], thumbs_down=counts["n_down"])
    entry.refresh_from_db()
    return entry
