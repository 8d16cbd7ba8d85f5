"""Run the test suite in one stage: `python -m tests.support.runner STAGE [pytest args]`.

Stages:
  embedded   SQLite, in-memory channel layer, in-process tasks
  postgres   the same suite against a throwaway PostgreSQL cluster
  realstack  PostgreSQL + redis-server; the tests marked `realstack` start a
             Celery worker, daphne and Chromium themselves

A missing PostgreSQL, Redis or Chromium fails the stage, on any machine and in
any CI, unless RF_ALLOW_SKIP=1 says skipping is fine (a laptop without them).
Each stage ends with a line of its counts: `== stage NAME: N passed, N skipped, N failed`.
"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

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


def skipping_allowed() -> bool:
    return os.environ.get("RF_ALLOW_SKIP", "") == "1"


def counts(junit_xml: str) -> dict[str, int]:
    """passed / skipped / failed from pytest's JUnit report (errors count as failed)."""
    try:
        root = ET.parse(junit_xml).getroot()
    except (OSError, ET.ParseError):
        return {}
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = {key: sum(int(suite.get(key, 0)) for suite in suites) for key in ("tests", "skipped", "failures", "errors")}
    failed = total["failures"] + total["errors"]
    return {"passed": total["tests"] - total["skipped"] - failed, "skipped": total["skipped"], "failed": failed}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in STAGES:
        print(__doc__)
        return 2
    stage, extra = STAGES[argv[0]], argv[1:]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["RF_TEST_STAGE"] = argv[0]
    # The fakes (ConnectWise, Anthropic) listen on loopback: the operator's switch, set for the suite.
    env["PSA_ALLOW_PRIVATE_HOSTS"] = "1"
    report = os.path.join(tempfile.mkdtemp(prefix="rf-junit-"), f"{argv[0]}.xml")
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
            cmd = [sys.executable, "-m", "pytest", "-m", stage["marker"], "--junitxml", report, *extra]
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
        if not skipping_allowed():
            print(f"== stage {argv[0]} FAILED: {exc} (RF_ALLOW_SKIP=1 skips instead)", file=sys.stderr)
            return 1
        print(f"== stage {argv[0]} skipped on this machine (RF_ALLOW_SKIP=1): {exc}", file=sys.stderr)
        return 0
    found = counts(report)
    if found:
        print(f"== stage {argv[0]}: {found['passed']} passed, {found['skipped']} skipped, {found['failed']} failed")
    # pytest exits 5 when a stage selects no tests; that is a broken stage, not a pass.
    return code


def _exit_on_sigterm(signum, frame):
    # Turn `kill`/timeout into an exception so the ExitStack stops the throwaway
    # PostgreSQL and Redis instead of leaving them running in /tmp.
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.exit(main(sys.argv[1:]))
