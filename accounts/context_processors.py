"""The navigation bar: entries the apps registered from their AppConfig.ready(), filtered by role.

accounts cannot name the pages above it; each app adds its own entry with
`register_nav` (an order, a label, a URL name, the roles that see it and, optionally,
a callable that counts what waits there for the user, e.g. pending proposals — the
context processor calls it, so templates never query).
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
    count: Callable | None = None
    # What the count means, for screen readers ("waiting", "overdue").
    count_label: str = "waiting"


ENTRIES: Ordered[NavEntry] = Ordered("navigation entries")


def register_nav(
    label: str,
    order: int,
    url_name: str,
    roles: Iterable[str] = tuple(Role),
    count: Callable | None = None,
    count_label: str = "waiting",
) -> None:
    """Add (or replace, when ready() runs again) the entry called `label`; `count(user)` -> int shows a badge."""
    ENTRIES.register(label, order, NavEntry(label, url_name, frozenset(roles), count, count_label))


register_nav("Account", 100, "accounts:settings")


def navigation(request):
    """Navigation entries shown in the base template, per role: (label, url, current, count or 0)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or not user.account_id:
        return {"nav_items": []}
    entries = [entry for entry in ENTRIES if has_role(user, entry.roles)]
    path = request.path
    items = []
    for entry in entries:
        url = reverse(entry.url_name)
        count = entry.count(user) if entry.count else 0
        items.append((entry.label, url, path.startswith(url), count, entry.count_label))
    return {"nav_items": items}
