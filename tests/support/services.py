"""Throwaway PostgreSQL, Redis and Celery processes on loopback for tests and benchmarks.

Each is a context manager that starts the real server in a temporary directory
on a free port, yields its URL and removes everything afterwards.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Debian's Chromium, never a browser downloaded by `playwright install`.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PG_BIN_DIRS = ["/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin"]


class ServiceUnavailable(RuntimeError):
    """A binary the stage needs is not installed on this machine."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


def find_pg_bin(name: str) -> str:
    for directory in PG_BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise ServiceUnavailable(f"PostgreSQL binary {name!r} not found (install postgresql-15)")
    return found


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root; drop to the postgres user when we are root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A fresh PostgreSQL cluster; yields `postgres://postgres@127.0.0.1:PORT/postgres`."""
    initdb, pg_ctl = find_pg_bin("initdb"), find_pg_bin("pg_ctl")
    root = Path(tempfile.mkdtemp(prefix="rf-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=300 -c shared_buffers=256MB"
    )
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A fresh redis-server with no persistence; yields `redis://127.0.0.1:PORT/0`."""
    binary = shutil.which("redis-server")
    if not binary:
        raise ServiceUnavailable("redis-server not found (apt-get install redis-server)")
    port = free_port()
    root = tempfile.mkdtemp(prefix="rf-redis-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", root],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc=proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def celery_process(args: list[str], env: dict[str, str | None]) -> Iterator[subprocess.Popen]:
    """A `celery -A resolutionflow ARGS...` process; `env` overrides this process's (None unsets)."""
    child_env = {**os.environ, **env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "--quiet", "-A", "resolutionflow", *args, "--loglevel", "WARNING"],
        env={k: v for k, v in child_env.items() if v is not None},
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def celery_worker(env: dict[str, str | None], concurrency: int = 2):
    """A real Celery worker process for `resolutionflow`."""
    return celery_process(
        [
            "worker",
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
    )
