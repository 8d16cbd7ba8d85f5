"""Schedule recurrences: `weekly`, `monthly` or a five-field cron expression, and the next due time.

A small parser instead of a dependency: minute hour day-of-month month day-of-week,
each `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a comma list of those.
Day of week 0-7 (0 and 7 are Sunday). As in cron, when both day fields are
restricted a day matches either. Times are computed in the project's TIME_ZONE.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from resolutionflow.domain import InvalidOperation

NAMED = ("weekly", "monthly")
FIVE_FIELDS = "a cron expression has five fields: minute hour day-of-month month day-of-week"
FIRST_DUE_PAST = "the first due time must be in the future"
# (name, low, high) per field.
FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
# Far enough for "29 February" style expressions; an expression never due is refused.
SEARCH_DAYS = 366 * 5


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    days_restricted: bool
    weekdays_restricted: bool

    def day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        # Python: Monday 0 .. Sunday 6; cron: Sunday 0 .. Saturday 6.
        in_week = (day.weekday() + 1) % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_month or in_week
        return in_month and in_week


def _part(text: str, name: str, low: int, high: int) -> set[int]:
    body, _, step_text = text.partition("/")
    step = 1
    if step_text:
        if not step_text.isdigit() or int(step_text) < 1:
            raise InvalidOperation(f"cron {name}: step “{step_text}” must be a positive number")
        step = int(step_text)
    if body == "*":
        start, end = low, high
    elif "-" in body:
        first, _, last = body.partition("-")
        if not (first.isdigit() and last.isdigit()):
            raise InvalidOperation(f"cron {name}: “{body}” is not a range of numbers")
        start, end = int(first), int(last)
    elif body.isdigit():
        start = end = int(body)
        if step_text:
            end = high
    else:
        raise InvalidOperation(f"cron {name}: “{text}” is not a number, range, step or *")
    if not (low <= start <= high and low <= end <= high) or start > end:
        raise InvalidOperation(f"cron {name}: “{text}” is outside {low}-{high}")
    return set(range(start, end + 1, step))


def parse_cron(expression: str) -> Cron:
    fields = expression.split()
    if len(fields) != 5:
        raise InvalidOperation(FIVE_FIELDS)
    values = []
    for text, (name, low, high) in zip(fields, FIELDS, strict=True):
        if not text or any(not p for p in text.split(",")):
            raise InvalidOperation(f"cron {name}: empty list item")
        found: set[int] = set()
        for part in text.split(","):
            found |= _part(part, name, low, high)
        values.append(found)
    minutes, hours, days, months, weekdays = values
    weekdays = {0 if d == 7 else d for d in weekdays}
    return Cron(
        frozenset(minutes),
        frozenset(hours),
        frozenset(days),
        frozenset(months),
        frozenset(weekdays),
        days_restricted=fields[2] != "*",
        weekdays_restricted=fields[4] != "*",
    )


def validate(recurrence: str) -> str:
    """The recurrence, normalized; InvalidOperation (400) naming the problem otherwise."""
    recurrence = " ".join(str(recurrence or "").split()).lower()
    if recurrence in NAMED:
        return recurrence
    if not recurrence:
        raise InvalidOperation("recurrence must be weekly, monthly or a five-field cron expression")
    cron = parse_cron(recurrence)
    if _next_cron(cron, timezone.now()) is None:
        raise InvalidOperation(f"cron “{recurrence}” never comes due")
    return recurrence


def _add_month(moment: datetime, day: int | None = None) -> datetime:
    """The same time a month later on day `day` (default `moment`'s), or that month's last day if shorter."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    target = day or moment.day
    for candidate in range(target, min(target, 28) - 1, -1):  # the 31st, 30th, 29th, 28th: the first that exists
        try:
            return moment.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


def _next_cron(cron: Cron, after: datetime) -> datetime | None:
    local = timezone.localtime(after).replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = local.replace(hour=0, minute=0)
    for _ in range(SEARCH_DAYS):
        if cron.day_matches(day):
            for hour in sorted(cron.hours):
                for minute in sorted(cron.minutes):
                    candidate = day.replace(hour=hour, minute=minute)
                    if candidate >= local:
                        return timezone.make_aware(candidate.replace(tzinfo=None))
        day += timedelta(days=1)
    return None


def next_due(recurrence: str, after: datetime, day: int | None = None) -> datetime:
    """The first due time strictly after `after` (weekly and monthly keep `after`'s time of day).

    A monthly series keeps its day of the month `day` (the schedule's `day_of_month`): one on the
    31st falls on the 30th in a 30-day month and is back on the 31st the month after.
    """
    if recurrence == "weekly":
        return after + timedelta(weeks=1)
    if recurrence == "monthly":
        return timezone.make_aware(_add_month(timezone.localtime(after), day).replace(tzinfo=None))
    found = _next_cron(parse_cron(recurrence), after)
    if found is None:
        raise InvalidOperation(f"cron “{recurrence}” never comes due")
    return found


def due_after(recurrence: str, due: datetime, now: datetime, day: int | None = None) -> datetime:
    """The first due time of `due`'s series later than `now` (always at least one step after `due`)."""
    if recurrence not in NAMED:
        # Cron times don't depend on the previous one: jump straight past `now`.
        return next_due(recurrence, max(due, now))
    following = next_due(recurrence, due, day)
    while following <= now:
        following = next_due(recurrence, following, day)
    return following


def check_first_due(first: datetime | None, now: datetime) -> None:
    """A chosen first due time is ahead, and near enough that the times after it stay in the calendar."""
    if first is not None and first <= now:
        raise InvalidOperation(FIRST_DUE_PAST)
    if first is not None and first > now + timedelta(days=SEARCH_DAYS):
        raise InvalidOperation("the first due time must be within five years")


def upcoming(recurrence: str, first: datetime, count: int = 3, day: int | None = None) -> list[datetime]:
    """`first` and the due times after it: what a schedule starting at `first` (monthly: on `day`) will do."""
    day = day or anchor_day(recurrence, first)
    times = [first]
    while len(times) < count:
        times.append(next_due(recurrence, times[-1], day))
    return times


def anchor_day(recurrence: str, first: datetime) -> int | None:
    """The day of the month a monthly series keeps (its first due time's); None for the others."""
    return timezone.localtime(first).day if recurrence == "monthly" else None


# Cron numbering (Sunday 0), listed Monday first.
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def describe(recurrence: str, due: datetime, day: int | None = None) -> str:
    """In words where the shape allows ("Every Monday 06:00"), else the cron text itself.

    weekly and monthly keep the time (and weekday or day) of the schedule's due time `due`.
    """
    local = timezone.localtime(due)
    if recurrence == "weekly":
        return f"Every {WEEKDAYS[(local.weekday() + 1) % 7]} {local:%H:%M}"
    if recurrence == "monthly":
        return f"Every month on the {_ordinal(day or local.day)} {local:%H:%M}"
    try:
        cron = parse_cron(recurrence)
    except InvalidOperation:  # stored before a rule changed: show it as it is rather than fail the page
        return recurrence
    if len(cron.minutes) != 1 or len(cron.hours) != 1 or len(cron.months) != 12:
        return recurrence
    at = f"{min(cron.hours):02d}:{min(cron.minutes):02d}"
    if cron.days_restricted and cron.weekdays_restricted:
        return recurrence
    if cron.days_restricted:
        return f"Every month on the {_ordinal(min(cron.days))} {at}" if len(cron.days) == 1 else recurrence
    if not cron.weekdays_restricted or len(cron.weekdays) == 7:
        return f"Every day {at}"
    if cron.weekdays == frozenset(range(1, 6)):
        return f"Every weekday (Monday to Friday) {at}"
    names = [WEEKDAYS[d] for d in sorted(cron.weekdays, key=lambda d: (d + 6) % 7)]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Every {listed} {at}"


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"
