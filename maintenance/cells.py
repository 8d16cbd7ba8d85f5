"""The grid cell's HTML: one renderer for the page, the tick response and the live broadcast.

A cell is rendered in Python, not by a template partial: a 500 x 20 run has 10,000
of them, and a `{% partial %}` per cell made that page take over 2 s (bench_runs);
this renders all of them in a few milliseconds. Every value in it is a number or
a status from `RunItem.Status`, so nothing user-supplied reaches this markup.
"""

from django.utils.safestring import SafeString, mark_safe

from maintenance.models import RunItem
from maintenance.selectors import Cell

PRESSED = {s: ("false" if s == RunItem.Status.PENDING else "true") for s in RunItem.Status.values}


def cell_id(row: int, col: int) -> str:
    return f"c{row}-{col}"


def render_cell(cell: Cell, oob: bool = False) -> str:
    """A toggle button labelled by its row header, column header and status (tick by Tab + Space)."""
    status = cell.status if cell.status in PRESSED else RunItem.Status.PENDING
    ident = cell_id(cell.row, cell.col)
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<button type="button" id="{ident}" class="run-cell run-cell-{status}" data-status="{status}"'
        f' aria-labelledby="rt{cell.row} rk{cell.col} {ident}" aria-pressed="{PRESSED[status]}"'
        f'{swap}><span class="visually-hidden">{status}</span></button>'
    )


def render_row(cells: list[Cell]) -> SafeString:
    return mark_safe("".join(f"<td>{render_cell(c)}</td>" for c in cells))  # noqa: S308 (numbers and statuses only)


def render_oob(cells: list[Cell]) -> str:
    return "".join(render_cell(c, oob=True) for c in cells)
