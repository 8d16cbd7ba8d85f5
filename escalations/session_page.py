"""escalations' part of the session page (flowpilot.hooks.session_page): toolbar actions and chips."""

from django.template.loader import render_to_string

from escalations import selectors


def session_page_slots(request, session) -> dict[str, str]:
    """Escalate / Park / Withdraw / Pick up and "Show handoff context" in the toolbar; suggested-step chips."""
    context = {
        "session": session,
        "claimed": selectors.latest_claimed_escalation(session),
        "pending": selectors.open_handoff_for(session),
    }
    return {
        "toolbar": render_to_string("escalations/_session_actions.html", context, request=request),
        "composer": render_to_string("escalations/_session_chips.html", context, request=request),
    }
