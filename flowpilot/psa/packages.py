"""Note bodies that upper apps render at a push's first delivery attempt, by push kind.

psa sits inside flowpilot and knows no Handoff. An app above that pushes a package
(escalations: the escalation package) registers its renderer from `AppConfig.ready()`;
delivery calls it with the PsaPush (its `subject_id` names what the package is about).
"""

from collections.abc import Callable

from flowpilot.psa.models import PsaPush

# The renderer answers the redacted body, or None when its subject no longer exists.
PackageRenderer = Callable[[PsaPush], str | None]

_RENDERERS: dict[str, PackageRenderer] = {}


def register_package(kind: str, renderer: PackageRenderer) -> None:
    _RENDERERS[kind] = renderer


def render_package(push: PsaPush) -> str | None:
    """The body for a package push; None when nothing renders this kind or its subject is gone."""
    renderer = _RENDERERS.get(push.kind)
    return renderer(push) if renderer else None
