"""Ticket notes in PSA style from a session: problem, steps with outcomes, dead ends, resolution, time.

`_collect` gathers the facts once (every piece of user text through flowpilot.redact);
one template per format renders them.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.template.loader import render_to_string
from django.utils import timezone

from flowpilot import hooks
from flowpilot.excerpt import output_excerpt
from flowpilot.models import Activity, Session, Step, StepCounts
from flowpilot.redact import redact

FORMATS = ("md", "txt", "html")
CONTENT_TYPES = {"md": "text/markdown", "txt": "text/plain", "html": "text/html"}


@dataclass
class NoteStep:
    title: str
    status: str
    note: str
    excerpt: str
    dead_end: bool
    truncated: bool

    @property
    def excerpt_lines(self) -> list[str]:
        return self.excerpt.splitlines()

    @property
    def fence(self) -> str:
        """A Markdown code fence longer than any run of backticks in the output."""
        longest = max((len(run) for run in re.findall(r"`+", self.excerpt)), default=0)
        return "`" * max(3, longest + 1)


@dataclass
class NoteData:
    title: str
    problem: str
    client: str
    ticket: str
    domain: str
    status: str
    steps: list[NoteStep]
    dead_ends: list[NoteStep]
    untried: int
    counts: StepCounts
    notes: list[str]
    resolution: str
    time_spent: str
    # (heading, lines) contributed by apps above flowpilot, e.g. the guided flow's path.
    sections: list[tuple[str, list[str]]]


def format_duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def _collect(session: Session) -> NoteData:
    worked = []
    untried = 0
    all_steps = list(session.steps.order_by("order"))
    for step in all_steps:
        if step.status == Step.Status.PROPOSED and not step.is_dead_end and not step.result_note and not step.output:
            untried += 1
            continue
        worked.append(
            NoteStep(
                title=redact(step.title),
                status=step.get_status_display(),
                note=redact(step.result_note),
                excerpt=output_excerpt(step.output) if step.output else "",
                dead_end=step.is_dead_end,
                truncated=step.output_truncated,
            )
        )
    notes = [
        redact(a.payload.get("text", ""))
        for a in session.activities.filter(kind=Activity.Kind.NOTE).order_by("created_at")
    ]
    end = session.resolved_at or timezone.now()
    return NoteData(
        title=f"Ticket {session.ticket_ref}" if session.ticket_ref else "Troubleshooting notes",
        problem=redact(session.problem_summary),
        client=session.client_name,
        ticket=session.ticket_ref,
        domain=session.get_problem_domain_display(),
        status=session.get_status_display(),
        steps=worked,
        dead_ends=[s for s in worked if s.dead_end],
        untried=untried,
        counts=StepCounts.of(all_steps),
        notes=notes,
        resolution=redact(session.resolution_summary),
        time_spent=format_duration(end - session.created_at),
        sections=[
            (heading, [redact(line) for line in lines])
            for found in hooks.ticket_notes_sections(session)
            for heading, lines in found
        ],
    )


def render_ticket_notes(session: Session, fmt: str) -> str:
    """The session's ticket notes as Markdown ("md"), plain text ("txt") or HTML ("html"), secrets redacted."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    # One template per format (flowpilot/templates/flowpilot/notes/); Markdown escapes user text with `|md`.
    text = render_to_string(f"flowpilot/notes/ticket.{fmt}", {"ticket": _collect(session)})
    return text.rstrip("\n") + "\n"
