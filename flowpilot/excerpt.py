"""The one step-output excerpt: used by the copilot's context, the handoff snapshot and the ticket notes."""

from flowpilot.redact import redact

EXCERPT_LINES = 8
EXCERPT_CHARS = 600
GAP = "…"


def output_excerpt(output: str, *, max_lines: int = EXCERPT_LINES, max_chars: int = EXCERPT_CHARS) -> str:
    """Head and tail of command output, secrets redacted: the command's echo and its final error both matter.

    Redacted before it is cut, so a secret that straddles the cut never leaks half of itself.
    """
    text = redact(output or "").strip()
    lines = text.splitlines()
    if len(lines) <= max_lines and len(text) <= max_chars:
        return text
    half_lines, half_chars = max(1, max_lines // 2), max_chars // 2
    head = "\n".join(lines[:half_lines])[:half_chars].rstrip()
    tail = "\n".join(lines[-half_lines:])[-half_chars:].lstrip()
    return f"{head}\n{GAP}\n{tail}"
