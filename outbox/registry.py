"""Handlers by kind. Apps above register theirs from `AppConfig.ready()` (or their tasks module).

A handler takes the message's `args` as keyword arguments, must be idempotent
(a message can run twice: redelivery, a sweep after a lost broker message), and
may raise `RetryLater` to be run again after a delay.
"""

from collections.abc import Callable

_handlers: dict[str, Callable[..., object]] = {}


class RetryLater(Exception):
    """Raised by a handler: not done yet, run again in `countdown` seconds."""

    def __init__(self, countdown: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {countdown:g}s")
        self.countdown = countdown
        self.reason = reason


def register(kind: str) -> Callable[[Callable], Callable]:
    def decorator(func: Callable) -> Callable:
        _handlers[kind] = func
        return func

    return decorator


def handler_for(kind: str) -> Callable[..., object] | None:
    return _handlers.get(kind)
