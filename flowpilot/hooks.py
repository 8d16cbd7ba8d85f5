"""Named extension points of a session that upper apps fill at start-up.

`flowpilot` sits low in the house (accounts <- flowpilot <- escalations <- analytics,
new apps above) and must never import an app above it. Where a session event
matters to an upper app (escalations keeps `Handoff.first_action_at`, flows and
the knowledge loop react to a resolve), that app registers a receiver here from
its `AppConfig.ready()`. Each hook is named for what happened; receivers run in
registration order, inside the caller's transaction unless the hook says otherwise.
Upper apps contribute to the session page the same way (`session_page`).
"""

from collections.abc import Callable
from typing import Any


class Hook:
    """A list of receivers called in order with the same arguments."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Callable[..., Any]] = []

    def register(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add `receiver` once (re-running ready() in tests must not double it); usable as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        return [receiver(*args, **kwargs) for receiver in self._receivers]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"


activity_recorded = Hook(
    "activity_recorded",
    "Called with the new Activity inside the transaction that appended it.",
)

session_page = Hook(
    "session_page",
    "Called with (request, session) when the session page renders. Each receiver returns a dict of "
    "slot name to HTML it computed itself; the page offers the slots 'toolbar' (beside Resolve), "
    "'workspace' (main column above the steps: the flow runner), 'composer' (under the copilot's message "
    "input) and 'side' (the side column: share links). Also called for the page's htmx fragments.",
)

session_resolved = Hook(
    "session_resolved",
    "Called with (session, user) inside the resolve transaction, after the RESOLVED Activity.",
)


knowledge_context = Hook(
    "knowledge_context",
    "Called with (account_id, text, domain) when the copilot or the assessment builds its prompt; each "
    "receiver returns a list of references {'kind', 'title', 'text'} (plain, redacted) of the account, "
    "e.g. matching published flows. Shown to the tech as 'based on: …'.",
)

new_session_panels = Hook(
    "new_session_panels",
    "Called with (request, form) while rendering the new-session page; each receiver returns HTML or ''.",
)

session_facts = Hook(
    "session_facts",
    "Called with (session) when a handoff snapshot is taken; each receiver returns a dict of extra "
    "top-level snapshot keys (plain JSON, secrets redacted), e.g. {'flow': {...}}.",
)

session_api_fields = Hook(
    "session_api_fields",
    "Called with no arguments when GET /api/v1/sessions/{id}/ builds its serializer (and so the OpenAPI "
    "schema); each receiver returns {name: a new read-only DRF field} that renders its value from the "
    "session (source='*'), e.g. flows' `flow_run`. Fields, not values, so the schema documents them.",
)

ticket_notes_sections = Hook(
    "ticket_notes_sections",
    "Called with (session) by the ticket notes; each receiver returns a list of (heading, [lines]) "
    "sections printed after the steps. Lines are plain text; the notes redact and escape them.",
)
