"""`{% psa_connection_panel %}` and `{% psa_session_panel session %}`: one template per panel."""

from django import template

from flowpilot.psa import panels

register = template.Library()


@register.inclusion_tag("psa/_connection_panel.html", takes_context=True)
def psa_connection_panel(context) -> dict:
    return panels.connection_context(context["request"], csrf_token=context.get("csrf_token"))


@register.inclusion_tag("psa/_push_panel.html", takes_context=True)
def psa_session_panel(context, session) -> dict:
    return panels.session_context(context["request"], session, csrf_token=context.get("csrf_token"))


@register.inclusion_tag("psa/_lookup_form.html", takes_context=True)
def psa_ticket_lookup(context) -> dict:
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "can_lookup": request.user.is_engineer_or_admin,
    }
