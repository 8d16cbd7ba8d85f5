"""Forms for the session pages; the API has its own serializers with the same limits."""

import uuid

from django import forms

from flowpilot.models import ProblemDomain, Session, Step
from resolutionflow.text import validate_name

SUMMARY_MAX = 4000
TEXT_MAX = 8000
# Output is capped at 64 KB by the service (with a visible marker); this only stops abuse.
OUTPUT_MAX = 1_000_000

SCOPES = (("mine", "Mine"), ("team", "My team"), ("all", "All of the account"))


class SessionForm(forms.Form):
    problem_summary = forms.CharField(
        label="What's the problem?",
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "e.g. Outlook keeps prompting for a password"}),
    )
    problem_domain = forms.ChoiceField(
        label="Domain", choices=[("", "Not sure (other)"), *ProblemDomain.choices], required=False
    )
    client_name = forms.CharField(label="Client", max_length=200, required=False, validators=[validate_name])
    ticket_ref = forms.CharField(label="Ticket", max_length=64, required=False)


class MessageForm(forms.Form):
    text = forms.CharField(max_length=TEXT_MAX)


class StepForm(forms.Form):
    title = forms.CharField(max_length=200)
    detail = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.Textarea)
    command = forms.CharField(max_length=2000, required=False)


class ResultForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, s) for s in (Step.Status.DONE, Step.Status.FAILED, Step.Status.SKIPPED)], required=False
    )
    result_note = forms.CharField(max_length=TEXT_MAX, required=False)
    output = forms.CharField(max_length=OUTPUT_MAX, required=False, strip=False)
    is_dead_end = forms.BooleanField(required=False)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=TEXT_MAX)


class ResolveForm(forms.Form):
    resolution_summary = forms.CharField(max_length=TEXT_MAX)


def _one_of(what: str, values) -> dict:
    return {"invalid_choice": f"%(value)s is not a {what}; use one of {', '.join(values)}."}


class SessionFilterForm(forms.Form):
    """The session list's search and filters; the page and `GET /api/v1/sessions/` share it."""

    scope = forms.ChoiceField(choices=SCOPES, required=False, error_messages=_one_of("scope", [v for v, _ in SCOPES]))
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Session.Status.choices],
        required=False,
        error_messages=_one_of("status", Session.Status.values),
    )
    domain = forms.ChoiceField(
        choices=[("", "Any domain"), *ProblemDomain.choices],
        required=False,
        error_messages=_one_of("domain", ProblemDomain.values),
    )
    q = forms.CharField(label="Search", max_length=200, required=False)
    client = forms.CharField(label="Client", max_length=200, required=False)
    ticket = forms.CharField(label="Ticket", max_length=64, required=False)
    assignee = forms.CharField(label="Worked by", required=False, help_text="`me` or a user id.", max_length=36)
    opened_after = forms.DateField(
        label="Opened on or after", required=False, error_messages={"invalid": "Enter a date as YYYY-MM-DD."}
    )
    opened_before = forms.DateField(
        label="Opened on or before", required=False, error_messages={"invalid": "Enter a date as YYYY-MM-DD."}
    )

    def clean_assignee(self) -> str:
        value = self.cleaned_data["assignee"].strip()
        if value and value != "me":
            try:
                value = str(uuid.UUID(value))
            except ValueError:
                raise forms.ValidationError("Use `me` or a user id.") from None
        return value

    def clean(self):
        data = super().clean()
        after, before = data.get("opened_after"), data.get("opened_before")
        if after and before and after > before:
            self.add_error("opened_before", "The end date is before the start date.")
        return data
