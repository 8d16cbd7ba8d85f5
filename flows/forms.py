"""Forms for the flow pages; the API has its own serializers with the same limits."""

import json

from django import forms

from flowpilot.forms import OUTPUT_MAX, TEXT_MAX
from flowpilot.models import ProblemDomain
from flows import graph as graphs
from flows.models import Flow

IMPORT_MAX_BYTES = 2_000_000
DOMAIN_CHOICES = [("", "Any domain"), *ProblemDomain.choices]


class FlowFilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    domain = forms.ChoiceField(label="Domain", choices=DOMAIN_CHOICES, required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("", "Any kind"), *Flow.Kind.choices], required=False)
    tag = forms.CharField(label="Tag", max_length=40, required=False)
    status = forms.ChoiceField(
        label="Status", choices=[("", "Draft or published"), *Flow.Status.choices], required=False
    )


class FlowForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=Flow.Kind.choices, initial=Flow.Kind.TROUBLESHOOTING)
    problem_domain = forms.ChoiceField(label="Domain", choices=ProblemDomain.choices, initial=ProblemDomain.OTHER)
    description = forms.CharField(
        label="Description", max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tags = forms.CharField(label="Tags (comma-separated)", max_length=500, required=False)


class GenerateForm(forms.Form):
    description = forms.CharField(
        label="Describe the problem", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    problem_domain = forms.ChoiceField(
        label="Domain", choices=[("", "Not sure (other)"), *ProblemDomain.choices], required=False
    )


class ImportForm(forms.Form):
    document = forms.FileField(label="Flow JSON file")

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("the file is larger than 2 MB")
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError("the file is not JSON") from None


class NodeAddForm(forms.Form):
    type = forms.ChoiceField(label="Type", choices=[(t, t.capitalize()) for t in graphs.NODE_TYPES])
    key = forms.CharField(label="Key", max_length=64, required=False)
    text = forms.CharField(label="Text", max_length=graphs.TEXT_MAX)


class NodeForm(forms.Form):
    text = forms.CharField(max_length=graphs.TEXT_MAX, required=False)
    next = forms.CharField(max_length=64, required=False)
    command = forms.CharField(max_length=2000, required=False)
    expect = forms.CharField(max_length=graphs.TEXT_MAX, required=False)
    outcome = forms.ChoiceField(choices=[(o, o) for o in graphs.OUTCOMES], required=False)
    summary = forms.CharField(max_length=graphs.TEXT_MAX, required=False)
    flow = forms.CharField(max_length=64, required=False)


class AnswerForm(forms.Form):
    node = forms.CharField(max_length=64)
    answer = forms.CharField(max_length=200, required=False)
    status = forms.ChoiceField(choices=[(s, s) for s in ("done", "failed", "skipped")], required=False)
    result_note = forms.CharField(max_length=TEXT_MAX, required=False)
    output = forms.CharField(max_length=OUTPUT_MAX, required=False, strip=False)


class LibraryStepForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    detail = forms.CharField(
        label="Detail", max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    command = forms.CharField(label="Command", max_length=2000, required=False)
    problem_domain = forms.ChoiceField(label="Domain", choices=ProblemDomain.choices, initial=ProblemDomain.OTHER)
