"""`|md`: user text made literal in Markdown ticket notes (flowpilot/templates/flowpilot/notes/ticket.md)."""

import re

from django import template

register = template.Library()

# Inline markup anywhere; block markup (heading, quote, list) only at the start of a line.
INLINE = re.compile(r"([\\`*_\[\]<>|~])")
BLOCK = re.compile(r"^(\s*)([#>+-]|\d+[.)])", re.MULTILINE)
# Redaction markers are ours and must read as they are ("Password: [REDACTED]").
MARKER = re.compile(r"\[REDACTED[^\]\n]*\]")


@register.filter
def md(value) -> str:
    """Escape Markdown's special characters so a ticket note shows the tech's text, not formatting."""
    parts = []
    text = str(value or "")
    position = 0
    for match in MARKER.finditer(text):
        parts += [INLINE.sub(r"\\\1", text[position : match.start()]), match.group()]
        position = match.end()
    parts.append(INLINE.sub(r"\\\1", text[position:]))
    return BLOCK.sub(lambda m: m.group(1) + "\\" + m.group(2), "".join(parts))
