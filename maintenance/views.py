"""Run pages (thin: look up through accounts.access, validate a form, call services, render partials)."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from accounts.access import account_required, get_for_account, has_role, role_required
from accounts.models import ENGINEER_OR_ADMIN
from flowpilot.psa import services as psa
from flowpilot.psa.models import PsaPush
from maintenance import broadcast, notes, selectors, services
from maintenance.cells import render_rows
from maintenance.forms import ItemForm, RunForm
from maintenance.models import Run, RunItem, RunTarget
from resolutionflow.domain import DomainError
from resolutionflow.htmx import first_form_error, refusal, toast

RUN_PAGE = "maintenance/run.html"
T = TypeVar("T")
TARGET_PAGE = "maintenance/target.html"


def _run(request, run_id) -> Run:
    return get_for_account(Run.objects.select_related("version", "flow", "assignee"), request.user, pk=run_id)


def _target(run: Run, target_id) -> RunTarget:
    target = RunTarget.objects.select_related("run__version").filter(run=run, pk=target_id).first()
    if target is None:
        raise Http404("Not found.")
    return target


@require_GET
@account_required
def run_list(request):
    return render(request, "maintenance/list.html", _list_context(request, RunForm(user=request.user)))


def _list_context(request, form) -> dict:
    return {
        "runs": selectors.runs_for(request.user)[:100],
        "schedule_count": selectors.active_schedule_count(request.user),
        "form": form,
        "can_work": has_role(request.user, ENGINEER_OR_ADMIN),
        "now": timezone.now(),
    }


def submit_form(request, form, create: Callable[[dict], T]) -> T | None:
    """`create(cleaned_data)` (a service call) for a valid form; None, the reason on the form and in a toast, if not."""
    if form.is_valid():
        try:
            return create(form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
    messages.error(request, first_form_error(form))
    return None


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def run_create(request):
    form = RunForm(request.POST, user=request.user)
    run = submit_form(
        request,
        form,
        lambda data: services.create_run(
            request.user,
            flow_id=data["flow"].pk,
            title=data["title"],
            targets=services.parse_target_lines(data["targets"]),
            assignee=data["assignee"],
            due_at=data["due_at"],
        ),
    )
    if run is None:
        return render(request, "maintenance/list.html", _list_context(request, form), status=400)
    messages.success(request, f"Run “{run.title}” created.")
    return redirect("maintenance:detail", run_id=run.pk)


def _grid_context(request, run: Run) -> dict:
    return {
        "run": run,
        # Read before the grid: a change after this instant is newer than what the page shows.
        "rendered_at": timezone.now().isoformat(),
        "columns": selectors.columns(run),
        "rows": render_rows(run.pk, selectors.grid(run)),
        "progress": selectors.progress(run),
        "overdue": run.is_overdue(),
        "can_work": has_role(request.user, ENGINEER_OR_ADMIN),
    }


@require_GET
@account_required
def run_detail(request, run_id):
    return render(request, RUN_PAGE, _grid_context(request, _run(request, run_id)))


@require_GET
@account_required
def run_grid(request, run_id):
    """The grid alone: re-fetched by the page when its socket (re)connects.

    With `?since=<the grid's rendered_at>` it answers 204 (htmx swaps nothing) unless an item changed
    since, so the first connect closes the render-to-subscribe gap without resending a 2 MB grid.
    """
    run = _run(request, run_id)
    since = _parse_since(request.GET.get("since", ""))
    if since is not None and not RunItem.objects.filter(run=run, changed_at__gt=since).exists():
        return HttpResponse(status=204)
    return render(request, f"{RUN_PAGE}#grid", _grid_context(request, run))


def _parse_since(value: str):
    """An ISO timestamp with its zone, or None (missing or malformed: the caller sends the whole grid)."""
    try:
        since = parse_datetime(value)
    except ValueError:
        return None
    return since if since is not None and since.tzinfo is not None else None


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def cell_tick(request, run_id, row, col):
    """A grid cell (target row, step column) toggled: pending <-> done."""
    run = _run(request, run_id)
    item = RunItem.objects.filter(run=run, target__position=row, position=col).first()
    if item is None:
        raise Http404("Not found.")
    item = services.toggle_item(item, request.user)
    # The same out-of-band fragment the watchers get; the button swaps itself in place.
    return HttpResponse(broadcast.render_update(run, [item.pk]))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def bulk_done(request, run_id, node_key):
    run = _run(request, run_id)
    if node_key not in {c["key"] for c in selectors.columns(run)}:
        raise Http404("Not found.")
    changed = services.bulk_done(run, request.user, node_key)
    ids = list(RunItem.objects.filter(run=run, node_key=node_key).values_list("pk", flat=True))
    response = HttpResponse(broadcast.render_update(run, ids))
    return toast(response, f"Marked done on {changed} target{'s' if changed != 1 else ''}.")


@require_GET
@account_required
def run_summary(request, run_id):
    run = _run(request, run_id)
    return render(request, "maintenance/summary.html", {"run": run, "targets": notes.run_summary(run)})


def _target_context(request, run: Run, target: RunTarget, **extra) -> dict:
    return {
        "run": run,
        "target": target,
        "facts": notes.target_facts(target),
        "items": notes.target_items(target),
        "note_text": notes.render_target_notes(target),
        "can_work": has_role(request.user, ENGINEER_OR_ADMIN),
        "connected": psa.connection_for(run.account_id) is not None,
        "member": psa.member_for(request.user),
        "pushes": PsaPush.objects.filter(
            account_id=run.account_id, kind=PsaPush.Kind.RUN_TARGET, subject_id=target.pk
        ).select_related("requested_by")[:10],
        **extra,
    }


@require_GET
@account_required
def target_detail(request, run_id, target_id):
    run = _run(request, run_id)
    return render(request, TARGET_PAGE, _target_context(request, run, _target(run, target_id)))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def item_save(request, run_id, target_id, item_id):
    run = _run(request, run_id)
    target = _target(run, target_id)
    item = RunItem.objects.filter(target=target, pk=item_id).first()
    if item is None:
        raise Http404("Not found.")
    form = ItemForm(request.POST)
    if not form.is_valid():
        return refusal(first_form_error(form), 400)
    services.set_item(item, request.user, **form.cleaned_data)
    messages.success(request, "Saved.")
    return redirect("maintenance:target", run_id=run.pk, target_id=target.pk)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def target_push(request, run_id, target_id):
    run = _run(request, run_id)
    target = _target(run, target_id)
    try:
        services.push_target_notes(target, request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Notes queued for ConnectWise ticket {target.ticket_ref}.")
    return redirect("maintenance:target", run_id=run.pk, target_id=target.pk)
