"""Recurrences: weekly, monthly and five-field cron; bad expressions answer a clear message."""

from datetime import datetime, timedelta

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


def test_a_monthly_series_on_the_31st_comes_back_to_the_31st_after_a_short_month():
    first = at(2026, 1, 31, 9, 0)
    assert recurrence.upcoming("monthly", first, 4) == [
        first,
        at(2026, 2, 28, 9, 0),
        at(2026, 3, 31, 9, 0),
        at(2026, 4, 30, 9, 0),
    ]
    assert recurrence.next_due("monthly", at(2026, 2, 28, 9, 0), day=31) == at(2026, 3, 31, 9, 0)
    assert recurrence.due_after("monthly", at(2026, 2, 28, 9, 0), at(2026, 3, 1), day=31) == at(2026, 3, 31, 9, 0)
    assert recurrence.describe("monthly", at(2026, 2, 28, 9, 0), day=31) == "Every month on the 31st 09:00"


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


@pytest.mark.parametrize(
    "rule, words",
    [
        ("weekly", "Every Monday 06:00"),
        ("monthly", "Every month on the 7th 06:00"),
        ("0 6 * * 1", "Every Monday 06:00"),
        ("30 18 * * 1,3,5", "Every Monday, Wednesday and Friday 18:30"),
        ("0 7 * * 0,6", "Every Saturday and Sunday 07:00"),
        ("0 7 * * 1-5", "Every weekday (Monday to Friday) 07:00"),
        ("15 2 * * *", "Every day 02:15"),
        ("0 6 1 * *", "Every month on the 1st 06:00"),
        ("0 6 22 * *", "Every month on the 22nd 06:00"),
        ("0 6 13 * *", "Every month on the 13th 06:00"),
        ("*/15 * * * *", "*/15 * * * *"),
        ("0 6 1 1,4,7,10 *", "0 6 1 1,4,7,10 *"),
        ("0 6 1 * 1", "0 6 1 * 1"),
    ],
)
def test_describe_says_it_in_words_where_it_can(rule, words):
    monday = timezone.make_aware(datetime(2026, 12, 7, 6, 0))
    assert recurrence.describe(rule, monday) == words


def test_describe_shows_an_unparsable_stored_rule_as_it_is():
    assert recurrence.describe("every tuesday", at(2026, 12, 7, 6, 0)) == "every tuesday"


def test_upcoming_lists_the_first_and_the_next_ones():
    first = timezone.make_aware(datetime(2026, 12, 7, 6, 0))
    assert recurrence.upcoming("weekly", first) == [first, first + timedelta(weeks=1), first + timedelta(weeks=2)]


def test_due_after_skips_every_missed_time():
    due = timezone.make_aware(datetime(2026, 1, 5, 6, 0))  # a Monday
    now = timezone.make_aware(datetime(2026, 3, 1, 12, 0))  # a Sunday
    assert recurrence.due_after("weekly", due, now) == timezone.make_aware(datetime(2026, 3, 2, 6, 0))
    assert recurrence.due_after("0 6 * * 1", due, now) == timezone.make_aware(datetime(2026, 3, 2, 6, 0))
    assert recurrence.due_after("weekly", due, due) == due + timedelta(weeks=1)
