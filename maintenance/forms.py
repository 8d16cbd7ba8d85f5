from django import forms
from django.db.models import QuerySet

from accounts.access import scoped
from accounts.models import ENGINEER_OR_ADMIN, User
from flowpilot.forms import OUTPUT_MAX, TEXT_MAX
from flows.models import Flow
from maintenance.models import RunItem


def procedures(user: User) -> QuerySet:
    return scoped(Flow, user).filter(kind=Flow.Kind.PROCEDURE, status=Flow.Status.PUBLISHED).order_by("title")


def assignees(user: User) -> QuerySet:
    return User.objects.filter(
        account_id=user.account_id, is_active=True, account_role__in=list(ENGINEER_OR_ADMIN)
    ).order_by("name", "email")


class RunForm(forms.Form):
    flow = forms.ModelChoiceField(queryset=Flow.objects.none(), label="Procedure", empty_label=None)
    title = forms.CharField(max_length=200, required=False, help_text="Blank: the procedure's name and today's date.")
    targets = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
        help_text="One per line: name, or “name | client | ticket”.",
    )
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody yet")
    due_at = forms.DateTimeField(
        required=False, label="Due", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].queryset = procedures(user)
        self.fields["assignee"].queryset = assignees(user)


class ItemForm(forms.Form):
    status = forms.ChoiceField(choices=RunItem.Status.choices)
    result_note = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    output = forms.CharField(
        max_length=OUTPUT_MAX, required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )
