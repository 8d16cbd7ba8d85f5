"""Small pieces shared by the server-rendered pages' htmx actions."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django_htmx.http import trigger_client_event

# The one client event for messages (static/js/app.js shows it; queue-live.js also reads
# `claimed_by`). HX-Trigger carries JSON with \u escapes, so "Łukasz Żółć", "李雷" and "Zoë"
# arrive intact; a raw header with those characters arrives MIME-encoded instead.
TOAST_EVENT = "toast"


def toast(response: HttpResponse, message: str, kind: str = "", **detail) -> HttpResponse:
    """Ask the page to show `message` as a toast once htmx receives `response`."""
    return trigger_client_event(response, TOAST_EVENT, {"message": message, "kind": kind, **detail})


def refusal(message: str, status: int, **detail) -> HttpResponse:
    """A refused htmx action: it keeps its 4xx status, its body is the message, and a toast event says it."""
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return toast(response, message, "error", **detail)


def refused(request, message: str, status: int, back, *args, **kwargs) -> HttpResponse:
    """A refused action: htmx gets `refusal`; a plain form post goes `back` (a URL or a URL name) with the message."""
    if request.htmx:
        return refusal(message, status)
    messages.error(request, message)
    return redirect(back, *args, **kwargs)


def first_form_error(form) -> str:
    """A form's first error as one line, prefixed by its field's label (bare for form-wide errors)."""
    for field, errors in form.errors.items():
        if field == "__all__":
            return errors[0]
        label = form.fields[field].label if field in form.fields and form.fields[field].label else field
        return f"{label.replace('_', ' ')}: {errors[0]}"
    return "Check the form."
