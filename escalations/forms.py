"""Forms for the escalate / park dialogs on the session page."""

from django import forms

from escalations.models import Priority
from escalations.services import NOTES_MAX_CHARS


class HandoffForm(forms.Form):
    engineer_notes = forms.CharField(
        label="Notes", required=False, max_length=NOTES_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 4})
    )
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices, initial=Priority.NORMAL)
