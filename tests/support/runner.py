"""Run the test suite in one stage: `python -m tests.support.runner STAGE [pytest args]`.

Stages:
  embedded   SQLite, in-memory channel layer, in-process tasks
  postgres   the same suite against a throwaway PostgreSQL cluster
  realstack  PostgreSQL + redis-server; the tests marked `realstack` start a
             Celery worker, daphne and Chromium themselves

Under CI=true a missing PostgreSQL or Redis is a failure, never a skip.
"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile

from tests.support.services import ServiceUnavailable, postgres_cluster, redis_server

STAGES = {
    "embedded": {"postgres": False, "redis": False, "marker": "not realstack"},
    "postgres": {"postgres": True, "redis": False, "marker": "not realstack"},
    "realstack": {"postgres": True, "redis": True, "marker": "realstack"},
}
# daphne and the Celery worker open the test database by name, so it is fixed, not derived.
REALSTACK_TEST_DB = "test_rf_realstack"
# Screenshots of failed browser tests land here (pytest-playwright empties it at start).
REALSTACK_ARTIFACTS = os.path.join(tempfile.gettempdir(), "rf-realstack-artifacts")
# pytest-playwright 0.10's own base_url fixture trips a pytest 10 deprecation; not ours to fix.
PLAYWRIGHT_BASE_URL_WARNING = "ignore:Session-scoped fixtures defined as instance:pytest.PytestRemovedIn10Warning"


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in STAGES:
        print(__doc__)
        return 2
    stage, extra = STAGES[argv[0]], argv[1:]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["RF_TEST_STAGE"] = argv[0]
    # Importing this package ran resolutionflow/celery.py, which set the production
    # settings module in our environment; the suite (and the processes it starts)
    # must use the test settings named in pyproject.toml instead.
    env["DJANGO_SETTINGS_MODULE"] = "resolutionflow.settings_test"
    try:
        with contextlib.ExitStack() as stack:
            if stage["postgres"]:
                env["DATABASE_URL"] = stack.enter_context(postgres_cluster())
            if stage["redis"]:
                env["REDIS_URL"] = stack.enter_context(redis_server())
            cmd = [sys.executable, "-m", "pytest", "-m", stage["marker"], *extra]
            if argv[0] == "realstack":
                env["TEST_DATABASE_NAME"] = REALSTACK_TEST_DB
                # Playwright's sync API runs an event loop in the test thread (tests only; the
                # live processes drop this variable).
                env["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
                cmd += ["--screenshot", "only-on-failure", "--output", REALSTACK_ARTIFACTS]
                cmd += ["-W", PLAYWRIGHT_BASE_URL_WARNING]
            print(f"== stage {argv[0]}: {' '.join(cmd[2:])}", flush=True)
            code = subprocess.call(cmd, env=env)
    except ServiceUnavailable as exc:
        if os.environ.get("CI") == "true":
            print(f"== stage {argv[0]} FAILED: {exc}", file=sys.stderr)
            return 1
        print(f"== stage {argv[0]} skipped on this machine: {exc}", file=sys.stderr)
        return 0
    # pytest exits 5 when a stage selects no tests; that is a broken stage, not a pass.
    return code


def _exit_on_sigterm(signum, frame):
    # Turn `kill`/timeout into an exception so the ExitStack stops the throwaway
    # PostgreSQL and Redis instead of leaving them running in /tmp.
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.exit(main(sys.argv[1:]))
