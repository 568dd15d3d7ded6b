"""What the benchmarks share: starting processes, waiting for them, summarising timings."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

BIN = Path(sys.executable).parent
BASELINE = Path(__file__).with_name("baseline_app.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(process: subprocess.Popen[bytes], port: int, timeout: float = 120) -> float:
    """Seconds until GET /api/v1/health answers 200 (the process must stay alive meanwhile)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            time.sleep(0.02)
    raise RuntimeError("the process did not answer in time")


@contextmanager
def running(
    command: list[str], env: dict[str, str], port: int, log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """The command running until the block ends (SIGTERM); its output appended to `log`."""
    if log is None:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    else:
        with log.open("ab") as sink:
            process = subprocess.Popen(command, env=env, stdout=sink, stderr=sink)
    try:
        wait_healthy(process, port)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


KEPT_OUT = ("DATABASE_URL", "REDIS_URL", "VENTANILLA_SECRET_KEY", "VENTANILLA_DATA_KEY",
            "VENTANILLA_PUBLIC_URL")  # fmt: skip


@contextmanager
def installation(
    home: Path, database_url: str = "", template: str = ""
) -> Iterator[dict[str, str]]:
    """The environment of a fresh installation: its own home and, on PostgreSQL, its own
    database made on the server of `database_url` (and so its own task queue on REDIS_URL,
    since the queue is named after the database), a copy of the database `template` if one
    is named. The tests use it too."""
    env = {k: v for k, v in os.environ.items() if k not in KEPT_OUT}
    env["VENTANILLA_HOME"] = str(home)
    if not database_url:
        yield env
        return
    import psycopg

    name = f"ventanilla_fresh_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    env["DATABASE_URL"] = urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f} to {max(values):.2f})"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@contextmanager
def scratch_database(database_url: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of `database_url`, named `prefix` and a
    random suffix, dropped afterwards; yields its URL."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tree_rss_kib(pid: int) -> int:
    """Resident memory (VmRSS) of a process and all its descendants, summed, in KiB.

    Pages shared between a parent and its forked children are counted in each, so the sum
    is an upper bound of what the tree holds."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for member in tree:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


class MemoryWatch:
    """Samples `tree_rss_kib(pid)` every `interval` seconds on a thread until stopped."""

    def __init__(self, pid: int, interval: float = 1.0) -> None:
        self.pid = pid
        self.interval = interval
        self.samples_kib: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="memory-watch", daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            self.samples_kib.append(tree_rss_kib(self.pid))
            if self._stop.wait(self.interval):
                return

    @property
    def peak_mib(self) -> float:
        return max(self.samples_kib, default=0) / 1024
