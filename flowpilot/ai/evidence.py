"""What the evidence of a session allows an assessment to say, for every provider.

Three rules (issue 13): the likely cause is never something a step already ruled
out; suggestions never repeat a step done or failed; scope words follow the problem
(a site-wide outage is not "the user's"). The offline provider builds its answer
with these helpers, the Anthropic prompt states them, and escalations.assessment
filters any provider's suggestions through `not_repeated` before storing them.
"""

import re
from collections.abc import Iterable

# A step with one of these outcomes was tried: its hypothesis is ruled out and it is not suggested again.
TRIED = frozenset({"done", "failed"})
SITE, USER = "site", "user"

_STOP = frozenset(
    {
        *("a", "an", "and", "are", "for", "from", "has", "have", "into", "its", "not", "of", "on", "or"),
        *("the", "their", "then", "this", "that", "to", "with"),
        *("check", "confirm", "verify", "test", "run", "make", "sure", "again"),
    }
)
_SITE_WIDE = re.compile(
    # One optional word between ("the whole sales team", "all remote users").
    r"\b(?:all|every|whole|entire|multiple|several|many)\s+(?:of\s+the\s+)?(?:[a-z-]+\s+)?"
    r"(?:users|staff|people|employees|pcs|computers|devices|machines|laptops|printers|sites|offices|office|site|"
    r"company|building|floor|branch|network|tenant|team|teams|department|departments)\b"
    r"|\b(?:everyone|everybody|nobody|no one|site[- ]?wide|company[- ]?wide|office[- ]?wide|outage)\b",
    re.IGNORECASE,
)
# Per-user phrasing in rule text and its site-wide counterpart.
_USER_WORDS = (
    (re.compile(r"\bthe user's\b"), "the site's"),
    (re.compile(r"\bthe user\b"), "the affected users"),
    (re.compile(r"\btheir phone\b"), "their phones"),
)


def _words(title: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return {w.rstrip("s") for w in words if len(w) > 2 and w not in _STOP}


def same_step(a: str, b: str) -> bool:
    """Two step titles describe the same action ("Recreate the Outlook profile" ~ "Create a fresh Outlook profile")."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return a.strip().lower() == b.strip().lower()
    shared = wa & wb
    return wa == wb or (len(shared) >= 2 and len(shared) / min(len(wa), len(wb)) >= 0.6)


def was_tried(step: dict) -> bool:
    """Done, failed or flagged a dead end (snapshot step dicts or TriedStep-like objects)."""
    get = step.get if isinstance(step, dict) else lambda key, default=None: getattr(step, key, default)
    return get("status") in TRIED or bool(get("is_dead_end"))


def tried_titles(steps: Iterable) -> list[str]:
    """Titles of the steps that were tried (done, failed or a dead end)."""
    out = []
    for step in steps:
        if was_tried(step):
            out.append(step["title"] if isinstance(step, dict) else step.title)
    return out


def not_repeated(suggestions: Iterable[str], tried: list[str]) -> list[str]:
    """`suggestions` without any step already done or failed, and without duplicates."""
    kept: list[str] = []
    for suggestion in suggestions:
        if any(same_step(suggestion, t) for t in tried) or any(same_step(suggestion, k) for k in kept):
            continue
        kept.append(suggestion)
    return kept


def scope_of(*texts: str) -> str:
    """SITE when the problem text speaks of many users, a whole office or an outage; else USER."""
    return SITE if any(_SITE_WIDE.search(t or "") for t in texts) else USER


def scoped(text: str, scope: str) -> str:
    """Rule text with per-user wording turned site-wide when the problem is site-wide."""
    if scope != SITE:
        return text
    for pattern, replacement in _USER_WORDS:
        text = pattern.sub(replacement, text)
    return text
