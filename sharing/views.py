"""Share-link pages: create from the session page, the public read-only view, /account/shares/."""

import re

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_for_account, role_required
from accounts.models import ENGINEER_OR_ADMIN
from flowpilot.models import Session
from flowpilot.notes import render_ticket_notes
from resolutionflow import errors
from resolutionflow.domain import DomainError
from resolutionflow.htmx import first_form_error, refused
from sharing import ratelimit, services
from sharing.forms import ShareForm
from sharing.models import ShareLink
from sharing.panels import PANEL, panel_context, share_url

PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
}
# Ticket notes may quote an address a tech typed; a shared page shows none.
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@login_not_required
@require_GET
def public(request, token):
    """The shared session's ticket notes, secrets redacted; 404 when revoked, expired or not for this visitor."""
    if ratelimit.over_limit(request):
        message = "Too many requests; try again in a minute."
        return _public(HttpResponse(message, status=429, content_type="text/plain", headers={"Retry-After": "60"}))
    link = services.find_live(token)
    if link is None or not services.can_view(request.user, link) or not services.count_view(link):
        return _public(errors.not_found(request))
    notes = EMAIL_RE.sub("[email hidden]", render_ticket_notes(link.session, "html"))
    # render_ticket_notes escapes every piece of session text itself (flowpilot/notes.py).
    return _public(render(request, "sharing/public.html", {"notes": mark_safe(notes)}))  # noqa: S308


def _public(response: HttpResponse) -> HttpResponse:
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    return response


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def create(request, session_id):
    session = get_for_account(Session, request.user, pk=session_id)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _refused(request, first_form_error(form), 400, _session_url(session))
    try:
        link, token = services.create_link(session, request.user, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, exc.message, exc.status_code, _session_url(session))
    context = {"panel": panel_context(request, session, new_link=link, new_url=share_url(token))}
    template = PANEL if request.htmx else "sharing/created.html"
    # The raw token is in this response only: keep it out of every cache.
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(ENGINEER_OR_ADMIN)
def manage(request):
    links = services.links_for(request.user)
    rows = [(link, services.can_revoke(request.user, link)) for link in links[:500]]
    return render(request, "sharing/manage.html", {"rows": rows})


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def revoke(request, link_id):
    link = get_for_account(ShareLink.objects.select_related("session", "created_by"), request.user, pk=link_id)
    try:
        link = services.revoke(link, request.user)
    except DomainError as exc:
        return _refused(request, exc.message, exc.status_code, "sharing:manage")
    if request.htmx:
        context = {"link": link, "can_revoke": False, "show_session": request.POST.get("show_session") == "1"}
        html = render_to_string("sharing/_link.html", context, request=request)
        return HttpResponse(html)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "sharing:manage"
    return redirect(target)


def _refused(request, message: str, status: int, back: str) -> HttpResponse:
    if status == 403 and not request.htmx:
        raise PermissionDenied(message)
    return refused(request, message, status, back)


def _session_url(session: Session) -> str:
    return reverse("flowpilot:detail", kwargs={"session_id": session.pk})
