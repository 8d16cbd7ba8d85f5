"""The flow library, a flow's read-only page and the editor (thin: services and editing do the work)."""

import hashlib
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import account_required, get_for_account, has_role, role_required, scoped
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN
from flows import builder, diagram, editing, library, selectors, services
from flows import graph as graphs
from flows.forms import FlowFilterForm, FlowForm, GenerateForm, ImportForm, NodeAddForm, NodeForm
from flows.models import Flow, FlowVersion, LibraryStep
from resolutionflow.domain import DomainError
from resolutionflow.htmx import first_form_error, refusal

PAGE_SIZE = 25
EDIT_PAGE = "flows/edit.html"
LIBRARY_PICKER_MAX = 200


def _flow(request, flow_id) -> Flow:
    return get_for_account(Flow, request.user, pk=flow_id)


@require_GET
@account_required
def flow_list(request):
    form = FlowFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    given = {k: v for k, v in filters.items() if v}
    page = selectors.library_page(request.user, request.GET.get("page"), per_page=PAGE_SIZE, **given)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": any(filters.values()) if filters else False,
        "can_work": request.user.is_engineer_or_admin,
        "new_form": FlowForm(),
        "generate_form": GenerateForm(),
        "import_form": ImportForm(),
    }
    return render(request, "flows/library.html", context)


def _library_refusal(request, message: str):
    messages.error(request, message)
    return redirect("flows:list")


def _new_draft(request, form, make, done: str = ""):
    """Validate the library's form, make a draft with it and open the editor (or go back with the reason)."""
    if not form.is_valid():
        return _library_refusal(request, first_form_error(form))
    try:
        flow = make(request.user, form.cleaned_data)
    except DomainError as exc:
        return _library_refusal(request, exc.message)
    if done:
        messages.success(request, done)
    return redirect("flows:edit", flow_id=flow.pk)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def flow_create(request):
    return _new_draft(request, FlowForm(request.POST), lambda user, data: services.create_flow(user, **data))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def flow_generate(request):
    make = lambda user, data: builder.generate(user, **data)  # noqa: E731
    return _new_draft(request, GenerateForm(request.POST), make, "Draft built. Review every node before publishing.")


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def flow_import(request):
    make = lambda user, data: services.import_flow(user, data["document"])  # noqa: E731
    return _new_draft(request, ImportForm(request.POST, request.FILES), make, "Imported as a draft.")


def _versions(flow: Flow) -> tuple[list[dict], list[str]]:
    """Each published version with what changed from the one before."""
    versions = list(FlowVersion.objects.filter(flow=flow).select_related("published_by").order_by("number"))
    history, previous = [], {"nodes": []}
    for version in versions:
        history.append({"version": version, "changes": graphs.diff(previous, version.graph)})
        previous = version.graph
    history.reverse()
    draft_changes = graphs.diff(previous, graphs.normalize(flow.graph)) if versions else []
    return history, draft_changes


def _flow_context(request, flow: Flow, **extra) -> dict:
    user = request.user
    history, draft_changes = _versions(flow)
    problems = services.validate_errors(flow)
    by_node: dict[str, list[str]] = {}
    for problem in problems:
        by_node.setdefault(problem.node or "", []).append(problem.message)
    return {
        "flow": flow,
        "diagram": diagram.layout(flow.graph),
        "problems": problems,
        "nodes": [{**node, "problems": by_node.get(node.get("key"), [])} for node in flow.graph.get("nodes", [])],
        "linkable": scoped(Flow, user).filter(status=Flow.Status.PUBLISHED).exclude(pk=flow.pk).only("id", "title"),
        "history": history,
        "draft_changes": draft_changes,
        "can_edit": has_role(user, ENGINEER_OR_ADMIN) and flow.status != Flow.Status.ARCHIVED,
        "can_publish": has_role(user, ADMIN_OR_OWNER) and flow.status != Flow.Status.ARCHIVED,
        "node_keys": [n["key"] for n in flow.graph.get("nodes", [])],
        "library_steps": scoped(LibraryStep, user).only("id", "title")[:LIBRARY_PICKER_MAX],
        # Changes whenever the draft does: lets scripts and tests see that a redraw has landed.
        "graph_hash": hashlib.sha256(json.dumps(flow.graph, sort_keys=True).encode()).hexdigest()[:12],
        **extra,
    }


@require_GET
@account_required
def flow_detail(request, flow_id):
    return render(request, "flows/detail.html", _flow_context(request, _flow(request, flow_id)))


@require_GET
@role_required(ENGINEER_OR_ADMIN)
def flow_edit(request, flow_id):
    flow = _flow(request, flow_id)
    context = _flow_context(request, flow, details_form=FlowForm(initial=_details(flow)), add_form=NodeAddForm())
    return render(request, EDIT_PAGE, context)


