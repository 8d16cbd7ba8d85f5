"""The review queue of the knowledge loop: /flows/proposals/ (owner/admin)."""

import json
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_for_account, has_role, role_required, scoped
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN
from flows import diagram, editing, proposals, selectors
from flows import graph as graphs
from flows.forms import NodeForm
from flows.models import Flow, FlowProposal
from resolutionflow.domain import DomainError
from resolutionflow.htmx import first_form_error, refusal

PAGE = "flows/proposals.html"
REVIEW = "flows/proposal.html"
PAGE_SIZE = 25
GRAPH_TEXT_MAX = 200_000


def _proposal(request, proposal_id) -> FlowProposal:
    return get_for_account(
        FlowProposal.objects.select_related("flow", "draft", "reviewer"), request.user, pk=proposal_id
    )


@require_GET
@role_required(ADMIN_OR_OWNER)
def proposal_list(request):
    wanted = request.GET.get("status") or FlowProposal.Status.PENDING
    wanted = wanted if wanted in FlowProposal.Status.values else FlowProposal.Status.PENDING
    qs = scoped(FlowProposal, request.user).filter(status=wanted).select_related("flow")
    page = Paginator(qs.prefetch_related("sources"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, PAGE, {"page": page, "status": wanted, "statuses": FlowProposal.Status.choices})


def _review_context(request, proposal: FlowProposal, graph_text: str | None = None, errors=None) -> dict:
    shown = proposal.graph
    errors = errors if errors is not None else proposals.problems(proposal)
    by_node: dict[str, list[str]] = {}
    for error in errors:
        by_node.setdefault(error.node or "", []).append(error.message)
    nodes = shown.get("nodes", []) if isinstance(shown, dict) else []
    return {
        "proposal": proposal,
        "diagram": diagram.layout(shown),
        "graph_text": graph_text if graph_text is not None else json.dumps(shown, indent=2, ensure_ascii=False),
        "errors": errors,
        "json_open": graph_text is not None,  # a JSON edit comes back open, the reviewer's text in it
        # One form per node, as in the flow editor, each with the validator's problems for that node.
        "nodes": [{**node, "problems": by_node.get(node.get("key"), [])} for node in nodes],
        "node_keys": [node.get("key") for node in nodes],
        "linkable": scoped(Flow, request.user)
        .filter(status=Flow.Status.PUBLISHED)
        .exclude(pk=proposal.flow_id)
        .only("id", "title"),
        "evidence": selectors.proposal_evidence(proposal),
        "pending": proposal.status == FlowProposal.Status.PENDING,
    }


@require_GET
@role_required(ADMIN_OR_OWNER)
def proposal_detail(request, proposal_id):
    return render(request, REVIEW, _review_context(request, _proposal(request, proposal_id)))


def _parsed(text: str):
    if len(text) > GRAPH_TEXT_MAX:
        raise graphs.InvalidGraph([graphs.GraphError(None, "the graph is too large")])
    try:
        return json.loads(text)
    except ValueError as exc:
        raise graphs.InvalidGraph([graphs.GraphError(None, f"not valid JSON: {exc}")]) from exc


@require_POST
@role_required(ADMIN_OR_OWNER)
def proposal_graph(request, proposal_id):
    """Save the edited graph (kept even with problems) and answer the review panel with inline validation."""
    proposal = _proposal(request, proposal_id)
    text = request.POST.get("graph", "")
    try:
        errors = proposals.update_graph(proposal, request.user, _parsed(text))
    except graphs.InvalidGraph as exc:
        errors = exc.errors
    except DomainError as exc:
        return _refused(request, proposal, exc)
    context = _review_context(request, proposal, graph_text=text, errors=errors)
    # 200 even with problems: the edit was saved and htmx swaps only 2xx answers by default.
    return render(request, f"{REVIEW}#review" if request.htmx else REVIEW, context)


@require_POST
@role_required(ADMIN_OR_OWNER)
def proposal_node(request, proposal_id, key):
    """Save one node's form (the flow editor's fields) into the proposal and redraw the review panel.

    A refused form answers 400 and htmx leaves the reviewer's typing in place; an edit that breaks the
    graph is saved and shown with the validator's problems beside the node."""
    proposal = _proposal(request, proposal_id)
    form = NodeForm(request.POST)
    try:
        if not form.is_valid():
            raise graphs.InvalidGraph([graphs.GraphError(key, first_form_error(form))])
        edited = editing.update_node(proposal.graph, key, editing.node_fields(form.cleaned_data, request.POST))
        errors = proposals.update_graph(proposal, request.user, edited)
    except graphs.InvalidGraph as exc:
        if request.htmx:
            return refusal(f"{key}: {exc.errors[0].message}", 400)
        return render(request, REVIEW, _review_context(request, proposal, errors=exc.errors), status=400)
    except DomainError as exc:
        return refusal(exc.message, exc.status_code) if request.htmx else _refused(request, proposal, exc)
    return render(
        request, f"{REVIEW}#review" if request.htmx else REVIEW, _review_context(request, proposal, errors=errors)
    )


def _refused(request, proposal, exc: DomainError):
    if exc.status_code == 403:
        raise PermissionDenied(exc.message) from exc
    messages.error(request, exc.message)
    return redirect("flows:proposal", proposal_id=proposal.pk)


@require_POST
@role_required(ADMIN_OR_OWNER)
def proposal_accept(request, proposal_id):
    proposal = _proposal(request, proposal_id)
    try:
        draft = proposals.accept(proposal, request.user)
    except graphs.InvalidGraph as exc:
        messages.error(request, f"Not accepted: {len(exc.errors)} problem(s) to fix first. {exc.errors[0].message}")
        return redirect("flows:proposal", proposal_id=proposal.pk)
    except DomainError as exc:
        return _refused(request, proposal, exc)
    messages.success(request, "Accepted: a draft for you to review and publish.")
    return redirect("flows:edit", flow_id=draft.pk)


@require_POST
@role_required(ADMIN_OR_OWNER)
def proposal_reject(request, proposal_id):
    proposal = _proposal(request, proposal_id)
    try:
        proposals.reject(proposal, request.user, request.POST.get("reason", ""))
    except DomainError as exc:
        return _refused(request, proposal, exc)
    messages.success(request, "Rejected. The reason is kept with the proposal.")
    return redirect("flows:proposals")


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def draft_from_gap(request):
    """A knowledge gap's "draft a flow from these sessions" (linked from /analytics/flows/)."""
    try:
        made = proposals.draft_from_sessions(request.user, _uuids(request.POST.getlist("session")))
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("flows:list")
    if isinstance(made, FlowProposal):
        if not has_role(request.user, ADMIN_OR_OWNER):
            messages.success(request, "Proposed: an owner or admin reviews it in the proposal queue.")
            return redirect("flows:list")
        return redirect("flows:proposal", proposal_id=made.pk)
    messages.success(request, "Drafted from these sessions' problems: review it before publishing.")
    return redirect("flows:edit", flow_id=made.pk)


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found = []
    for value in values[: proposals.GAP_SESSIONS_MAX]:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found
