from django import forms

from accounts.models import Role


class InviteUserForm(forms.Form):
    name = forms.CharField(max_length=120, required=False)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in Role if r != Role.OWNER], initial=Role.ENGINEER)


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in Role if r != Role.OWNER])


class PreferencesForm(forms.Form):
    email_notifications = forms.BooleanField(required=False, label="Email me when a teammate escalates")
