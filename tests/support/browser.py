"""Helpers shared by the browser flows: open the live queue, time arrivals, act off Playwright's loop.

Pages are found by role, label or `data-testid` only (STYLE.md), never by CSS classes or copy.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connections
from playwright.sync_api import Page

from flowpilot import services as flowpilot
from flowpilot.models import Session, Step

QUEUE_ROWS = "/escalations/queue/rows/"

# Records, in the page, when a queue card first appears and what animation it has at that moment.
ARRIVAL_PROBE = """
() => {
  window.rfArrivals = {};
  window.rfAnimations = [];
  document.addEventListener("animationstart", (e) => window.rfAnimations.push(e.animationName), true);
  new MutationObserver((mutations) => {
    for (const m of mutations) for (const node of m.addedNodes) {
      if (node.nodeType !== 1) continue;
      const sel = "[data-testid=queue-card]";
      const cards = node.matches(sel) ? [node] : node.querySelectorAll(sel);
      for (const card of cards) {
        if (window.rfArrivals[card.dataset.handoffId]) continue;
        window.rfArrivals[card.dataset.handoffId] = {
          at: performance.timeOrigin + performance.now(),
          animation: getComputedStyle(card).animationName,
        };
      }
    }
  }).observe(document.getElementById("queue-list"), {childList: true, subtree: true});
}
"""


def open_live_queue(page: Page) -> None:
    """Open /escalations/ and return once the WebSocket is open (its wsOpen re-fetch has answered)."""
    with page.expect_response(lambda response: QUEUE_ROWS in response.url and response.ok):
        page.goto("/escalations/")
    page.evaluate(ARRIVAL_PROBE)


def arrival_ms(page: Page, handoff_id) -> float:
    """Epoch milliseconds at which the card of `handoff_id` appeared in the page's queue."""
    return page.evaluate("(id) => window.rfArrivals[id].at", str(handoff_id))


def arrival_animation(page: Page, handoff_id) -> str:
    """The card's computed animation-name when it was inserted ("none" when it does not move)."""
    return page.evaluate("(id) => window.rfArrivals[id].animation", str(handoff_id))


def now_ms(page: Page) -> float:
    """The browser's clock (shared by every page of one browser) in epoch milliseconds."""
    return page.evaluate("() => performance.timeOrigin + performance.now()")


def off_loop(func: Callable[..., Any], *args, **kwargs) -> Any:
    """Call `func` in a fresh thread and return its result.

    The test thread runs Playwright's event loop, where the services' after-commit
    broadcast (async_to_sync) cannot run; a plain thread can, as in a real request.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = func(*args, **kwargs)
        except BaseException as exc:  # re-raised in the test thread
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if thread.is_alive():
        raise TimeoutError(f"{func!r} did not return within 60s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def wait_for(probe: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll `probe` (e.g. a database read) until it returns something truthy; that value is returned."""
    deadline = time.monotonic() + timeout
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing truthy from {probe!r} within {timeout}s")
        time.sleep(interval)
    return value


def stuck_session(tech, summary: str = "Outlook prompts for a password every few minutes") -> Session:
    """An active session of `tech` with two results recorded, one of them a dead end."""
    session = flowpilot.open_session(
        tech, problem_summary=summary, problem_domain="email", client_name="Fabrikam", ticket_ref="T-4821"
    )
    flowpilot.add_step(
        session,
        tech,
        title="Clear cached credentials",
        status=Step.Status.FAILED,
        result_note="Prompt came back after 5 minutes",
        is_dead_end=True,
    )
    flowpilot.add_step(
        session, tech, title="Check modern auth on the tenant", status=Step.Status.DONE, result_note="Enabled"
    )
    return session
