"""Queue, handoff-context screen and the escalate / park / claim actions (thin: services do the work)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import account_required, get_for_account
from escalations import selectors, services
from escalations.forms import HandoffForm
from escalations.hooks import stat_card_for
from escalations.models import Handoff
from flowpilot import similar
from flowpilot.models import Session
from resolutionflow.domain import DomainError, InvalidOperation
from resolutionflow.htmx import first_form_error, refusal

QUEUE = "escalations/queue.html"
CONTEXT = "escalations/context.html"


def _handoff(request, handoff_id) -> Handoff:
    return get_for_account(
        Handoff.objects.select_related(
            "session", "session__owner", "handed_off_by", "first_handed_off_by", "claimed_by", "closed_by"
        ),
        request.user,
        pk=handoff_id,
    )


def _go(request, url: str):
    """Full navigation after an action: HX-Redirect for htmx, 302 otherwise."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _refused(request, exc: DomainError, back_url: str = "/escalations/"):
    """A refused action keeps its status (400/403/409); htmx gets the message as a toast event."""
    if request.htmx:
        # The claim race's winner travels in the event too: queue-live.js flashes it on the card.
        winner = {"claimed_by": name} if (name := exc.extra.get("claimed_by_name")) else {}
        return refusal(exc.message, exc.status_code, **winner)
    if exc.status_code == 403:
        raise PermissionDenied(exc.message)
    return render(
        request, "escalations/refused.html", {"message": exc.message, "back_url": back_url}, status=exc.status_code
    )


def _queue_context(request, after: Handoff | None = None) -> dict:
    user = request.user
    page = selectors.queue_page(user, after=after)
    return {
        "cards": page.cards,
        "page": page,
        # On the first page `total` is the whole queue: the count heading says it.
        "count": page.total,
        "can_act": user.is_engineer_or_admin,
        "read_only": not user.is_engineer_or_admin,
    }


@require_GET
@account_required
def queue(request):
    context = _queue_context(request)
    context["parked"] = selectors.parked(request.user)
    context["mine"] = selectors.claimed_by_me(request.user) if context["can_act"] else []
    context["stat_card"] = stat_card_for(request.user)
    return render(request, QUEUE, context)


@require_GET
@account_required
def queue_rows(request):
    """The first page of cards and the count (out of band): the reconnect backfill.

    With `?before=<handoff id>`, the next page of older cards for "Show more".
    """
    if "before" in request.GET:
        after = get_for_account(Handoff, request.user, pk=request.GET["before"])
        return render(request, f"{QUEUE}#more_rows", _queue_context(request, after))
    # The rows plus the count heading out of band, from the page's own partials.
    context = _queue_context(request)
    html = render_to_string(f"{QUEUE}#rows", context, request=request)
    html += render_to_string(f"{QUEUE}#count", {**context, "oob": True}, request=request)
    return HttpResponse(html)


def _context_data(request, handoff: Handoff) -> dict:
    user = request.user
    services.mark_opened(handoff, user)
    return {
        "handoff": handoff,
        "snapshot": handoff.snapshot or {},
        "can_act": user.is_engineer_or_admin,
        "can_start": user.is_engineer_or_admin
        and handoff.withdrawn_at is None
        and handoff.closed_at is None
        and handoff.released_at is None
        and (handoff.claimed_at is None or handoff.claimed_by_id == user.pk)
        and not (handoff.intent == Handoff.Intent.ESCALATE and handoff.handed_off_by_id == user.pk),
        "can_withdraw": handoff.is_open and handoff.handed_off_by_id == user.pk and user.is_engineer_or_admin,
        "can_release": handoff.claimed_by_id == user.pk and handoff.released_at is None and user.is_engineer_or_admin,
        "show_delivery": user.is_admin_or_owner,
        "delivery_rows": selectors.delivery_rows(handoff) if user.is_admin_or_owner else [],
        "similar": similar.for_session(handoff.session),
    }


@require_GET
@account_required
def context(request, handoff_id):
    handoff = _handoff(request, handoff_id)
    return render(request, CONTEXT, _context_data(request, handoff))


@require_GET
@account_required
def context_panel(request, handoff_id):
    """The same frame without the page chrome, for the session page's overlay."""
    handoff = _handoff(request, handoff_id)
    data = _context_data(request, handoff) | {"overlay": True, "show_delivery": False}
    return render(request, f"{CONTEXT}#frame", data)


@require_GET
@account_required
def assessment(request, handoff_id):
    return render(request, f"{CONTEXT}#assessment", {"handoff": _handoff(request, handoff_id)})


def _act(request, handoff_id, action, success_url, message: str = ""):
    handoff = _handoff(request, handoff_id)
    try:
        result = action(handoff, request.user)
    except DomainError as exc:
        return _refused(request, exc)
    if message:
        messages.success(request, message)
    return _go(request, success_url(result))


@require_POST
@account_required
def claim(request, handoff_id):
    try:
        services.refuse_known_claim(handoff_id, request.user)  # a lost race, answered without a query
    except DomainError as exc:
        return _refused(request, exc)
    # Pick Up lands on the handoff-context screen first (SPEC flow 7): the magic moment.
    return _act(request, handoff_id, services.claim, lambda h: f"/escalations/{h.pk}/")


@require_POST
@account_required
def start(request, handoff_id):
    return _act(request, handoff_id, services.start, lambda h: f"/sessions/{h.session_id}/")


@require_POST
@account_required
def release(request, handoff_id):
    return _act(request, handoff_id, services.release, lambda h: "/escalations/", "Released back to the queue.")


@require_POST
@account_required
def withdraw(request, handoff_id):
    return _act(
        request,
        handoff_id,
        services.withdraw,
        lambda h: f"/sessions/{h.session_id}/",
        "Withdrawn: the session is yours again.",
    )


@require_POST
@account_required
def dismiss(request, handoff_id):
    handoff = _handoff(request, handoff_id)
    try:
        services.dismiss(handoff, request.user)
    except DomainError as exc:
        return _refused(request, exc)
    if not request.htmx:
        return redirect("/escalations/")
    handoff.is_read = True
    return render(request, f"{QUEUE}#card", {"handoff": handoff})


def _hand_off(request, session_id, action, message: str):
    session = get_for_account(Session, request.user, pk=session_id)
    form = HandoffForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidOperation(first_form_error(form))
        action(session, request.user, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, exc, back_url=f"/sessions/{session.pk}/")
    messages.success(request, message)
    return _go(request, f"/sessions/{session.pk}/")


@require_POST
@account_required
def escalate(request, session_id):
    return _hand_off(request, session_id, services.escalate, "Escalated: the team sees it in their queue now.")


@require_POST
@account_required
def park(request, session_id):
    return _hand_off(
        request, session_id, services.park, "Parked. Anyone on the team can pick it up from the queue's parked list."
    )
