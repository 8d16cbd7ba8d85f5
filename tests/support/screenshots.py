"""Screenshots of the queue, the handoff-context screen and the dashboard for the README.

`python -m tests.support.screenshots [OUTDIR]` (or `make screenshots`): seeds
the demo into a throwaway SQLite database, serves it with daphne exactly as
`make run` does, signs in as the demo senior through the login form and saves
full-page PNGs at 1280 px and 375 px widths (default OUTDIR: docs/screenshots).
"""

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.support.services import CHROMIUM, CHROMIUM_ARGS, free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent.parent
SENIOR_EMAIL = "sam@northwind.test"  # accounts/demo.py: the Northwind senior (admin role)
DEMO_PASSWORD = "resolve-2026"
WIDTHS = [(1280, 800), (375, 812)]


def _env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    # The embedded default: SQLite, in-memory channel layer, in-process tasks, offline AI.
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="resolutionflow.settings")
    env.pop("ANTHROPIC_API_KEY", None)
    return env


@contextlib.contextmanager
def demo_server(workdir: Path) -> Iterator[str]:
    """Migrate and seed a fresh database, then serve it with daphne; yields the base URL."""
    env = _env(workdir / "demo.sqlite3")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "seed_demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "resolutionflow.asgi:application"]
    proc = subprocess.Popen(daphne, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))


def show_queue(page: Page) -> None:
    page.goto("/escalations/")
    expect(page.get_by_test_id("queue-card").first).to_be_visible()


def show_dashboard(page: Page) -> None:
    page.goto("/analytics/escalations/")
    expect(page.get_by_test_id("kpi-ttfa-avg")).to_be_visible()


def show_context(page: Page) -> None:
    """The newest escalation's handoff-context screen (opening it marks the card read, so it comes last)."""
    page.goto("/escalations/")
    page.goto(page.get_by_test_id("open-handoff").first.get_attribute("href"))
    expect(page.get_by_test_id("context-assessment")).to_be_visible()


SCREENS = {"queue": show_queue, "dashboard": show_dashboard, "context": show_context}


def main(argv: list[str]) -> int:
    outdir = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    outdir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="rf-shots-") as tmp,
        demo_server(Path(tmp)) as base_url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = []
        for width, height in WIDTHS:
            context = browser.new_context(
                base_url=base_url, viewport={"width": width, "height": height}, reduced_motion="reduce"
            )
            pages.append(context.new_page())
            sign_in(pages[-1], SENIOR_EMAIL)
        for name, show in SCREENS.items():
            for page in pages:
                show(page)
                path = outdir / f"{name}-{page.viewport_size['width']}.png"
                page.screenshot(path=path, full_page=True, animations="disabled")
                print(path)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
