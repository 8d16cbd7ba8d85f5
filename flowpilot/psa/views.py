"""`/psa/`: save and test the connection, look up a ticket, push notes, refresh the push log."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import account_required, get_for_account, role_required
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN
from flowpilot.models import Session
from flowpilot.psa import panels, services
from flowpilot.psa.client import PsaError
from flowpilot.psa.forms import PsaConnectionForm, TicketLookupForm
from resolutionflow.domain import DomainError
from resolutionflow.htmx import toast

CONNECTION, PUSH = f"{panels.PANELS}#connection", f"{panels.PANELS}#push"
MEMBERS = f"{panels.PANELS}#members"
MEMBER_FIELD = "member-"
TEST_RESULT, TICKET_RESULT = f"{panels.PANELS}#test-result", f"{panels.PANELS}#ticket-result"


def _toast(response, message: str, kind: str = "success"):
    return toast(response, message, kind)


@require_POST
@role_required(ADMIN_OR_OWNER)
def save_connection(request):
    connection = services.connection_for(request.user.account_id)
    form = PsaConnectionForm(request.POST, keys_set=connection is not None)
    error = None
    if form.is_valid():
        try:
            services.save_connection(request.user.account, request.user, **form.cleaned_data)
        except DomainError as exc:
            error = exc.message
        else:
            if not request.htmx:
                messages.success(request, "ConnectWise connection saved.")
                return redirect("accounts:settings")
            context = {"psa": panels.connection_context(request, saved=True)}
            return _toast(render(request, CONNECTION, context), "ConnectWise connection saved.")
    # Re-render with errors (400); key fields are never echoed back.
    template = CONNECTION if request.htmx else "psa/connection_page.html"
    return render(request, template, {"psa": panels.connection_context(request, form=form, error=error)}, status=400)


@require_POST
@role_required(ADMIN_OR_OWNER)
def save_members(request):
    """The member mapping card's form: one `member-<user id>` field per user ("" clears it)."""
    mapping = {}
    for key, value in request.POST.items():
        if key.startswith(MEMBER_FIELD):
            try:
                mapping[uuid.UUID(key[len(MEMBER_FIELD) :])] = value
            except ValueError:
                continue  # not a user field; ignoring it beats a 500 on a hand-made form
    try:
        services.save_member_mapping(request.user, mapping)
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect("accounts:settings")
        return render(request, MEMBERS, {"psa": panels.members_context(request, error=exc.message)}, status=400)
    if not request.htmx:
        messages.success(request, "ConnectWise members saved.")
        return redirect("accounts:settings")
    return _toast(render(request, MEMBERS, {"psa": panels.members_context(request, saved=True)}), "Members saved.")


@require_POST
@role_required(ADMIN_OR_OWNER)
def test_connection(request):
    try:
        result = {"ok": True, "message": services.test_connection(request.user)}
    except PsaError as exc:
        result = {"ok": False, "message": exc.message}
    except DomainError as exc:
        return render(request, TEST_RESULT, {"ok": False, "message": exc.message}, status=400)
    return render(request, TEST_RESULT, result)


@require_GET
@role_required(ENGINEER_OR_ADMIN)
def ticket_lookup(request):
    form = TicketLookupForm(request.GET)
    if not form.is_valid():
        return render(request, TICKET_RESULT, {"error": "Enter a ticket number."}, status=400)
    try:
        ticket = services.lookup_ticket(request.user, form.cleaned_data["ticket"])
    except DomainError as exc:
        return render(request, TICKET_RESULT, {"error": exc.message}, status=exc.status_code)
    except PsaError as exc:
        status = 404 if exc.http_status == 404 else 502
        message = (
            f"Ticket {form.cleaned_data['ticket']} was not found in ConnectWise." if status == 404 else exc.message
        )
        return render(request, TICKET_RESULT, {"error": message}, status=status)
    return render(request, TICKET_RESULT, {"ticket": ticket})


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def push_notes(request, session_id):
    session = get_for_account(Session, request.user, pk=session_id)
    try:
        services.request_notes_push(session, request.user)
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect("flowpilot:detail", session_id=session.pk)
        context = {"psa": panels.session_context(request, session, error=exc.message)}
        return render(request, PUSH, context, status=exc.status_code)
    if not request.htmx:
        messages.success(request, "Ticket notes queued for ConnectWise.")
        return redirect("flowpilot:detail", session_id=session.pk)
    response = render(request, PUSH, {"psa": panels.session_context(request, session)}, status=202)
    return _toast(response, "Ticket notes queued for ConnectWise.")


@require_GET
@account_required
def session_panel(request, session_id):
    session = get_for_account(Session, request.user, pk=session_id)
    return render(request, PUSH, {"psa": panels.session_context(request, session)})
