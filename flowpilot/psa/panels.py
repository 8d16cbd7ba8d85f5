"""Data for the PSA panels (`psa/panels.html`), computed by the views that render or include them."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.access import has_role
from accounts.models import ADMIN_OR_OWNER, ENGINEER_OR_ADMIN
from flowpilot.models import Session
from flowpilot.psa import services
from flowpilot.psa.forms import PsaConnectionForm

PANELS = "psa/panels.html"
CONNECTION_FIELDS = ("site", "company_id", "client_id", "push_notes_on_resolve", "push_package_on_escalate")


def connection_context(request: HttpRequest, form: PsaConnectionForm | None = None, **extra) -> dict:
    """What the connection card shows: the saved connection and, for owners/admins, its form."""
    connection = services.connection_for(request.user.account_id)
    can_manage = has_role(request.user, ADMIN_OR_OWNER)
    if form is None and can_manage:
        initial = {field: getattr(connection, field) for field in CONNECTION_FIELDS} if connection else {}
        form = PsaConnectionForm(initial=initial, keys_set=connection is not None)
    return {"connection": connection, "form": form, "can_manage": can_manage, **extra}


def session_context(request: HttpRequest, session: Session, **extra) -> dict:
    """What the session's push panel shows: the button (if it can push) and the last 20 pushes."""
    pushes = list(services.pushes_for(session)[:20])
    return {
        "session": session,
        "pushes": pushes,
        "polling": services.is_polling(pushes),
        "connected": services.connection_for(session.account_id) is not None,
        "has_ticket": services.ticket_number(session.ticket_ref) is not None,
        "can_push": has_role(request.user, ENGINEER_OR_ADMIN),
        "member": services.member_for(request.user),
        **extra,
    }


def connection_card(request: HttpRequest) -> str:
    """The connection card as HTML, for the account settings page (registered in PsaConfig.ready)."""
    return render_to_string(f"{PANELS}#connection", {"psa": connection_context(request)}, request=request)


def members_context(request: HttpRequest, **extra) -> dict:
    """The member mapping card: every active user of the account and their ConnectWise member."""
    return {
        "members": services.members_of(request.user.account_id),
        "can_manage": has_role(request.user, ADMIN_OR_OWNER),
        "connected": services.connection_for(request.user.account_id) is not None,
        **extra,
    }


def members_card(request: HttpRequest) -> str:
    """The member mapping card as HTML, for the account settings page (registered in PsaConfig.ready)."""
    return render_to_string(f"{PANELS}#members", {"psa": members_context(request)}, request=request)
