"""Rules for short display text (names of people, accounts, teams, clients) shared by every app."""

import re

from django.core.exceptions import ValidationError

# Any C0/C1 control character, line breaks and tabs included, plus DEL and the Unicode line separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NAME_MESSAGE = "Names cannot contain line breaks, tabs or other control characters."


def validate_name(value: str) -> None:
    """Model/form/serializer validator: a name is one line of printable text."""
    if value and CONTROL.search(str(value)):
        raise ValidationError(NAME_MESSAGE, code="control_characters")


def has_control_characters(value: str) -> bool:
    return bool(value) and bool(CONTROL.search(str(value)))
