from django import forms

from flowpilot.psa.client import PsaError, validate_site

KEY_HELP = "Leave blank to keep the stored key."


class PsaConnectionForm(forms.Form):
    """ConnectWise connection; key fields never render their value back."""

    site = forms.CharField(
        max_length=255,
        help_text="A host name such as na.myconnectwise.net (reached over https at a public address).",
    )
    company_id = forms.CharField(max_length=64, label="Company id")
    public_key = forms.CharField(
        max_length=200, required=False, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )
    private_key = forms.CharField(
        max_length=200, required=False, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )
    client_id = forms.CharField(max_length=64, label="Client id")
    push_notes_on_resolve = forms.BooleanField(required=False, label="Push ticket notes when a session is resolved")
    push_package_on_escalate = forms.BooleanField(
        required=False, label="Push the escalation package when a session is escalated"
    )

    def __init__(self, *args, keys_set: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys_set = keys_set
        for name in ("public_key", "private_key"):
            field = self.fields[name]
            field.required = not keys_set
            if keys_set:
                field.help_text = KEY_HELP
                field.widget.attrs["placeholder"] = "•••• set"

    def clean_site(self) -> str:
        try:
            return validate_site(self.cleaned_data["site"])
        except PsaError as exc:
            raise forms.ValidationError(exc.message) from None


class TicketLookupForm(forms.Form):
    ticket = forms.CharField(max_length=20, label="ConnectWise ticket number")
