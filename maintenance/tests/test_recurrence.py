"""Recurrences: weekly, monthly and five-field cron; bad expressions answer a clear message."""

from datetime import datetime

import pytest
from django.utils import timezone

from maintenance import recurrence
from resolutionflow.domain import InvalidOperation


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def test_weekly_is_seven_days_later():
    assert recurrence.next_due("weekly", at(2026, 11, 2, 9, 0)) == at(2026, 11, 9, 9, 0)


def test_monthly_keeps_the_day_and_clamps_to_the_month_end():
    assert recurrence.next_due("monthly", at(2026, 11, 2, 9, 0)) == at(2026, 12, 2, 9, 0)
    assert recurrence.next_due("monthly", at(2026, 1, 31, 9, 0)) == at(2026, 2, 28, 9, 0)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("0 9 * * 1", at(2026, 11, 29, 12, 0), at(2026, 11, 30, 9, 0)),  # Sunday -> Monday 09:00
        ("*/15 * * * *", at(2026, 11, 29, 12, 7), at(2026, 11, 29, 12, 15)),
        ("30 2 1 * *", at(2026, 11, 29, 12, 0), at(2026, 12, 1, 2, 30)),
        ("0 0 29 2 *", at(2026, 3, 1, 0, 0), at(2028, 2, 29, 0, 0)),
        ("0 8 1-7 * 7", at(2026, 11, 29, 12, 0), at(2026, 12, 1, 8, 0)),  # either day field (cron's OR)
        ("5,35 10-11 * * *", at(2026, 11, 29, 10, 5), at(2026, 11, 29, 10, 35)),
    ],
)
def test_cron_next_due(expression, after, expected):
    assert recurrence.next_due(recurrence.validate(expression), after) == expected


@pytest.mark.parametrize(
    "expression",
    ["", "daily", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *",
     "5-1 * * * *", "a * * * *", "1,,2 * * * *", "0 0 31 2 *"],
)  # fmt: skip
def test_invalid_recurrence_is_refused_with_a_message(expression):
    with pytest.raises(InvalidOperation) as exc:
        recurrence.validate(expression)
    assert exc.value.message


def test_validate_normalizes_spacing_and_case():
    assert recurrence.validate("  Monthly ") == "monthly"
    assert recurrence.validate("0  9 * *   1") == "0 9 * * 1"
