"""Live processes for the realstack tests: daphne (HTTP + WebSocket) and a Celery worker, on the test database.

Both run as separate processes, so the data a test writes must be committed
(`django_db(transaction=True)`) and every message between them travels through
the real Redis channel layer and broker — exactly what production depends on.
"""

import atexit
import contextlib
import logging
import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from functools import partial
from urllib.parse import urlsplit, urlunsplit

import django
import kombu.pools
import pytest
import redis
from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from resolutionflow.celery import app as celery_app
from tests.support.services import CHROMIUM, CHROMIUM_ARGS, celery_process, celery_worker, wait_for_port


def unavailable(reason: str) -> None:
    """A missing service fails the run, with the reason, unless RF_ALLOW_SKIP=1 allows a skip."""
    if os.environ.get("RF_ALLOW_SKIP", "") != "1":
        pytest.fail(f"realstack: {reason} (RF_ALLOW_SKIP=1 skips instead)", pytrace=False)
    pytest.skip(f"realstack: {reason}")


def check_stack() -> None:
    """The realstack tests need PostgreSQL, Redis and Chromium; say which one is missing."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        unavailable("needs PostgreSQL shared by several processes (run `make test-realstack`)")
    if not settings.REDIS_URL:
        unavailable("needs REDIS_URL for the channel layer and the Celery broker (run `make test-realstack`)")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        unavailable("CELERY_TASK_ALWAYS_EAGER is on: tasks would never reach the worker")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")


def worker_database_url() -> str:
    """DATABASE_URL of the database pytest-django created, for processes started from a test."""
    db = settings.DATABASES["default"]
    # create_test_db has already switched NAME to the test database in this process.
    base = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(base._replace(path=f"/{db['NAME']}"))


_SPAWN = multiprocessing.get_context("spawn")


class _SpawnedDaphneProcess(DaphneProcess):
    """DaphneProcess in a fresh interpreter instead of a fork.

    A fork of a test process inherits Playwright's driver pipes (so stopping
    Playwright waits forever for the driver to see EOF), the event loop running
    in the test thread and this process's database sockets.
    """

    def __init__(self, *args, database_name: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.database_name = database_name
        # The handshake objects must belong to the spawn context to travel to the child.
        self.port = _SPAWN.Value("i", self.port.value)
        self.ready = _SPAWN.Event()
        self.errors = _SPAWN.Queue()

    @staticmethod
    def _Popen(process_obj):
        return _SPAWN.Process._Popen(process_obj)

    def run(self) -> None:
        # Tests may run the ORM inside Playwright's event loop; the server must not.
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        django.setup()
        logging.getLogger("daphne").setLevel(logging.WARNING)
        settings.DATABASES["default"]["NAME"] = self.database_name
        super().run()


class LiveDaphne:
    """Daphne serving the real ASGI application (HTTP, static files, WebSockets) on a loopback port.

    `stop()` then `start()` brings a fresh process up on the same port; every open
    WebSocket drops abnormally (close code 1006) meanwhile, like a crashed or
    redeployed web replica.
    """

    host = "127.0.0.1"
    startup_timeout = 30.0

    def __init__(self) -> None:
        self.port: int | None = None
        self._process: DaphneProcess | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def start(self) -> "LiveDaphne":
        process = _SpawnedDaphneProcess(
            self.host,
            partial(make_application, static_wrapper=ASGIStaticFilesHandler),
            # Like `make run`: sockets never time out, so htmx never stops reconnecting.
            kwargs={"websocket_timeout": -1},
            port=self.port,
            database_name=settings.DATABASES["default"]["NAME"],
        )
        process.daemon = True
        process.start()
        deadline = time.monotonic() + self.startup_timeout
        while not process.ready.wait(0.2):
            if not process.is_alive() or time.monotonic() > deadline:
                error = "" if process.errors.empty() else process.errors.get(False)[1]
                process.kill()
                raise RuntimeError(f"daphne did not start listening within {self.startup_timeout}s\n{error}")
        self._process, self.port = process, process.port.value
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        self._process = None


@contextlib.contextmanager
def live_celery_worker(ready_timeout: float = 60.0) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process on the test database; returns once it answers a ping."""
    env = {"DATABASE_URL": worker_database_url(), "DJANGO_ALLOW_ASYNC_UNSAFE": None}
    with celery_worker(env, concurrency=1) as proc:
        deadline = time.monotonic() + ready_timeout
        while not celery_app.control.ping(timeout=0.5):
            if proc.poll() is not None:
                raise RuntimeError(f"celery worker exited with {proc.returncode} before it was ready")
            if time.monotonic() > deadline:
                raise TimeoutError(f"celery worker did not answer a ping within {ready_timeout}s")
        yield proc


def reset_broker_connections() -> None:
    """Drop this process's pooled broker connections (dead after a Redis restart); new ones open lazily."""
    # kombu keeps pools in a registry keyed by connection: clear it, or the closed pool comes back.
    kombu.pools.reset()
    # Celery's own reset for connections that are no longer valid (what it runs after a fork).
    celery_app._after_fork()


def wait_for_idle_worker(timeout: float = 20.0) -> None:
    """Until the worker runs and holds no task: a test's database is flushed only after its side effects ran.

    A task still writing while pytest-django truncates every table deadlocks the flush.
    """
    deadline = time.monotonic() + timeout
    inspect = celery_app.control.inspect(timeout=0.5)
    while time.monotonic() < deadline:
        try:
            busy = [inspect.active() or {}, inspect.reserved() or {}, inspect.scheduled() or {}]
        except Exception:
            # A pooled broker connection that died with a Redis restart: drop the pool and ask again.
            reset_broker_connections()
            time.sleep(0.1)
            continue
        if not any(tasks for report in busy for tasks in report.values()):
            return
        time.sleep(0.1)


def chromium_launch_args() -> dict:
    """Launch options for Debian's Chromium (never a downloaded Playwright browser)."""
    if not shutil.which(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@contextlib.contextmanager
def live_celery_beat() -> Iterator[subprocess.Popen]:
    """`celery beat` on the test settings (re-notify, outbox sweep every 15 s), publishing to the test Redis."""
    folder = tempfile.mkdtemp(prefix="rf-beat-")
    env = {"DATABASE_URL": worker_database_url(), "DJANGO_ALLOW_ASYNC_UNSAFE": None}
    try:
        with celery_process(["beat", "--schedule", os.path.join(folder, "schedule")], env) as proc:
            yield proc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def redis_port() -> int:
    return urlsplit(settings.REDIS_URL).port


def stop_redis() -> None:
    """Kill the test Redis the way a crash would: no save, every connection and queued message gone."""
    with contextlib.suppress(redis.exceptions.ConnectionError):
        redis.Redis(host="127.0.0.1", port=redis_port()).shutdown(nosave=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", redis_port()), timeout=0.5).close()
        except OSError:
            return  # nothing listens any more
        time.sleep(0.05)
    raise RuntimeError("redis-server did not stop")


def start_redis() -> subprocess.Popen:
    """A fresh, empty redis-server on the same port (stopped when the test session ends)."""
    folder = tempfile.mkdtemp(prefix="rf-redis-again-")
    proc = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(redis_port()),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(redis_port(), proc=proc)

    def stop() -> None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return proc