def _details(flow: Flow) -> dict:
    return {
        **{f: getattr(flow, f) for f in ("title", "kind", "problem_domain", "description")},
        "tags": ", ".join(flow.tags),
    }


def _workspace(request, flow: Flow, status: int = 200) -> HttpResponse:
    if not request.htmx:
        return redirect("flows:edit", flow_id=flow.pk)
    return render(request, f"{EDIT_PAGE}#workspace", _flow_context(request, flow), status=status)


def _edit(request, flow_id, change):
    """Apply one editing operation to the draft and answer with the redrawn workspace."""
    flow = _flow(request, flow_id)
    try:
        services.replace_graph(flow, request.user, change(flow.graph), strict=False)
    except DomainError as exc:
        if request.htmx:
            return refusal(exc.message, exc.status_code)
        messages.error(request, exc.message)
    return _workspace(request, flow)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def node_add(request, flow_id):
    form = NodeAddForm(request.POST)
    if not form.is_valid():
        return refusal(first_form_error(form), 400)
    return _edit(request, flow_id, lambda g: editing.add_node(g, **form.cleaned_data))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def node_save(request, flow_id, key):
    form = NodeForm(request.POST)
    if not form.is_valid():
        return refusal(first_form_error(form), 400)
    fields = editing.node_fields(form.cleaned_data, request.POST)
    return _edit(request, flow_id, lambda g: editing.update_node(g, key, fields))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def node_from_library(request, flow_id, key):
    """Fill an action node from the step library (counts as a use of the library step)."""
    flow = _flow(request, flow_id)
    entry = get_for_account(LibraryStep, request.user, pk=request.POST.get("entry", ""))
    try:
        library.insert_into_node(entry, flow, key, request.user)
    except DomainError as exc:
        return refusal(exc.message, exc.status_code) if request.htmx else _library_refusal(request, exc.message)
    return _workspace(request, flow)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def node_to_library(request, flow_id, key):
    flow = _flow(request, flow_id)
    try:
        entry = library.save_node_step(flow, key, request.user)
    except DomainError as exc:
        return refusal(exc.message, exc.status_code) if request.htmx else _library_refusal(request, exc.message)
    if request.htmx:
        return HttpResponse(
            status=204,
            headers={"HX-Trigger": json.dumps({"toast": {"message": f"Saved “{entry.title}” to the step library."}})},
        )
    messages.success(request, f"Saved “{entry.title}” to the step library.")
    return redirect("flows:edit", flow_id=flow.pk)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def node_delete(request, flow_id, key):
    return _edit(request, flow_id, lambda g: editing.delete_node(g, key))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def node_move(request, flow_id, key):
    direction = "up" if request.POST.get("direction") == "up" else "down"
    return _edit(request, flow_id, lambda g: editing.move_node(g, key, direction))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def answer_move(request, flow_id, key, index):
    direction = "up" if request.POST.get("direction") == "up" else "down"
    return _edit(request, flow_id, lambda g: editing.move_answer(g, key, index, direction))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def node_start(request, flow_id, key):
    return _edit(request, flow_id, lambda g: editing.set_start(g, key))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def details_save(request, flow_id):
    flow = _flow(request, flow_id)
    form = FlowForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_form_error(form))
        return redirect("flows:edit", flow_id=flow.pk)
    fields = {k: v for k, v in form.cleaned_data.items() if k != "kind"}
    try:
        services.update_details(flow, request.user, **fields)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("flows:edit", flow_id=flow.pk)


def _lifecycle(request, flow_id, operation, done: str, to_new: bool = False):
    flow = _flow(request, flow_id)
    try:
        result = operation(flow, request.user)
    except graphs.InvalidGraph as exc:
        messages.error(request, f"Not published: {len(exc.errors)} problem(s) to fix first. {exc.errors[0].message}")
        return redirect("flows:edit", flow_id=flow.pk)
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("flows:edit", flow_id=flow.pk)
    messages.success(request, done.format(result=result))
    return redirect("flows:edit", flow_id=result.pk if to_new else flow.pk)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def publish(request, flow_id):
    return _lifecycle(request, flow_id, services.publish, "Published as version {result.number}.")


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def archive(request, flow_id):
    return _lifecycle(request, flow_id, services.archive, "Archived. Runs already started keep their version.")


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def duplicate(request, flow_id):
    return _lifecycle(request, flow_id, services.duplicate, "Duplicated as a new draft.", to_new=True)


@require_GET
@account_required
def export(request, flow_id):
    flow = _flow(request, flow_id)
    body = json.dumps(services.export(flow), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    slug = "".join(c if c.isalnum() else "-" for c in flow.title.lower())[:60].strip("-") or "flow"
    response["Content-Disposition"] = f'attachment; filename="flow-{slug}.json"'
    return response
