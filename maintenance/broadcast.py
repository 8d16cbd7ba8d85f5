"""Live grid updates over the channel layer: changed cells and the progress line, out-of-band.

Called from `transaction.on_commit` by the services; never raises into its caller.
The fragments are the page's own: `cells.render_cell` and the `maintenance/run.html#progress` partial.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string

from maintenance import selectors
from maintenance.cells import render_oob
from maintenance.models import Run

logger = logging.getLogger(__name__)


def run_group(run_id) -> str:
    """The channel-layer group of one run's watchers (name within ^[a-zA-Z0-9_.-]+$)."""
    return f"maintenance.run.{str(run_id).replace('-', '')}"


def render_update(run: Run, item_ids: list) -> str:
    """Changed cells and the progress line as out-of-band swaps (the tick response uses it too)."""
    html = render_oob(selectors.cells_for(item_ids))
    return html + render_to_string(
        "maintenance/run.html#progress", {"run": run, "progress": selectors.progress(run), "oob": True}
    )


def items_changed(run_id, item_ids: list) -> None:
    try:
        run = Run.objects.get(pk=run_id)
        html = render_update(run, item_ids)
        async_to_sync(get_channel_layer().group_send)(run_group(run_id), {"type": "run.fragment", "html": html})
    except Exception:
        logger.exception("Live push for run %s failed", run_id)
