"""Context for the PSA panels, shared by the template tags (page render) and the htmx views."""

from flowpilot.models import Session
from flowpilot.psa import services
from flowpilot.psa.forms import PsaConnectionForm


def connection_context(request, form: PsaConnectionForm | None = None, **extra) -> dict:
    user = request.user
    connection = services.connection_for(user.account_id)
    if form is None and user.is_admin_or_owner:
        initial = {}
        if connection:
            initial = {
                field: getattr(connection, field)
                for field in ("site", "company_id", "client_id", "push_notes_on_resolve", "push_package_on_escalate")
            }
        form = PsaConnectionForm(initial=initial, keys_set=connection is not None)
    return {
        "request": request,
        "connection": connection,
        "form": form,
        "can_manage": user.is_admin_or_owner,
        **extra,
    }


def session_context(request, session: Session, **extra) -> dict:
    pushes = list(services.pushes_for(session)[:20])
    connection = services.connection_for(session.account_id)
    return {
        "request": request,
        "session": session,
        "pushes": pushes,
        "polling": services.is_polling(pushes),
        "connected": connection is not None,
        "has_ticket": services.ticket_number(session.ticket_ref) is not None,
        "can_push": request.user.is_engineer_or_admin,
        **extra,
    }
