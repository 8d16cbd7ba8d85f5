"""The handoff snapshot: what a session looked like when it was parked or escalated.

Frozen into `Handoff.snapshot` so later edits to the session never rewrite what
the escalator handed over. `flowpilot.ai` providers' `assess()` reads these keys.
Free text is redacted: the snapshot leaves the session (AI, email, PSA).
"""

from django.utils import timezone

from escalations.models import SNAPSHOT_SCHEMA_VERSION
from flowpilot import hooks
from flowpilot.excerpt import output_excerpt
from flowpilot.models import Activity, Session, Step, StepCounts
from flowpilot.redact import redact

RECENT_MESSAGES = 10
MESSAGE_EXCERPT_CHARS = 1000


def _activity_text(activity: Activity) -> str:
    payload = activity.payload or {}
    for key in ("text", "reply", "message", "note"):
        if isinstance(payload.get(key), str):
            return redact(payload[key])[:MESSAGE_EXCERPT_CHARS]
    return ""


def _steps(steps: list[Step]) -> list[dict]:
    return [
        {
            "title": redact(step.title),
            "status": step.status,
            "result_note": redact(step.result_note),
            "output_excerpt": output_excerpt(step.output),
            "is_dead_end": step.is_dead_end,
            "source": step.source,
            "command": redact(step.command),
        }
        for step in steps
    ]


def build_snapshot(session: Session, escalator_notes: str = "") -> dict:
    """Steps with results, recent conversation, notes, counts and time spent, as plain JSON."""
    snapshot = _core(session, escalator_notes)
    for extra in hooks.session_facts(session):
        # Apps above contribute keys (flows: `flow`); they never replace the core ones.
        snapshot.update({key: value for key, value in extra.items() if key not in snapshot})
    return snapshot


def _core(session: Session, escalator_notes: str) -> dict:
    step_rows = list(session.steps.order_by("order"))
    steps = _steps(step_rows)
    conversation = list(
        session.activities.filter(kind__in=[Activity.Kind.MESSAGE, Activity.Kind.AI_REPLY]).order_by("-created_at")[
            :RECENT_MESSAGES
        ]
    )
    notes = [_activity_text(a) for a in session.activities.filter(kind=Activity.Kind.NOTE).order_by("created_at")]
    return {
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "summary": redact(session.problem_summary),
        "domain": session.problem_domain,
        "client": session.client_name,
        "ticket": session.ticket_ref,
        "steps": steps,
        "recent_messages": [
            {
                "role": "user" if a.kind == Activity.Kind.MESSAGE else "assistant",
                "text": _activity_text(a),
                "at": a.created_at.isoformat(),
            }
            for a in reversed(conversation)
        ],
        "notes": [n for n in notes if n],
        "counts": {
            **StepCounts.of(step_rows).as_dict(),
            # done/failed kept beside `tried` for readers of schema 1 snapshots.
            "done": sum(1 for s in step_rows if s.status == Step.Status.DONE),
            "failed": sum(1 for s in step_rows if s.status == Step.Status.FAILED),
            "messages": session.activities.filter(kind=Activity.Kind.MESSAGE).count(),
        },
        "time_spent_s": max(0, int((timezone.now() - session.created_at).total_seconds())),
        "escalator_notes": redact(escalator_notes),
    }
