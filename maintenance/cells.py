"""The grid cell's HTML: one renderer for the page, the tick response and the live broadcast.

A cell is rendered in Python, not by a template partial: a 500 x 20 run has 10,000
of them, and a `{% partial %}` per cell made that page take over 2 s (bench_runs);
this renders all of them in a few tens of milliseconds. A cell holds only numbers
and a status from `RunItem.Status`; the row headers escape the target's names.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from maintenance.models import RunItem, RunTarget
from maintenance.selectors import Cell

PRESSED = {s: ("false" if s == RunItem.Status.PENDING else "true") for s in RunItem.Status.values}


def render_cell(cell: Cell, oob: bool = False) -> str:
    """A toggle button labelled by its row header, column header and status (tick by Tab + Space)."""
    row, col, status = cell
    if status not in PRESSED:
        status = RunItem.Status.PENDING
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<button type="button" id="c{row}-{col}" class="run-cell run-cell-{status}" data-status="{status}"'
        f' aria-labelledby="rt{row} rk{col} c{row}-{col}" aria-pressed="{PRESSED[status]}"{swap}>'
        f'<span class="visually-hidden">{status}</span></button>'
    )


def render_rows(run_id, rows: list[tuple[RunTarget, list[Cell]]]) -> SafeString:
    """The grid's body: per target a row header (link to its page) and its cells."""
    html = []
    for target, cells in rows:
        client = f' <span class="muted small">{escape(target.client_name)}</span>' if target.client_name else ""
        html.append(
            f'<tr><th scope="row" id="rt{target.position}"><a href="/runs/{run_id}/targets/{target.pk}/">'
            f"{escape(target.name)}</a>{client}</th>"
        )
        html.extend(f"<td>{render_cell(cell)}</td>" for cell in cells)
        html.append("</tr>")
    return mark_safe("".join(html))  # noqa: S308 (names escaped above; the rest are numbers, ids and statuses)


def render_oob(cells: list[Cell]) -> str:
    return "".join(render_cell(c, oob=True) for c in cells)
