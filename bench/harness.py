"""Shared harness for the `bench_*` commands (docs/benchmarks.md); `make bench-NAME` runs one.

The bench app is dev-only: it is installed by `bench/settings.py` alone and never
ships in the image (.dockerignore).

A bench runs against real PostgreSQL (and Redis where it needs one). Given no
database URL, or a SQLite one, it starts throwaway servers with the test
harness, migrates, and re-executes itself with DATABASE_URL / REDIS_URL set so
Django's settings pick them up. Given a PostgreSQL URL, it works in a scratch
database on that server and drops it afterwards, so it never touches real data.
Each bench prints a human table and, last, one JSON line.
"""

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tests.support.services import ServiceUnavailable, postgres_cluster, redis_server

MANAGE_PY = str(Path(__file__).resolve().parent.parent / "manage.py")
# Set in the re-executed child: the services are up and the settings point at them.
CHILD_ENV = "RF_BENCH_CHILD"


def child_overrides() -> dict[str, str]:
    """Production-like settings for the child: DEBUG off (no query log), no real mail, no paid AI API."""
    from cryptography.fernet import Fernet

    return {
        # The production settings plus the bench app and plain static storage (bench/settings.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        # Throwaway secrets for the scratch database.
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "EMAIL_URL": "dummymail://",
        "AI_PROVIDER": "offline",
        "ANTHROPIC_API_KEY": "",
        "LOG_LEVEL": "WARNING",
    }


# --- statistics -------------------------------------------------------------


def percentile(values: Sequence[float], percent: float) -> float:
    """Nearest rank on the sorted values at 0-based index round(p/100 x (n - 1)), as the metrics do."""
    ordered = sorted(values)
    return ordered[round(percent / 100 * (len(ordered) - 1))]


def summary_ms(seconds: Sequence[float]) -> dict:
    """n, mean, p50, p95, p99 and max of durations given in seconds, in milliseconds."""
    if not seconds:
        return {"n": 0, "mean_ms": None, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "mean_ms": round(statistics.fmean(ms), 2),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
    }


def timed(func: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    """Call `func` `repeat` times; the durations in seconds and the last result."""
    durations, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        durations.append(time.perf_counter() - started)
    return durations, result


# --- report -------------------------------------------------------------------


@dataclass
class Target:
    name: str
    goal: str
    value: object
    met: bool


@dataclass
class Report:
    bench: str
    figures: dict = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    # 1-minute load average when the bench started: on a shared machine, read every figure beside it.
    load_start: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))

    def row(self, label: str, value: object) -> None:
        self.rows.append((label, str(value)))

    def target(self, name: str, goal: str, value: object, met: bool) -> None:
        self.targets.append(Target(name, goal, value, bool(met)))

    @property
    def all_met(self) -> bool:
        return all(t.met for t in self.targets)

    def as_json(self) -> str:
        return json.dumps(
            {
                "bench": self.bench,
                "all_met": self.all_met,
                "targets": [t.__dict__ for t in self.targets],
                "figures": self.figures,
                "machine": {**machine_facts(), "load_avg_start": self.load_start},
            },
            default=str,
        )

    def write(self, write: Callable[[str], None]) -> None:
        write(f"== bench_{self.bench}")
        width = max([len(label) for label, _ in self.rows] + [10])
        for label, value in self.rows:
            write(f"  {label:<{width}}  {value}")
        if self.targets:
            write(f"  {'target':<{width}}  {'goal':<22} {'measured':<14} met")
            for t in self.targets:
                write(f"  {t.name:<{width}}  {t.goal:<22} {t.value!s:<14} {'yes' if t.met else 'NO'}")
        write(self.as_json())


def machine_facts() -> dict:
    """Cores, memory and versions of what ran the bench."""
    facts = {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
        "load_avg_end": round(os.getloadavg()[0], 2),
    }
    with contextlib.suppress(Exception):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                facts["postgresql"] = cursor.fetchone()[0]
    if getattr(settings, "REDIS_URL", None):
        with contextlib.suppress(Exception):
            import redis

            facts["redis"] = redis.Redis.from_url(settings.REDIS_URL).info("server")["redis_version"]
    return facts


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def _memory_gb() -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


