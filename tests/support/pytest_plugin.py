"""Fixtures for the realstack tests (registered from the root conftest.py).

A realstack test is marked `realstack` and `django_db(transaction=True)`, and
asks for `live_stack` (daphne + a Celery worker on the test database),
`signed_in_page(user)` (a Chromium page of its own browser context, logged in),
optionally `daphne_replica` (a second web process) and `measure` (observations
printed after the run). Helpers for flows live in tests/support/browser.py.
"""

import os
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from tests.support.live import (
    LiveDaphne,
    check_stack,
    chromium_launch_args,
    live_celery_worker,
    wait_for_idle_worker,
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options, pointed at Debian's Chromium."""
    return {**browser_type_launch_args, **chromium_launch_args()}


@pytest.fixture(scope="session")
def realstack_checked() -> Iterator[None]:
    """Fail (CI) or skip (laptop) unless PostgreSQL, Redis and Chromium are all there."""
    check_stack()
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the
    # test itself makes are safe there. Live processes get this variable removed.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def daphne_server(realstack_checked, django_db_setup, django_db_blocker) -> Iterator[LiveDaphne]:
    """One daphne process for the session, serving the test database."""
    with django_db_blocker.unblock():
        server = LiveDaphne().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _daphne_replica_process(realstack_checked, django_db_setup, django_db_blocker) -> Iterator[LiveDaphne]:
    with django_db_blocker.unblock():
        server = LiveDaphne().start()
    yield server
    server.stop()


@pytest.fixture
def daphne_replica(live_stack, _daphne_replica_process: LiveDaphne) -> LiveDaphne:
    """A second web process on its own port: what it broadcasts must reach `live_stack`'s sockets via Redis."""
    if not _daphne_replica_process.is_running:
        _daphne_replica_process.start()
    return _daphne_replica_process


@pytest.fixture(scope="session")
def celery_worker_process(realstack_checked, django_db_setup):
    """One real Celery worker for the session, consuming from the test Redis broker."""
    with live_celery_worker() as proc:
        yield proc


@pytest.fixture
def live_stack(transactional_db, daphne_server: LiveDaphne, celery_worker_process) -> Iterator[LiveDaphne]:
    """daphne + worker for this test; a server a previous test left stopped is started again."""
    if not daphne_server.is_running:
        daphne_server.start()
    if celery_worker_process.poll() is not None:
        pytest.fail(f"the Celery worker died (exit {celery_worker_process.returncode})")
    yield daphne_server
    # Before pytest-django truncates the tables: the test's tasks must have finished.
    wait_for_idle_worker()


@pytest.fixture
def signed_in_page(live_stack: LiveDaphne, new_context) -> Callable:
    """`signed_in_page(user, server=None, **context_options)` → a page in a fresh browser context, logged in.

    The page talks to `server` (default: `live_stack`). JavaScript errors on the
    page are collected in `page.js_errors` so flows can assert that nothing broke.
    """

    def open_page(user, server: LiveDaphne | None = None, **context_options):
        server = server or live_stack
        client = Client()
        client.force_login(user)
        context = new_context(base_url=server.url, **context_options)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}])
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        return page

    return open_page


_measurements: list[tuple[str, str, float]] = []


@pytest.fixture
def measure(request) -> Callable[[str, float], None]:
    """`measure(label, seconds)`: an observation (not an assertion) printed after the run."""

    def record(label: str, seconds: float) -> None:
        _measurements.append((request.node.name, label, seconds))

    return record


def pytest_terminal_summary(terminalreporter) -> None:
    if not _measurements:
        return
    terminalreporter.section("realstack measurements")
    for test, label, seconds in _measurements:
        terminalreporter.write_line(f"{label}: {seconds * 1000:.0f} ms  ({test})")
