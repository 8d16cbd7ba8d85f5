"""Small pieces shared by the server-rendered pages' htmx actions."""

from django.http import HttpResponse


def refusal(message: str, status: int, **headers: str) -> HttpResponse:
    """A refused htmx action: it keeps its 4xx status and carries the message for app.js's toast."""
    return HttpResponse(message, status=status, content_type="text/plain", headers={"X-RF-Message": message, **headers})


def first_form_error(form) -> str:
    """A form's first error as one line, prefixed by its field's label (bare for form-wide errors)."""
    for field, errors in form.errors.items():
        if field == "__all__":
            return errors[0]
        label = form.fields[field].label if field in form.fields and form.fields[field].label else field
        return f"{label.replace('_', ' ')}: {errors[0]}"
    return "Check the form."
