"""The command palette: a registry of result sources and the one function that asks them.

A source is a function `(user, q, limit) -> list[Item]` registered under a name with
`register_source(name, order, label, fn, roles=...)`, usually from an AppConfig.ready().
Each source queries only the user's account (accounts.access.scoped) and returns at
most `limit` items; the palette shows the groups in ascending order, and a source
whose roles exclude the user is never called. To add a source (e.g. maintenance runs
after that app merges): write the function in assistant/sources.py and register it
in assistant/apps.py; a source that raises is a bug, not a hidden empty group.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from accounts.access import has_role
from accounts.models import Role, User
from accounts.registry import Ordered

MAX_QUERY_CHARS = 200
PER_SOURCE = 5


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    hint: str = ""  # one short line: status, domain, ticket…


@dataclass(frozen=True)
class Source:
    name: str
    label: str  # the group heading, e.g. "Sessions"
    fetch: Callable[[User, str, int], list[Item]]
    roles: frozenset[str] = field(default_factory=lambda: frozenset(Role))
    limit: int = PER_SOURCE


@dataclass(frozen=True)
class Group:
    name: str
    label: str
    items: list[Item]


SOURCES: Ordered[Source] = Ordered("palette sources")


def register_source(
    name: str,
    order: int,
    label: str,
    fetch: Callable[[User, str, int], list[Item]],
    roles: Iterable[str] = tuple(Role),
    limit: int = PER_SOURCE,
) -> None:
    """Add (or replace) the source called `name`; `roles` are the account roles that see it."""
    SOURCES.register(name, order, Source(name, label, fetch, frozenset(roles), limit))


def clean_query(q: str) -> str:
    """The query as the sources get it: one line, whitespace collapsed, capped."""
    return " ".join(str(q or "").split())[:MAX_QUERY_CHARS]


def results(user: User, q: str) -> list[Group]:
    """Non-empty groups of results for `user`'s account, in the registry's order."""
    q = clean_query(q)
    groups = []
    for source in SOURCES:
        if not has_role(user, source.roles):
            continue
        items = source.fetch(user, q, source.limit)[: source.limit]
        if items:
            groups.append(Group(source.name, source.label, items))
    return groups
