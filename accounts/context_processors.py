"""The navigation bar: entries the apps registered from their AppConfig.ready(), filtered by role.

accounts cannot name the pages above it; each app adds its own entry with
`register_nav` (an order, a label, a URL name and the roles that see it).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse

from accounts.access import has_role
from accounts.models import Role
from accounts.registry import Ordered


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[str]
    # A count shown next to the label (e.g. overdue runs), computed by the registering app; 0 hides it.
    badge: Callable | None = None


ENTRIES: Ordered[NavEntry] = Ordered("navigation entries")


def register_nav(
    label: str, order: int, url_name: str, roles: Iterable[str] = tuple(Role), badge: Callable | None = None
) -> None:
    """Add (or replace, when ready() runs again) the entry called `label`; `badge(user) -> int` adds a count."""
    ENTRIES.register(label, order, NavEntry(label, url_name, frozenset(roles), badge))


register_nav("Account", 100, "accounts:settings")


def navigation(request):
    """Navigation entries shown in the base template, per role."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or not user.account_id:
        return {"nav_items": []}
    entries = [entry for entry in ENTRIES if has_role(user, entry.roles)]
    path = request.path
    return {
        "nav_items": [
            (e.label, url, path.startswith(url), e.badge(user) if e.badge else 0)
            for e in entries
            for url in [reverse(e.url_name)]
        ]
    }
