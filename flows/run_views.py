"""The runner in the session page, suggestions on the new-session page, and the step library."""

import contextlib

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import account_required, get_for_account, role_required, scoped
from accounts.models import ENGINEER_OR_ADMIN
from flowpilot import services as session_services
from flowpilot import views as session_views
from flowpilot.ai import AIError
from flowpilot.forms import SessionForm
from flowpilot.models import Session, Step
from flows import library, runner
from flows.forms import AnswerForm, LibraryStepForm
from flows.models import Flow, FlowRun, LibraryStep
from flows.panels import runner_context, similar_context, suggestion_context
from resolutionflow.domain import DomainError, InvalidOperation
from resolutionflow.htmx import first_form_error, refusal, refused


def _session(request, session_id) -> Session:
    return get_for_account(Session.objects.select_related("owner", "assignee"), request.user, pk=session_id)


def _panel(request, session: Session, run: FlowRun | None = None) -> HttpResponse:
    """The runner panel, plus the session page's steps, timeline and ticket notes out of band.

    Built for what it swaps only (not the whole session page), around the run just written.
    """
    if not request.htmx:
        return redirect(f"/sessions/{session.pk}/#flow-runner")
    session.refresh_from_db()
    if run is not None:
        runner.remember(session, run)  # the panel and the ticket notes' path read it: no lookup
    # One list of steps for the OOB list and the panel's "save a step" picker.
    steps = list(session_views.session_steps(session))
    # After an answer the new node's first control takes focus (htmx honours autofocus in swapped content).
    context = {**runner_context(request, session, session_steps=steps), "focus": True}
    oob = ("steps", "timeline", "ticket_notes")
    return session_views.with_oob(request, session, "flows/_runner.html", context, oob, steps=steps)


def _refused(request, session: Session, message: str, status: int = 400) -> HttpResponse:
    return refused(request, message, status, f"/sessions/{session.pk}/#flow-runner")


def _act(request, session: Session, operation, *args, **kwargs) -> HttpResponse:
    """Run one runner/library operation; answer with the redrawn panel or the refusal."""
    try:
        done = operation(*args, **kwargs)
    except DomainError as exc:
        return _refused(request, session, exc.message, exc.status_code)
    return _panel(request, session, done if isinstance(done, FlowRun) else None)


def _on_latest_run(operation, user, session: Session, **kwargs):
    run = runner.latest_run(session)
    if run is None:
        raise InvalidOperation("This session has not started a flow.")
    return operation(run, user, **kwargs)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def start(request, session_id):
    session = _session(request, session_id)
    flow = get_for_account(Flow, request.user, pk=request.POST.get("flow", ""))
    return _act(request, session, runner.start_run, session, request.user, flow)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def answer(request, session_id):
    session = _session(request, session_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, first_form_error(form))
    data = {**form.cleaned_data, "answer": form.cleaned_data["answer"] or None}
    data["status"] = data["status"] or None
    return _act(request, session, _on_latest_run, runner.answer, request.user, session, **data)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def back(request, session_id):
    session = _session(request, session_id)
    return _act(request, session, _on_latest_run, runner.back, request.user, session)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def leave(request, session_id):
    session = _session(request, session_id)
    return _act(request, session, _on_latest_run, runner.leave, request.user, session)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def run_new(request, flow_id):
    """The new-session form submitted through a suggestion: open the session and start the flow."""
    flow = get_for_account(Flow, request.user, pk=flow_id)
    form = SessionForm(request.POST)
    if not form.is_valid():
        return render(request, "flowpilot/session_new.html", {"form": form}, status=400)
    try:
        # Both or neither: a flow that cannot start leaves no half-opened session behind.
        with transaction.atomic():
            session = session_services.open_session(request.user, **form.cleaned_data)
            runner.start_run(session, request.user, flow)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return render(request, "flowpilot/session_new.html", {"form": form}, status=400)
    with contextlib.suppress(AIError):
        session_services.ask_copilot(session, request.user, session.problem_summary)
    return redirect(f"/sessions/{session.pk}/#flow-runner")


@require_GET
@role_required(ENGINEER_OR_ADMIN)
def suggest(request):
    return render(request, "flows/_suggest.html#results", suggestion_context(request, request.GET))


@require_GET
@account_required
def similar(request):
    return render(request, "flows/_similar.html#results", similar_context(request, request.GET))


@require_http_methods(["GET", "POST"])
@account_required
def steps(request):
    """The account's step library; engineers add to it."""
    form = LibraryStepForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_engineer_or_admin:
            return refusal("engineer or admin role required", 403)
        if form.is_valid():
            library.save_step(request.user, **form.cleaned_data)
            messages.success(request, "Saved to the step library.")
            return redirect("flows:steps")
    entries = scoped(LibraryStep, request.user)
    context = {"entries": entries, "form": form, "can_work": request.user.is_engineer_or_admin}
    return render(request, "flows/steps.html", context, status=400 if form.errors else 200)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def vote(request, entry_id):
    entry = get_for_account(LibraryStep, request.user, pk=entry_id)
    entry = library.vote(entry, request.user, up=request.POST.get("vote") == "up")
    if request.htmx:
        return render(request, "flows/steps.html#entry", {"entry": entry, "can_work": True})
    return redirect("flows:steps")


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def save_from_session(request, session_id):
    session = _session(request, session_id)
    step = get_for_account(Step.objects.filter(session=session), request.user, pk=request.POST.get("step", ""))
    return _act(request, session, library.save_session_step, step, request.user)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def insert_into_session(request, session_id):
    session = _session(request, session_id)
    entry = get_for_account(LibraryStep, request.user, pk=request.POST.get("entry", ""))
    return _act(request, session, library.insert_into_session, entry, session, request.user)
