"""Session pages: list, new, the session page and its htmx step/message/note actions."""

import contextlib

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import account_required, get_for_account, role_required, scoped
from accounts.models import ENGINEER_OR_ADMIN, Role, User
from flowpilot import hooks, search, selectors, services
from flowpilot import notes as ticket_notes
from flowpilot.activity import record_notes_export
from flowpilot.ai import AIError, get_provider
from flowpilot.forms import MessageForm, NoteForm, ResolveForm, ResultForm, SessionFilterForm, SessionForm, StepForm
from flowpilot.models import Session, Step
from flowpilot.psa import panels as psa_panels
from resolutionflow.domain import DomainError
from resolutionflow.htmx import first_form_error, refused

PAGE = "flowpilot/session_detail.html"
LIST_PAGE = "flowpilot/session_list.html"
PAGE_SIZE = 25


@require_GET
@account_required
@vary_on_headers("HX-Request")
def session_list(request):
    """The list with search and filters; an htmx request (typing in the box) gets only the results."""
    form = SessionFilterForm(request.GET)
    context = _list_context(request, form)
    partial = request.htmx and not request.htmx.history_restore_request
    if partial:
        html = render_to_string(f"{LIST_PAGE}#results", context, request=request)
        html += render_to_string(f"{LIST_PAGE}#results_status", {**context, "oob": True}, request=request)
        return HttpResponse(html)
    return render(request, LIST_PAGE, context, status=200 if form.is_valid() else 400)


# Roles that do the troubleshooting: their list starts on their own sessions.
WORKING_ROLES = frozenset({Role.ADMIN, Role.ENGINEER})