# --- services and re-exec ---------------------------------------------------


def _is_sqlite(url: str) -> bool:
    return not url or url.startswith("sqlite")


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server of `server_url` (dropped afterwards); yields its URL."""
    import psycopg

    parts = urlsplit(server_url)
    name = f"rf_bench_{uuid.uuid4().hex[:10]}"
    admin_url = urlunsplit((parts.scheme.replace("pgsql", "postgresql"), parts.netloc, "/postgres", "", ""))
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise CommandError(f"Could not create a scratch database on {parts.hostname}: {exc}") from exc
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_with_services(command: str, argv: list[str], database_url: str, redis_url: str, needs_redis: bool) -> int:
    """Start what is missing, migrate, and run `manage.py COMMAND ARGV` with the URLs set; its exit code."""
    with contextlib.ExitStack() as stack:
        try:
            if _is_sqlite(database_url):
                print("starting a throwaway PostgreSQL cluster", flush=True)
                database_url = stack.enter_context(postgres_cluster())
            else:
                database_url = stack.enter_context(scratch_database(database_url))
            if needs_redis and not redis_url:
                print("starting a throwaway redis-server", flush=True)
                redis_url = stack.enter_context(redis_server())
        except ServiceUnavailable as exc:
            raise CommandError(f"{exc}; or pass --database-url / --redis-url") from exc
        env = {**os.environ, **child_overrides(), "DATABASE_URL": database_url, CHILD_ENV: "1"}
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        env.setdefault("DJANGO_SETTINGS_MODULE", "resolutionflow.settings")
        # Our own interpreter and manage.py, with arguments the caller passed to this same command.
        subprocess.run([sys.executable, MANAGE_PY, "migrate", "--noinput", "-v", "0"], env=env, check=True)  # noqa: S603
        return subprocess.call([sys.executable, MANAGE_PY, command, *argv], env=env)  # noqa: S603


class BenchCommand(BaseCommand):
    """Base of every bench: service options, re-exec into real services, report printing."""

    bench_name = ""
    needs_redis = False

    def add_arguments(self, parser):
        parser.add_argument("--database-url", default="", help="PostgreSQL server to use (a scratch database)")
        parser.add_argument("--redis-url", default="", help="Redis to use instead of a throwaway one")
        parser.add_argument(
            "--here", action="store_true", help="Run against the configured database as it is (tests, CI)"
        )
        before = len(parser._actions)
        self.add_bench_arguments(parser)
        self._bench_actions = parser._actions[before:]

    def add_bench_arguments(self, parser) -> None:
        """Options of the bench itself (forwarded to the re-executed child)."""

    def handle(self, *args, **opts):
        if not opts["here"] and os.environ.get(CHILD_ENV) != "1":
            database_url = opts["database_url"] or os.environ.get("DATABASE_URL", "")
            redis_url = opts["redis_url"] or os.environ.get("REDIS_URL", "")
            code = run_with_services(
                self._command_name(), self._forwarded(opts), database_url, redis_url, self.needs_redis
            )
            if code:
                raise CommandError(f"bench_{self.bench_name} failed with exit code {code}")
            return
        if connection.vendor != "postgresql" and not opts["here"]:
            raise CommandError("Benchmarks run on PostgreSQL; pass --database-url or leave DATABASE_URL unset.")
        if self.needs_redis and not settings.REDIS_URL and not opts["here"]:
            raise CommandError("This benchmark needs Redis; pass --redis-url or leave REDIS_URL unset.")
        report = Report(self.bench_name)
        self.run_bench(report, **opts)
        report.write(self.stdout.write)

    def run_bench(self, report: Report, **opts) -> None:
        raise NotImplementedError

    def _command_name(self) -> str:
        return self.__module__.rsplit(".", 1)[-1]

    def _forwarded(self, opts: dict) -> list[str]:
        """The bench's own options, as command-line arguments for the child."""
        argv = []
        for action in self._bench_actions:
            value = opts.get(action.dest)
            if value is None or value == action.default or value is False:
                continue
            argv.append(action.option_strings[0])
            if value is not True:
                argv.append(str(value))
        return argv
