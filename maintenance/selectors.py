"""Reads of runs: the list, the grid (targets x items), progress and the overdue count for the nav."""

from typing import NamedTuple

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.access import scoped
from accounts.models import User
from maintenance.models import Run, RunItem, RunTarget, Schedule
from maintenance.procedure import action_nodes
from maintenance.recurrence import describe

RECORDED = ~Q(items__status=RunItem.Status.PENDING)


def runs_for(user: User) -> QuerySet:
    """The account's runs, newest first, with item counts (done = no longer pending)."""
    return (
        scoped(Run, user)
        .select_related("assignee", "flow")
        .annotate(total=Count("items"), done=Count("items", filter=RECORDED))
        .order_by("finished_at", "-created_at")
    )


SCHEDULES_SHOWN = 500


def active_schedule_count(user: User) -> int:
    return scoped(Schedule, user).filter(active=True).count()


def schedule_rows(user: User, pk=None) -> list[Schedule]:
    """The account's schedules (active first, soonest due first), each with `words` and `last_run`.

    `last_run` is the newest run it created, with `done`/`total` as in `runs_for`: one subquery
    on the (schedule, due_at) unique index, then one query for those runs.
    """
    newest = Run.objects.filter(schedule=OuterRef("pk")).order_by("-due_at").values("pk")[:1]
    schedules = scoped(Schedule, user).select_related("flow", "assignee").annotate(last_run_id=Subquery(newest))
    if pk is not None:
        schedules = schedules.filter(pk=pk)
    rows = list(schedules.order_by("-active", "next_due_at")[:SCHEDULES_SHOWN])
    runs = runs_for(user).in_bulk([s.last_run_id for s in rows if s.last_run_id])
    for schedule in rows:
        schedule.last_run = runs.get(schedule.last_run_id)
        schedule.words = in_words(schedule)
    return rows


def in_words(schedule: Schedule) -> str:
    """ "Every Monday 06:00": the schedule's recurrence read from its own series (due time, day of month)."""
    return describe(schedule.recurrence, schedule.next_due_at, schedule.day_of_month)


def overdue_count(user: User) -> int:
    """Unfinished runs past their due time (the number next to "Runs" in the nav)."""
    return scoped(Run, user).filter(finished_at__isnull=True, due_at__lt=timezone.now()).count()


def progress(run: Run) -> dict:
    counts = dict(
        RunItem.objects.filter(run=run).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    total = sum(counts.values())
    return {
        "done": total - counts.get(RunItem.Status.PENDING, 0),
        "total": total,
        "failed": counts.get(RunItem.Status.FAILED, 0),
        "skipped": counts.get(RunItem.Status.SKIPPED, 0),
    }


class Cell(NamedTuple):
    """One grid cell: the target's row and the step's column (positions) and the item's status."""

    row: int
    col: int
    status: str


def columns(run: Run) -> list[dict]:
    """The procedure's action nodes, in order: the grid's columns."""
    nodes = action_nodes(run.version.graph)
    return [{"key": n["key"], "text": n.get("text", n["key"]), "col": i} for i, n in enumerate(nodes)]


def grid(run: Run) -> list[tuple[RunTarget, list[Cell]]]:
    """Every target with its cells in column order; two queries, plain tuples for the 10,000 items."""
    targets = list(RunTarget.objects.filter(run=run).order_by("position"))
    cells: dict[int, list[Cell]] = {t.position: [] for t in targets}
    rows = RunItem.objects.filter(run=run).order_by("target__position", "position")
    # Plain (row, col, status) tuples: a Cell per item would cost more than the rest of the page.
    for cell in rows.values_list("target__position", "position", "status"):
        cells[cell[0]].append(cell)
    return [(t, cells[t.position]) for t in targets]


def cells_for(item_ids: list) -> list[Cell]:
    rows = RunItem.objects.filter(pk__in=item_ids).values_list("target__position", "position", "status")
    return [Cell(*row) for row in rows]