def _list_context(request, form: SessionFilterForm) -> dict:
    user = request.user
    members = scoped(User, user).filter(is_active=True).order_by("name", "email")
    context = {"form": form, "members": members, "page": None, "rows": [], "error": ""}
    if not form.is_valid():
        return {**context, "scope": form.data.get("scope", ""), "error": first_form_error(form)}
    filters = form.cleaned_data
    # Techs start on their own work; owners and viewers read the whole account.
    filters["scope"] = filters["scope"] or ("mine" if user.account_role in WORKING_ROLES else "all")
    page = Paginator(selectors.sessions_for(user, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    elsewhere = 0
    if filters["q"].strip() and filters["scope"] != "all" and not page.paginator.count:
        # "Have we seen this before?" is a team question: an empty search of my sessions says what the account has.
        elsewhere = Paginator(selectors.sessions_for(user, **{**filters, "scope": "all"}), PAGE_SIZE).count
    snippets = search.snippets([s.pk for s in page], filters["q"])
    rows = [(s, snippets.get(s.pk)) for s in page]
    # A broad search ranks its newest matches only (flowpilot.search.RANKED_MATCHES); the page says so.
    newest_only = search.RANKED_MATCHES if getattr(page.paginator.object_list, "capped", False) else 0
    return {
        **context,
        "scope": filters["scope"],
        "page": page,
        "rows": rows,
        "query": _list_query(request.GET),
        "newest_only": newest_only,
        "elsewhere": elsewhere,
        "all_query": _list_query(request.GET, scope="all"),
    }


def _list_query(params, **changes) -> str:
    """The list's query string without its page (the pager adds one), with `changes` applied."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@require_http_methods(["GET", "POST"])
@role_required(ENGINEER_OR_ADMIN)
def session_new(request):
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.open_session(request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            # The copilot answers the problem right away; an AI error is recorded and shown inline.
            with contextlib.suppress(AIError):
                services.ask_copilot(session, request.user, session.problem_summary)
            return redirect("flowpilot:detail", session_id=session.pk)
    status = 400 if request.method == "POST" else 200
    panels = hooks.new_session_panels(request, form)
    # The copilot call is bounded by its timeout per attempt (AI_TIMEOUT_S, AI_MAX_RETRIES).
    bound_s = int(settings.AI_TIMEOUT_S * (1 + settings.AI_MAX_RETRIES))
    context = {"form": form, "panels": panels, "copilot_bound_s": bound_s}
    return render(request, "flowpilot/session_new.html", context, status=status)


def session_steps(session: Session):
    """The steps as the page lists them (each with its author)."""
    return session.steps.select_related("created_by").order_by("order")


def _context(request, session: Session, *, slots: bool = True, **extra) -> dict:
    context = {
        "session": session,
        "steps": session_steps(session),
        "conversation": selectors.conversation(session),
        "notes": selectors.notes(session),
        "timeline": selectors.timeline(session),
        "can_work": selectors.can_work(request.user, session),
        "provider": get_provider(),
        "ticket_notes_md": ticket_notes.render_ticket_notes(session, "md"),
        "step_statuses": services.RESULT_STATUSES,
        # Only the whole page prints the slots: no partial holds one, so fragments skip the apps' hooks.
        "slots": _page_slots(request, session) if slots else {},
    }
    context.update(extra)
    return context


@require_GET
@account_required
def session_detail(request, session_id):
    session = get_for_account(Session.objects.select_related("owner", "assignee"), request.user, pk=session_id)
    psa = psa_panels.session_context(request, session)
    return render(request, PAGE, _context(request, session, resolve_form=ResolveForm(), psa=psa))


def _page_slots(request, session: Session) -> dict[str, list[str]]:
    """What the apps above contributed to the page (flowpilot.hooks.session_page), by slot."""
    slots: dict[str, list[str]] = {}
    for contribution in hooks.session_page(request, session):
        for slot, html in contribution.items():
            if html:
                slots.setdefault(slot, []).append(html)
    return slots


def _fragments(request, session: Session, main: str, oob: tuple[str, ...], **extra) -> HttpResponse:
    """The main partial plus out-of-band refreshes (timeline, ticket notes) from the same template."""
    context = _context(request, session, slots=False, **extra)
    return _render_with_oob(request, f"{PAGE}#{main}", context, (*oob, "timeline", "ticket_notes"))


def _render_with_oob(request, main: str, context: dict, oob: tuple[str, ...]) -> HttpResponse:
    """`main` then the page's `oob` partials marked out of band, in one template render, so the context
    processors (the nav counts) run once, not once per fragment."""
    context = {**context, "main": main, "oob_parts": [f"{PAGE}#{name}" for name in oob]}
    return HttpResponse(render_to_string("flowpilot/_with_oob.html", context, request=request))


# What each out-of-band fragment of the page reads, so a response builds only the fragments it swaps.
# Querysets stay lazy; `known` values a caller already holds replace them.
_FRAGMENT_DATA = {
    "steps": lambda session: {"steps": session_steps(session), "step_statuses": services.RESULT_STATUSES},
    "notes": lambda session: {"notes": selectors.notes(session)},
    "timeline": lambda session: {"timeline": selectors.timeline(session)},
    "ticket_notes": lambda session: {"ticket_notes_md": ticket_notes.render_ticket_notes(session, "md")},
}


def oob_context(request, session: Session, names: tuple[str, ...], **known) -> dict:
    """Only what the named page fragments read: no slots (the apps' page contributions), no other fragment."""
    context = {"session": session, "can_work": selectors.can_work(request.user, session)}
    for name in names:
        context.update({key: value for key, value in _FRAGMENT_DATA[name](session).items() if key not in known})
    return {**context, **known}


def with_oob(request, session: Session, main: str, main_context: dict, oob: tuple[str, ...], **known) -> HttpResponse:
    """An app's fragment (`main`, a template) followed by the page's `oob` fragments swapped out of band."""
    return _render_with_oob(request, main, {**oob_context(request, session, oob, **known), **main_context}, oob)


def _refused(request, session: Session, message: str, status: int = 400) -> HttpResponse:
    return refused(request, message, status, "flowpilot:detail", session_id=session.pk)


def _done(request, session: Session, main: str, oob: tuple[str, ...] = (), **extra) -> HttpResponse:
    if request.htmx:
        return _fragments(request, session, main, oob, **extra)
    return redirect("flowpilot:detail", session_id=session.pk)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def post_message(request, session_id):
    session = get_for_account(Session, request.user, pk=session_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, first_form_error(form))
    try:
        services.ask_copilot(session, request.user, form.cleaned_data["text"])
    except AIError as exc:
        if not request.htmx:
            messages.error(request, f"The copilot could not answer: {exc.message} Your message was kept.")
            return redirect("flowpilot:detail", session_id=session.pk)
        response = _fragments(request, session, "conversation", ("steps",), ai_error=exc.message)
        response["X-RF-AI-Error"] = exc.kind
        return response
    except DomainError as exc:
        return _refused(request, session, exc.message, exc.status_code)
    return _done(request, session, "conversation", ("steps",))


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def add_step(request, session_id):
    session = get_for_account(Session, request.user, pk=session_id)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, first_form_error(form))
    try:
        services.add_step(session, request.user, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, session, exc.message, exc.status_code)
    return _done(request, session, "steps")


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def record_result(request, session_id, step_id):
    session = get_for_account(Session, request.user, pk=session_id)
    step = get_for_account(Step.objects.filter(session=session), request.user, pk=step_id)
    form = ResultForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, first_form_error(form))
    data = form.cleaned_data
    try:
        step = services.record_result(
            step,
            request.user,
            status=data["status"] or None,
            result_note=data["result_note"],
            # The output box starts empty; leaving it empty keeps what was pasted before.
            output=data["output"] or None,
            is_dead_end=data["is_dead_end"],
        )
    except DomainError as exc:
        return _refused(request, session, exc.message, exc.status_code)
    return _done(request, session, "step", step=step)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def add_note(request, session_id):
    session = get_for_account(Session, request.user, pk=session_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, first_form_error(form))
    try:
        services.add_note(session, request.user, form.cleaned_data["text"])
    except DomainError as exc:
        return _refused(request, session, exc.message, exc.status_code)
    return _done(request, session, "notes")


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def resolve(request, session_id):
    session = get_for_account(Session, request.user, pk=session_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, first_form_error(form))
    try:
        services.resolve(session, request.user, form.cleaned_data["resolution_summary"])
    except DomainError as exc:
        return _refused(request, session, exc.message, exc.status_code)
    messages.success(request, "Session resolved. Ticket notes are ready to copy or download.")
    url = reverse("flowpilot:detail", kwargs={"session_id": session.pk})
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_GET
@account_required
def download_notes(request, session_id):
    session = get_for_account(Session, request.user, pk=session_id)
    fmt = request.GET.get("format", "md")
    if fmt not in ticket_notes.FORMATS:
        return HttpResponse("format must be md, txt or html", status=400, content_type="text/plain")
    body = ticket_notes.render_ticket_notes(session, fmt)
    record_notes_export(session, request.user, "download", fmt)
    response = HttpResponse(body, content_type=f"{ticket_notes.CONTENT_TYPES[fmt]}; charset=utf-8")
    name = session.ticket_ref or str(session.pk)[:8]
    response["Content-Disposition"] = f'attachment; filename="ticket-notes-{slug(name)}.{fmt}"'
    return response


@require_POST
@account_required
def notes_copied(request, session_id):
    """The Copy button's ping: the notes went to the clipboard (logged for the time-saved report)."""
    session = get_for_account(Session, request.user, pk=session_id)
    record_notes_export(session, request.user, "copy")
    return HttpResponse(status=204)


def slug(value: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in value)[:64] or "session"
