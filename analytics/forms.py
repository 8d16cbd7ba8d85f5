"""The baseline entry form: parses input; `services.record_baseline_entry` validates the times."""

from django import forms

from analytics.models import BaselineEntry

DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"step": "1", **(attrs or {})}, format="%Y-%m-%dT%H:%M:%S")


class BaselineEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label="What you timed",
        choices=BaselineEntry.Kind.choices,
        initial=BaselineEntry.Kind.ESCALATION,
        required=False,
        help_text="Escalation hand-over: T0 the senior opens the ticket, T1 the first diagnostic action. "
        "Ticket-note writing: T0 you start writing the ticket notes by hand, T1 they are done.",
    )
    ticket_ref = forms.CharField(label="Ticket", max_length=64, required=False)
    opened_at = forms.DateTimeField(
        label="T0: ticket opened / started writing",
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput(),
        help_text="When the senior opened the ticket, or started the notes (UTC).",
    )
    first_action_at = forms.DateTimeField(
        label="T1: first diagnostic action / notes done",
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput(),
        help_text="The first real diagnostic step after the 'what did you try' warm-up, or the notes finished (UTC).",
    )
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or BaselineEntry.Kind.ESCALATION

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                # Screen readers announce the hint with the field (the template gives it this id).
                field.widget.attrs["aria-describedby"] = f"id_{name}-help"
