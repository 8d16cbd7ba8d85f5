"""An ordered registry: how accounts lets the apps above it contribute (docs/architecture.md).

The home redirect, the demo's parts, the account page's cards and the navigation
bar are each one `Ordered`, filled from the upper apps' `AppConfig.ready()`.
"""

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Ordered(Generic[T]):
    """Named entries in ascending order (ties by name); registering a name again replaces it."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._entries: dict[str, tuple[int, T]] = {}

    def register(self, name: str, order: int, entry: T) -> None:
        # Replace rather than append: ready() runs again in some tests.
        self._entries[name] = (order, entry)

    def __iter__(self) -> Iterator[T]:
        ordered = sorted(self._entries.items(), key=lambda item: (item[1][0], item[0]))
        return (entry for _, (_, entry) in ordered)

    def __repr__(self) -> str:
        return f"<Ordered {self.what}: {', '.join(self._entries)}>"
