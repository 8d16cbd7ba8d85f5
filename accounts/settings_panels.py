"""Cards that apps above accounts add to the account settings page (`/account/`).

accounts cannot import the apps above it, so each registers a card from its
`AppConfig.ready()`: a function of the request that answers the card's HTML,
computed by that app's own view code (the PSA connection card, for one).
"""

from collections.abc import Callable

from django.http import HttpRequest

SettingsPanel = Callable[[HttpRequest], str]

_PANELS: dict[str, tuple[int, SettingsPanel]] = {}


def register_settings_panel(name: str, order: int, panel: SettingsPanel) -> None:
    """Add (or replace, when ready() runs again) the card called `name`; lower order shows first."""
    _PANELS[name] = (order, panel)


def render_settings_panels(request: HttpRequest) -> list[str]:
    """Every registered card for this member, in order (each already-escaped HTML)."""
    return [panel(request) for _, (_, panel) in sorted(_PANELS.items(), key=lambda item: (item[1][0], item[0]))]
