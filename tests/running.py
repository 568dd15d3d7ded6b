"""Running ventanilla as its users do, in a process of its own, for the end-to-end tests."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from common import installation

VENTANILLA = str(Path(sys.executable).parent / "ventanilla")
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_environment(home: Path) -> Iterator[dict[str, str]]:
    """A fresh installation, on the database server of DATABASE_URL when it is set."""
    with installation(home, os.environ.get("DATABASE_URL", "")) as env:
        yield env


def migrated_environment(home: Path) -> Iterator[dict[str, str]]:
    """A fresh installation whose database is migrated already: a copy of one migrated once
    per test run (its home, keys included, and on PostgreSQL its database as a template).
    For the tests of what runs on an installation, not of how one is made."""
    template_home, template_database = _migrated_template()
    shutil.copytree(template_home, home)
    with installation(home, os.environ.get("DATABASE_URL", ""), template_database) as env:
        yield env


@functools.cache
def _migrated_template() -> tuple[Path, str]:
    """The installation the copies are made of, removed when the test run ends."""
    home = Path(tempfile.mkdtemp(prefix="ventanilla-migrated-")) / "home"
    made = contextlib.ExitStack()
    atexit.register(shutil.rmtree, home.parent, ignore_errors=True)
    atexit.register(made.close)  # first: atexit runs the last registered first
    env = made.enter_context(installation(home, os.environ.get("DATABASE_URL", "")))
    migrated = command(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    return home, urlsplit(env.get("DATABASE_URL", "")).path.lstrip("/")


class Running:
    """`ventanilla run` in a process of its own; it answers at `url` once started."""

    def __init__(
        self, env: dict[str, str], *args: str, port: int | None = None, web: bool = True
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (
            Path(env["VENTANILLA_HOME"]).parent / f"run-{self.port}-{uuid.uuid4().hex[:6]}.log"
        )
        self.process = subprocess.Popen(
            [VENTANILLA, "run", "--addr", f"127.0.0.1:{self.port}", *args],
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"ventanilla run exited early:\n{self.output}")
            if not web:
                if "Task consumer" in self.output:
                    return
                time.sleep(0.2)
                continue
            try:
                if self.request("GET", "/api/v1/health")[0] == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.process.kill()
        raise AssertionError(f"ventanilla run did not start in time:\n{self.output}")

    @property
    def output(self) -> str:
        return self.log.read_text()

    def request(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.request(method, self.url + path, json=body, headers=headers, timeout=10)
        is_json = "json" in response.headers.get("Content-Type", "")
        return response.status_code, response.json() if is_json else response.text

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)

    def __del__(self) -> None:
        if self.process.poll() is None:
            self.process.kill()


def command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VENTANILLA, *args], env=env, capture_output=True, text=True, timeout=120)


def until(check: Any, timeout: float = 30.0, every: float = 0.2) -> Any:
    """Wait until check() returns something true; return it (or fail after timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {check}")
        time.sleep(every)
