"""Ticket notes in PSA style from a session: problem, steps with outcomes, dead ends, resolution, time.

Every piece of user text goes through flowpilot.redact before it is formatted.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.html import escape

from flowpilot.excerpt import output_excerpt
from flowpilot.models import Activity, Session, Step
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
    notes: list[str]
    resolution: str
    time_spent: str


def format_duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def _collect(session: Session) -> NoteData:
    worked = []
    untried = 0
    for step in session.steps.order_by("order"):
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
        notes=notes,
        resolution=redact(session.resolution_summary),
        time_spent=format_duration(end - session.created_at),
    )


def _markdown(d: NoteData) -> str:
    out = [f"## {d.title}", ""]
    out += [f"**Client:** {d.client or '—'}  ", f"**Ticket:** {d.ticket or '—'}  ", f"**Domain:** {d.domain}", ""]
    out += ["### Problem", d.problem, "", "### Steps tried"]
    if not d.steps:
        out.append("_No steps recorded._")
    for n, step in enumerate(d.steps, 1):
        flag = " — **dead end**" if step.dead_end else ""
        out.append(f"{n}. **{step.title}** — {step.status}{flag}")
        if step.note:
            out.append(f"   {step.note}")
        if step.excerpt:
            out += ["   ```", *[f"   {line}" for line in step.excerpt.splitlines()], "   ```"]
    if d.untried:
        out.append(f"\n_{d.untried} proposed step(s) not tried._")
    if d.dead_ends:
        out += ["", "### Dead ends", *[f"- {s.title}{f': {s.note}' if s.note else ''}" for s in d.dead_ends]]
    if d.notes:
        out += ["", "### Notes", *[f"- {note}" for note in d.notes]]
    out += ["", "### Resolution", d.resolution or f"_Not resolved yet (status: {d.status})._", ""]
    out.append(f"**Time spent:** {d.time_spent}")
    return "\n".join(out) + "\n"


def _text(d: NoteData) -> str:
    out = [d.title.upper(), f"Client: {d.client or '-'}", f"Ticket: {d.ticket or '-'}", f"Domain: {d.domain}", ""]
    out += ["PROBLEM", d.problem, "", "STEPS TRIED"]
    if not d.steps:
        out.append("No steps recorded.")
    for n, step in enumerate(d.steps, 1):
        out.append(f"{n}. {step.title} [{step.status}{', DEAD END' if step.dead_end else ''}]")
        if step.note:
            out.append(f"   Result: {step.note}")
        if step.excerpt:
            out += ["   Output:", *[f"     {line}" for line in step.excerpt.splitlines()]]
    if d.untried:
        out.append(f"({d.untried} proposed step(s) not tried)")
    if d.dead_ends:
        out += ["", "DEAD ENDS", *[f"- {s.title}{f': {s.note}' if s.note else ''}" for s in d.dead_ends]]
    if d.notes:
        out += ["", "NOTES", *[f"- {note}" for note in d.notes]]
    out += ["", "RESOLUTION", d.resolution or f"Not resolved yet (status: {d.status}).", ""]
    out.append(f"Time spent: {d.time_spent}")
    return "\n".join(out) + "\n"


def _html(d: NoteData) -> str:
    e = escape
    out = [f"<h2>{e(d.title)}</h2>", "<p>"]
    out.append(f"<strong>Client:</strong> {e(d.client or '—')}<br>")
    out.append(f"<strong>Ticket:</strong> {e(d.ticket or '—')}<br>")
    out.append(f"<strong>Domain:</strong> {e(d.domain)}</p>")
    out += ["<h3>Problem</h3>", f"<p>{e(d.problem)}</p>", "<h3>Steps tried</h3>"]
    if d.steps:
        out.append("<ol>")
        for step in d.steps:
            flag = " — <strong>dead end</strong>" if step.dead_end else ""
            item = f"<li><strong>{e(step.title)}</strong> — {e(step.status)}{flag}"
            if step.note:
                item += f"<br>{e(step.note)}"
            if step.excerpt:
                item += f"<pre>{e(step.excerpt)}</pre>"
            out.append(item + "</li>")
        out.append("</ol>")
    else:
        out.append("<p><em>No steps recorded.</em></p>")
    if d.untried:
        out.append(f"<p><em>{d.untried} proposed step(s) not tried.</em></p>")
    if d.dead_ends:
        items = "".join(f"<li>{e(s.title)}{f': {e(s.note)}' if s.note else ''}</li>" for s in d.dead_ends)
        out.append(f"<h3>Dead ends</h3><ul>{items}</ul>")
    if d.notes:
        out.append("<h3>Notes</h3><ul>" + "".join(f"<li>{e(n)}</li>" for n in d.notes) + "</ul>")
    resolution = e(d.resolution) if d.resolution else f"<em>Not resolved yet (status: {e(d.status)}).</em>"
    out += ["<h3>Resolution</h3>", f"<p>{resolution}</p>", f"<p><strong>Time spent:</strong> {e(d.time_spent)}</p>"]
    return "\n".join(out) + "\n"


RENDERERS = {"md": _markdown, "txt": _text, "html": _html}


def render_ticket_notes(session: Session, fmt: str) -> str:
    """The session's ticket notes as Markdown ("md"), plain text ("txt") or HTML ("html"), secrets redacted."""
    if fmt not in RENDERERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    return RENDERERS[fmt](_collect(session))
