from django import forms

from assistant.services import MAX_QUESTION_CHARS


class AskForm(forms.Form):
    text = forms.CharField(label="Your question", max_length=MAX_QUESTION_CHARS, strip=True)
