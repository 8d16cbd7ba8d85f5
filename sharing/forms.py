from django import forms

from sharing.models import ShareLink
from sharing.services import DEFAULT_DAYS, MAX_DAYS


class ShareForm(forms.Form):
    visibility = forms.ChoiceField(
        choices=ShareLink.Visibility.choices, initial=ShareLink.Visibility.ACCOUNT, widget=forms.RadioSelect
    )
    expires_in_days = forms.IntegerField(
        label="Expires after (days)", min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )
