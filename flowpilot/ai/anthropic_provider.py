"""The Claude copilot through the official `anthropic` SDK.

Steps come back as data through a forced tool call with a JSON schema, never by
parsing prose. Every SDK failure becomes an AIError with a message a tech can read.
"""

import anthropic
from django.conf import settings

from flowpilot.ai import evidence, routing
from flowpilot.ai.base import AIError, Assessment, CopilotReply, CopilotRequest, ProposedStep

STEPS_TOOL = "propose_steps"
ASSESS_TOOL = "record_assessment"
MAX_STEPS = 8
MAX_TOKENS = 1500

STEPS_SCHEMA = {
    "type": "object",
    "properties": {
        "reply": {"type": "string", "description": "A short assessment for the tech (2-4 sentences)."},
        "confidence": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "How sure you are these steps address the problem (0..1).",
        },
        "steps": {
            "type": "array",
            "maxItems": MAX_STEPS,
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "description": "Imperative, under 80 characters."},
                    "detail": {"type": "string"},
                    "command": {"type": "string", "description": "One command to run, or empty."},
                    "expected_result": {"type": "string"},
                },
                "required": ["title", "detail"],
            },
        },
    },
    "required": ["reply", "steps"],
}

ASSESS_SCHEMA = {
    "type": "object",
    "properties": {
        "likely_cause": {"type": "string", "description": "One or two sentences."},
        "suggested_steps": {
            "type": "array",
            "minItems": 3,
            "maxItems": 5,
            "items": {"type": "string", "description": "A short imperative step."},
        },
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["likely_cause", "suggested_steps", "confidence"],
}

# The same evidence rules as the offline provider (flowpilot/ai/evidence.py).
EVIDENCE_RULES = (
    "Never name as the likely cause something a step marked done, failed or dead end has already ruled out. "
    "Never suggest a step that was already done or failed. Match scope words to the problem: when many users, "
    "a whole office or a site are affected, do not describe it as one user's problem."
)
COPILOT_SYSTEM = (
    "You are a senior MSP engineer looking over a junior tech's shoulder. Give a short assessment and "
    "concrete, separable troubleshooting steps. Build on the steps already tried: never re-propose a step "
    f"marked as a dead end or already done, and say what the results rule out. {EVIDENCE_RULES} Always answer "
    f"with the {STEPS_TOOL} tool."
)
PICKED_UP_NOTE = (
    "The tech asking picked this session up from a colleague's escalation: they are the senior. Never suggest "
    "escalating; give the next concrete checks."
)
ASSESS_SYSTEM = (
    "You review an escalated MSP troubleshooting session for the senior who will pick it up. From what was "
    f"tried, state the most likely cause and 3-5 next steps. {EVIDENCE_RULES} Always answer with the "
    f"{ASSESS_TOOL} tool."
)


def _tried_block(tried) -> str:
    if not tried:
        return "Steps tried so far: none."
    lines = ["Steps tried so far:"]
    for step in tried:
        flag = " [DEAD END]" if step.is_dead_end else ""
        lines.append(f"- {step.title} — {step.status}{flag}")
        if step.result_note:
            lines.append(f"  result: {step.result_note}")
        if step.output_excerpt:
            lines.append(f"  output: {step.output_excerpt}")
    return "\n".join(lines)


def references_block(references) -> list[str]:
    """The team's own knowledge for the prompt: similar resolutions and matching published flows."""
    if not references:
        return []
    lines = ["What this team already knows (similar resolved sessions and published flows; prefer what worked):"]
    lines += [f"- {r.get('kind', '')}: {r.get('title', '')} — {r.get('text', '')}" for r in references]
    return lines


def copilot_prompt(request: CopilotRequest) -> str:
    """The one user message: problem, history, steps tried with results, the question."""
    parts = [
        f"Problem: {request.problem_summary}",
        f"Domain: {request.problem_domain}",
    ]
    if request.client_name:
        parts.append(f"Client: {request.client_name}")
    if request.history:
        parts.append("Conversation so far:")
        parts += [f"{turn['role']}: {turn['text']}" for turn in request.history]
    parts.append(_tried_block(request.tried))
    parts += references_block(request.references)
    parts.append(f"Scope: {_scope_line(request.problem_summary, request.question)}")
    if request.picked_up:
        parts.append(PICKED_UP_NOTE)
    parts.append(f"Tech's question: {request.question}")
    return "\n".join(parts)


def _scope_line(*texts: str) -> str:
    if evidence.scope_of(*texts) == evidence.SITE:
        return "many users or a whole site are affected (not one user's problem)."
    return "as described (no sign that more than one user is affected)."


def assess_prompt(snapshot: dict) -> str:
    tried = evidence.tried_titles(snapshot.get("steps") or [])
    lines = [
        f"Problem: {snapshot.get('summary', '')}",
        f"Domain: {snapshot.get('domain', '')}; client: {snapshot.get('client', '')}",
        f"Ticket: {snapshot.get('ticket', '')}",
        f"Scope: {_scope_line(snapshot.get('summary', ''), snapshot.get('escalator_notes', ''))}",
        f"Already done or failed (do not suggest again): {'; '.join(tried) if tried else 'nothing'}",
        *references_block(snapshot.get("references")),
        "Steps tried:",
    ]
    for step in snapshot.get("steps") or []:
        flag = " [DEAD END]" if step.get("is_dead_end") else ""
        lines.append(f"- {step.get('title', '')} — {step.get('status', '')}{flag}: {step.get('result_note', '')}")
        if step.get("output_excerpt"):
            lines.append(f"  output: {step['output_excerpt']}")
    for note in snapshot.get("notes") or []:
        lines.append(f"Note: {note.get('text', note) if isinstance(note, dict) else note}")
    for message in snapshot.get("recent_messages") or []:
        if isinstance(message, dict):
            lines.append(f"{message.get('role', 'tech')}: {message.get('text', '')}")
    return "\n".join(lines)


def _tool_input(message, name: str) -> dict:
    for block in getattr(message, "content", None) or []:
        is_tool = getattr(block, "type", None) == "tool_use" and getattr(block, "name", None) == name
        if is_tool and isinstance(block.input, dict):
            return block.input
    raise AIError("The copilot's reply was not in the expected format.", kind="malformed")


def _string(data: dict, key: str, limit: int, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise AIError("The copilot's reply was not in the expected format.", kind="malformed")
    return value.strip()[:limit]


def _confidence(value) -> float | None:
    """The model's optional self-rated confidence, clamped to 0..1; anything else counts as not given."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0.0, min(1.0, float(value)))


class AnthropicProvider:
    is_rule_based = False

    def __init__(self):
        fast, deep = routing.model_for_tier(routing.FAST), routing.model_for_tier(routing.DEEP)
        self.model = fast
        self.label = f"Claude ({fast})" if fast == deep else f"Claude ({fast} / {deep})"
        self.client = anthropic.Anthropic(
            api_key=settings.ANTHROPIC_API_KEY or None,
            base_url=settings.ANTHROPIC_BASE_URL or None,
            timeout=settings.AI_TIMEOUT_S,
            max_retries=settings.AI_MAX_RETRIES,
        )

    def _call(self, *, system: str, prompt: str, tool: str, description: str, schema: dict, model: str = "", **options):
        # A caller that names no model is one of the deep tasks built on this call (flow building, proposals).
        model = model or routing.model_for_tier(routing.DEEP)
        try:
            return self.client.messages.create(
                model=model,
                max_tokens=MAX_TOKENS,
                system=system,
                messages=[{"role": "user", "content": prompt}],
                tools=[{"name": tool, "description": description, "input_schema": schema}],
                tool_choice={"type": "tool", "name": tool},
                **options,
            )
        except anthropic.APITimeoutError as exc:
            raise AIError("The copilot took too long to answer. Try again in a moment.", kind="timeout") from exc
        except anthropic.RateLimitError as exc:
            raise AIError("The copilot is busy (rate limited). Try again in a minute.", kind="rate_limited") from exc
        except anthropic.APIConnectionError as exc:
            raise AIError("Could not reach the copilot service.", kind="connection") from exc
        except anthropic.APIStatusError as exc:
            raise AIError(f"The copilot service answered with an error ({exc.status_code}).", kind="error") from exc
        except (anthropic.APIError, ValueError, TypeError, KeyError) as exc:
            # Includes undecodable or schema-violating response bodies.
            raise AIError("The copilot's reply was not in the expected format.", kind="malformed") from exc

    def ask(self, request: CopilotRequest, *, task: str = routing.COPILOT) -> CopilotReply:
        tier = routing.tier_for(task)
        reply = self._ask_once(request, tier)
        if routing.should_escalate(tier, reply.confidence):
            # Once only: the deep answer stands whatever its confidence.
            deep = self._ask_once(request, routing.DEEP)
            deep.escalated_from = reply.model
            return deep
        return reply

    def _ask_once(self, request: CopilotRequest, tier: str) -> CopilotReply:
        model = routing.model_for_tier(tier)
        message = self._call(
            system=COPILOT_SYSTEM,
            prompt=copilot_prompt(request),
            tool=STEPS_TOOL,
            description="Answer the tech with an assessment and structured troubleshooting steps.",
            schema=STEPS_SCHEMA,
            model=model,
        )
        data = _tool_input(message, STEPS_TOOL)
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list) or not all(isinstance(s, dict) for s in raw_steps):
            raise AIError("The copilot's reply was not in the expected format.", kind="malformed")
        steps = [
            ProposedStep(
                title=_string(s, "title", 200, required=True),
                detail=_string(s, "detail", 4000),
                command=_string(s, "command", 2000),
                expected_result=_string(s, "expected_result", 1000),
            )
            for s in raw_steps[:MAX_STEPS]
        ]
        return CopilotReply(
            reply=_string(data, "reply", 8000, required=True),
            steps=steps,
            model=model,
            tier=tier,
            confidence=_confidence(data.get("confidence")),
        )

    def assess(self, snapshot: dict, *, timeout: float) -> Assessment:
        model = routing.model_for(routing.ASSESSMENT)
        message = self._call(
            system=ASSESS_SYSTEM,
            prompt=assess_prompt(snapshot),
            tool=ASSESS_TOOL,
            description="Record the likely cause, next steps and your confidence.",
            schema=ASSESS_SCHEMA,
            model=model,
            timeout=timeout,
        )
        data = _tool_input(message, ASSESS_TOOL)
        suggestions = data.get("suggested_steps")
        confidence = data.get("confidence")
        if (
            not isinstance(suggestions, list)
            or not suggestions
            or not all(isinstance(s, str) and s.strip() for s in suggestions)
            or isinstance(confidence, bool)
            or not isinstance(confidence, int | float)
        ):
            raise AIError("The assessment was not in the expected format.", kind="malformed")
        return Assessment(
            likely_cause=_string(data, "likely_cause", 2000, required=True),
            suggested_steps=[s.strip()[:200] for s in suggestions[:5]],
            confidence=max(0.0, min(1.0, float(confidence))),
            model=model,
            tier=routing.DEEP,
        )
