"""The deterministic, rule-based copilot: works with no network and no API key.

It matches the problem against a rule book (offline_rules.py), proposes the
rule's steps in order and, in follow-ups, skips what the tech already worked
and says so — a dead end is never proposed again.
"""

import re

from flowpilot.ai import evidence, routing
from flowpilot.ai.base import Assessment, CopilotReply, CopilotRequest, ProposedStep, TriedStep
from flowpilot.ai.offline_rules import CAUSES, GENERIC, RULES, Cause, Rule

MODEL = "offline-rules-v1"
FIRST_BATCH = 4
FOLLOW_UP_BATCH = 3
FALLBACK_SUGGESTIONS = (
    "Re-check the exact error text and when it started",
    "Compare with a working user or device",
    "Collect logs and open a vendor support case",
)


def _norm(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def match_rule(summary: str, domain: str = "", extra: str = "") -> Rule:
    """The rule whose keywords best match the problem (the summary weighs double)."""
    summary, extra = summary.lower(), extra.lower()
    best, best_score = GENERIC, 0
    for rule in RULES:
        score = sum(2 * summary.count(k) + extra.count(k) for k in rule.keywords)
        if score and rule.domain == domain:
            score += 1
        if score > best_score:
            best, best_score = rule, score
    return best


def _remaining(rule: Rule, existing_titles: set[str], tried: list[str] = ()) -> list[ProposedStep]:
    """Rule steps not on the checklist yet and not the same as a step already done or failed."""
    return [
        s
        for s in rule.steps
        if _norm(s.title) not in existing_titles and not any(evidence.same_step(s.title, t) for t in tried)
    ]


def open_causes(rule: Rule, tried: list[str]) -> list[Cause]:
    """The rule's causes that no tried step has ruled out, most likely first."""
    return [
        cause
        for cause in CAUSES.get(rule.key, ())
        if not any(evidence.same_step(rule.steps[i].title, t) for i in cause.tested_by for t in tried)
    ]


def _quote(steps: list[TriedStep]) -> str:
    return ", ".join(f"“{s.title}”" for s in steps)


def _follow_up_preamble(tried: list[TriedStep]) -> list[str]:
    """Sentences that show the follow-up builds on what was tried."""
    dead_ends = [s for s in tried if s.is_dead_end]
    failed = [s for s in tried if s.status == "failed" and not s.is_dead_end]
    done = [s for s in tried if s.status == "done" and not s.is_dead_end]
    lines = []
    if done:
        lines.append(f"Done so far: {_quote(done)}.")
    if dead_ends:
        noun = "a dead end" if len(dead_ends) == 1 else "dead ends"
        lines.append(f"You marked {_quote(dead_ends)} as {noun}, so I'm not suggesting that path again.")
    if failed:
        notes = "; ".join(f"{s.title}: {s.result_note}" for s in failed if s.result_note)
        lines.append(f"{_quote(failed)} failed{f' ({notes})' if notes else ''}, so I'm looking past it.")
    return lines


class OfflineProvider:
    label = "Rule-based (offline)"
    is_rule_based = True
    model = MODEL
    tier = routing.OFFLINE  # one tier for every task: routing has nothing to choose between

    def ask(self, request: CopilotRequest, *, task: str = routing.COPILOT) -> CopilotReply:
        rule = match_rule(request.problem_summary, request.problem_domain, request.question)
        scope = evidence.scope_of(request.problem_summary, request.question)
        existing = {_norm(s.title) for s in request.tried}
        worked = [s for s in request.tried if s.status != "proposed" or s.is_dead_end]
        follow_up = bool(request.history or worked)
        steps = _remaining(rule, existing, evidence.tried_titles(request.tried))
        steps = steps[: FOLLOW_UP_BATCH if follow_up else FIRST_BATCH]

        lines = _follow_up_preamble(worked) if follow_up else [evidence.scoped(rule.assessment, scope)]
        if steps:
            lines.append("Next, try these in order." if follow_up else "Start with these steps, in order.")
        elif request.picked_up:
            # The asker is the senior who picked this up: there is nobody to escalate to.
            lines.append(
                "That covers my playbook for this problem. Look past it: compare with a working "
                f"{'site' if scope == evidence.SITE else 'user or device'}, capture the exact error, and "
                "open a vendor case if it points there."
            )
        else:
            lines.append(
                "That covers my playbook for this problem. If it is still failing, escalate with what you "
                "found so a senior can pick it up."
            )
        steps = [ProposedStep(**{**vars(s), "title": evidence.scoped(s.title, scope)}) for s in steps]
        resolved = [r for r in request.references if r.get("kind") == "resolution"]
        if resolved and not follow_up:
            lines.append(
                f"Your team resolved a similar problem before (“{resolved[0]['title']}”): {resolved[0]['text']}"
            )
        return CopilotReply(reply=" ".join(lines), steps=steps, model=MODEL, tier=routing.OFFLINE)

    def assess(self, snapshot: dict, *, timeout: float = 15.0) -> Assessment:
        steps = snapshot.get("steps") or []
        texts = [*(snapshot.get("recent_messages") or []), *(snapshot.get("notes") or [])]
        context = " ".join(str(t.get("text", "")) if isinstance(t, dict) else str(t) for t in texts)
        summary = snapshot.get("summary", "")
        rule = match_rule(summary, snapshot.get("domain", ""), context)
        scope = evidence.scope_of(summary, snapshot.get("escalator_notes", ""))
        tried = evidence.tried_titles(steps)
        worked = [s for s in steps if s.get("status") in ("done", "failed", "skipped")]
        causes = open_causes(rule, tried)

        # Steps that test the likeliest open cause come first, then the rest of the playbook.
        testing = {rule.steps[i].title for i in causes[0].tested_by} if causes else set()
        remaining = [s.title for s in _remaining(rule, set(), tried)]
        suggestions = [t for t in remaining if t in testing] + [t for t in remaining if t not in testing]
        fallbacks = evidence.not_repeated(FALLBACK_SUGGESTIONS, tried)
        suggestions += [f for f in fallbacks if f not in suggestions][: max(0, 3 - len(suggestions))]
        suggestions = [evidence.scoped(t, scope) for t in suggestions[:5]]

        if causes:
            cause = evidence.scoped(causes[0].text, scope)
            if tried:
                cause += f". Already ruled out: {'; '.join(tried[:3])}"
            confidence = 0.3 if rule is GENERIC else min(0.8, 0.5 + 0.05 * len(worked))
        else:
            cause = (
                f"The usual causes of this problem are ruled out by the {len(tried)} steps tried; "
                f"something specific to this {'site' if scope == evidence.SITE else 'user or device'} is likelier"
            )
            confidence = 0.25
        return Assessment(
            likely_cause=cause, suggested_steps=suggestions, confidence=confidence, model=MODEL, tier=routing.OFFLINE
        )
