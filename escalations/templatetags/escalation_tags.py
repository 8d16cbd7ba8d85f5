"""Template helpers the session page partials use to find the session's handoffs."""

from django import template

from escalations import selectors

register = template.Library()


@register.simple_tag
def latest_claimed_escalation(session):
    """The escalation picked up on this session (for chips and "Show handoff context")."""
    return selectors.latest_claimed_escalation(session)


@register.simple_tag
def open_handoff(session):
    """The session's unclaimed escalation or park, if any (for withdraw / resume)."""
    return selectors.open_handoff_for(session)
