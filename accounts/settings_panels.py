"""Cards that apps above accounts add to the account settings page (`/account/`).

accounts cannot import the apps above it, so each registers a card from its
`AppConfig.ready()`: a function of the request that answers the card's HTML,
computed by that app's own view code (the PSA connection card, for one).
"""

from collections.abc import Callable

from django.http import HttpRequest

from accounts.registry import Ordered

SettingsPanel = Callable[[HttpRequest], str]

PANELS: Ordered[SettingsPanel] = Ordered("account settings cards")
register_settings_panel = PANELS.register


def render_settings_panels(request: HttpRequest) -> list[str]:
    """Every registered card for this member, in order (each already-escaped HTML)."""
    return [panel(request) for panel in PANELS]
