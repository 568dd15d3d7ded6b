"""The receivers bench/ingest.py measures, each started fresh: the one-insert baseline app on
ventanilla's own database settings (made durable or fast), and `ventanilla run` with a
WhatsApp channel made through the API. Also what ventanilla's settings make of durability,
read back from the database itself.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from common import BIN, KEPT_OUT, free_port, running, scratch_database

SECRET = "bench-app-secret"  # noqa: S105 (the benchmark's own channel)
PHONE_NUMBER_ID = "106540352242922"
BASELINE = Path(__file__).with_name("baseline_insert_app.py")


@dataclass
class Backend:
    """A database ventanilla and the baseline run on."""

    name: str
    database_url: str = ""  # "" for SQLite

    @property
    def is_sqlite(self) -> bool:
        return not self.database_url


@contextmanager
def installation(backend: Backend, home: Path) -> Iterator[dict[str, str]]:
    """A fresh ventanilla installation: its own home and, on PostgreSQL, its own database
    (and so its own queue on Redis, named after it; the queue's keys are removed after)."""
    env = {k: v for k, v in os.environ.items() if k not in KEPT_OUT}
    env["VENTANILLA_HOME"] = str(home)
    if backend.is_sqlite:
        yield env
        return
    with scratch_database(backend.database_url, "ventanilla_ingest") as url:
        env["DATABASE_URL"] = url
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        try:
            yield env
        finally:
            if env.get("REDIS_URL"):
                import redis

                # The queue and cache keys hold the database's name (huey drops the dash of
                # the queue's name), which no other installation has.
                name = url.rsplit("/", 1)[1]
                client = redis.Redis.from_url(env["REDIS_URL"])
                for key in client.scan_iter(match=f"*{name}*"):
                    client.delete(key)


PROBE = """import json
from django.conf import settings
d = settings.DATABASES["default"]
keys = ("ENGINE", "OPTIONS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")
print(json.dumps({k: d.get(k) for k in keys}))
"""


def ventanilla_database(env: dict[str, str]) -> dict[str, Any]:
    """ventanilla's own database settings, as its settings module makes them."""
    output = subprocess.run(
        [str(BIN / "python"), "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "ventanilla.settings"},
    )
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def baseline_database(own: dict[str, Any], url: str, path: Path, durable: bool) -> dict[str, Any]:
    """ventanilla's database settings for the baseline's Django, made durable or fast."""
    options = dict(own.get("OPTIONS") or {})
    common = {
        "CONN_MAX_AGE": own.get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": own.get("CONN_HEALTH_CHECKS", False),
    }
    if not url:
        pragma = f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'};"
        init = re.sub(r"PRAGMA\s+synchronous\s*=\s*\w+;?", "", options.get("init_command", ""))
        options["init_command"] = f"{init.strip()} {pragma}".strip()
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": options,
            **common,
        }
    import dj_database_url

    setting = f"-c synchronous_commit={'on' if durable else 'off'}"
    options["options"] = f"{options.get('options', '')} {setting}".strip()
    return {**dj_database_url.parse(url), "OPTIONS": options, **common}


def durability(own: dict[str, Any], url: str) -> tuple[str, bool]:
    """What ventanilla's settings make of durability on this database, read back from it."""
    options = own.get("OPTIONS") or {}
    if not url:
        with tempfile.TemporaryDirectory() as folder:
            probe = sqlite3.connect(Path(folder) / "probe.sqlite3")
            probe.executescript(options.get("init_command", ""))
            mode = probe.execute("PRAGMA journal_mode").fetchone()[0]
            level = probe.execute("PRAGMA synchronous").fetchone()[0]
            probe.close()
        name = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[level]
        return f"journal_mode={mode}, synchronous={name}", level >= 2
    import psycopg

    with psycopg.connect(url, options=options.get("options", "")) as conn:
        commit, fsync = (
            str(conn.execute(f"SHOW {name}").fetchall()[0][0])
            for name in ("synchronous_commit", "fsync")
        )
    return f"synchronous_commit={commit}, fsync={fsync}", commit != "off" and fsync == "on"


@contextmanager
def baseline(database: dict[str, Any], log: Path) -> Iterator[str]:
    """The baseline app serving on a free port with `database`; yields its base URL."""
    port = free_port()
    env = {**os.environ, "BENCH_DATABASE": json.dumps(database)}
    with running([str(BIN / "python"), str(BASELINE), str(port)], env, port, log):
        yield f"http://127.0.0.1:{port}"


@dataclass
class Ventanilla:
    """A running `ventanilla run`, an admin's API token and the benchmark's channel."""

    base: str
    headers: dict[str, str]
    process: subprocess.Popen[bytes]
    channel: dict[str, Any] = field(default_factory=dict)

    def inbound(self) -> int:
        stats = httpx.get(
            f"{self.base}/api/v1/conversations/stats", headers=self.headers, timeout=300
        ).json()
        return int(stats["messages"]["inbound"])


@contextmanager
def ventanilla(
    env: dict[str, str], log: Path, desk: str, graph: str, demo: bool = False
) -> Iterator[Ventanilla]:
    """`ventanilla run` on a fresh installation, with a WhatsApp channel on `desk`."""
    port = free_port()
    command = [str(BIN / "ventanilla"), "run", "--addr", f"127.0.0.1:{port}"]
    with running(command + (["--demo"] if demo else []), env, port, log) as process:
        token = subprocess.run(
            [str(BIN / "ventanilla"), "token", "bench", "--role", "admin"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        server = Ventanilla(
            f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}, process
        )
        config = {
            "phone_number_id": PHONE_NUMBER_ID,
            "access_token": "bench",
            "app_secret": SECRET,
            "verify_token": "bench",
            "api_base_url": graph,
        }
        answer = httpx.post(
            f"{server.base}/api/v1/channels",
            headers=server.headers,
            timeout=60,
            json={"desk": desk, "type": "whatsapp", "name": "Bench", "config": config},
        )
        if answer.status_code != 201:
            raise RuntimeError(f"the channel was refused: {answer.status_code} {answer.text}")
        server.channel = answer.json()
        yield server


def settled(
    count: Callable[[], int], expected: int, quiet: float = 30, still: float = 3, most: float = 900
) -> tuple[int, float]:
    """The count once it has reached `expected` and then not moved for `still` seconds (what
    was in flight is in), or has not moved for `quiet` seconds; and the seconds it took to
    reach `expected` (or the whole wait, when it did not)."""
    started = changed = time.monotonic()
    seen = count()
    reached = started if seen >= expected else None
    while time.monotonic() - started < most:
        idle = time.monotonic() - changed
        if (reached is not None and idle >= still) or idle >= quiet:
            break
        time.sleep(0.5)
        now = count()
        if now != seen:
            seen, changed = now, time.monotonic()
        if reached is None and seen >= expected:
            reached = time.monotonic()
    return seen, (reached if reached is not None else time.monotonic()) - started


@contextmanager
def baseline_database_url(backend: Backend) -> Iterator[str]:
    """A PostgreSQL database of its own for the baseline ("" on SQLite: a file is made)."""
    if backend.is_sqlite:
        yield ""
        return
    with scratch_database(backend.database_url, "ventanilla_ingest_base") as url:
        yield url


@contextmanager
def showing(log: Path) -> Iterator[None]:
    """On failure, the end of the server's log on stderr (it stays on this machine)."""
    try:
        yield
    except Exception:
        if log.exists():
            print(f"--- the end of {log.name}:", file=sys.stderr)
            print("\n".join(log.read_text(errors="replace").splitlines()[-40:]), file=sys.stderr)
        raise
