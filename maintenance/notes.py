"""Per-target ticket notes and the run summary, redacted like a session's notes (flowpilot.redact)."""

from django.template.loader import render_to_string

from flowpilot.excerpt import output_excerpt
from flowpilot.redact import redact
from maintenance.models import Run, RunItem, RunTarget


def _node_texts(run: Run) -> dict[str, str]:
    return {n["key"]: n.get("text", n["key"]) for n in run.version.graph.get("nodes", [])}


def target_facts(target: RunTarget) -> dict:
    """What a target's note says: each item's text, status, note and output excerpt, all redacted."""
    run = target.run
    texts = _node_texts(run)
    items = [
        {
            "text": texts.get(item.node_key, item.node_key),
            "status": item.get_status_display(),
            "note": redact(item.result_note),
            "output": redact(output_excerpt(item.output)) if item.output else "",
            "by": item.done_by.display_name if item.done_by else "",
        }
        for item in target.items.select_related("done_by").order_by("position")
    ]
    done = sum(1 for i in items if i["status"] != RunItem.Status.PENDING.label)
    return {"run": run, "target": target, "items": items, "done": done, "total": len(items)}


def render_target_notes(target: RunTarget) -> str:
    """The plain-text note for one target's ticket (redacted before it leaves the product)."""
    return render_to_string("maintenance/notes/target.txt", target_facts(target)).strip() + "\n"


def target_items(target: RunTarget) -> list[dict]:
    """The target's items with their procedure step, for the target page's forms."""
    nodes = {n["key"]: n for n in target.run.version.graph.get("nodes", [])}
    return [
        {"item": item, "node": nodes.get(item.node_key, {"text": item.node_key})}
        for item in target.items.select_related("done_by").order_by("position")
    ]


def run_summary(run: Run) -> list[dict]:
    """Per target: counts by status and the steps that failed (the run summary page)."""
    texts = _node_texts(run)
    rows: dict = {}
    for target in RunTarget.objects.filter(run=run).order_by("position"):
        rows[target.pk] = {"target": target, "counts": dict.fromkeys(RunItem.Status.values, 0), "failed": []}
    for target_id, key, status, note in RunItem.objects.filter(run=run).values_list(
        "target_id", "node_key", "status", "result_note"
    ):
        row = rows[target_id]
        row["counts"][status] += 1
        if status == RunItem.Status.FAILED:
            row["failed"].append({"text": texts.get(key, key), "note": redact(note)})
    return list(rows.values())
