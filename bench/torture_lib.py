"""The moving parts of the torture run (bench/torture.py): Meta's side of the webhook, the
ventanilla processes that are killed and started again, a PostgreSQL cluster and a Redis of
the run's own, the threads that disrupt them, and a read-only look into the database.

Everything here works through processes, HTTP and signals, never through ventanilla's code,
so the run judges whatever way in the installed version has.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakes.graph import PHONE_NUMBER_ID, FakeGraph, envelope, sign
from running import Running, free_port

REDIS_SERVER = "/usr/bin/redis-server"
START_SECONDS = 120  # how long a process may take to come back (its database may be down)


# Meta's side -----------------------------------------------------------------------------


@dataclass(order=True)
class _Post:
    due: float
    order: int
    body: bytes = field(compare=False)
    key: int | None = field(compare=False)  # the delivery's number; None for status reports
    attempts: int = field(default=0, compare=False)


class Meta:
    """Posts webhooks as Meta does: signed, each until a 200 acknowledges it, a refusal or a
    broken connection tried again later with a growing delay; several at once, in the order
    they were handed over (which the caller shuffles)."""

    def __init__(self, url: str, *, concurrency: int, seed: int) -> None:
        self.url = url
        self.concurrency = concurrency
        self.random = random.Random(seed)
        self.queue: list[_Post] = []
        self.order = itertools.count()
        self.ready = threading.Condition()
        self.in_flight = 0
        self.closed = False
        self.acknowledged: set[int] = set()  # deliveries with a 200 for at least one post
        self.acknowledged_posts = 0  # of deliveries (status reports aside)
        self.posts = 0
        self.refusals: Counter[str] = Counter()  # "503", "connection", ...
        self.threads: list[threading.Thread] = []

    def post(self, body: bytes, *, key: int | None = None, delay: float = 0.0) -> None:
        with self.ready:
            heapq.heappush(self.queue, _Post(time.monotonic() + delay, next(self.order), body, key))
            self.ready.notify()

    def start(self) -> None:
        for n in range(self.concurrency):
            thread = threading.Thread(target=self._work, name=f"meta-{n}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def close(self) -> None:
        with self.ready:
            self.closed = True
            self.ready.notify_all()
        for thread in self.threads:
            thread.join(timeout=30)

    @property
    def pending(self) -> int:
        with self.ready:
            return len(self.queue) + self.in_flight

    def _work(self) -> None:
        refused = 0  # in a row: the worker waits a little longer each time
        with httpx.Client(timeout=10) as client:
            while (job := self._next()) is not None:
                answered = self._send(client, job.body)
                with self.ready:
                    self.in_flight -= 1
                    self.posts += 1
                    if answered == "200":
                        if job.key is not None:
                            self.acknowledged.add(job.key)
                            self.acknowledged_posts += 1
                    else:
                        self.refusals[answered] += 1
                        job.attempts += 1
                        backoff = min(0.25 * 2**job.attempts, 4.0) * self.random.uniform(0.5, 1.5)
                        job.due = time.monotonic() + backoff
                        heapq.heappush(self.queue, job)
                    self.ready.notify_all()
                refused = 0 if answered == "200" else refused + 1
                if refused:  # the server is down or overwhelmed: no storm of posts meanwhile
                    time.sleep(min(0.05 * 2**refused, 1.0))

    def _next(self) -> _Post | None:
        with self.ready:
            while not self.closed:
                wait = self.queue[0].due - time.monotonic() if self.queue else 1.0
                if wait <= 0:
                    self.in_flight += 1
                    return heapq.heappop(self.queue)
                self.ready.wait(timeout=min(wait, 1.0))
            return None

    def _send(self, client: httpx.Client, body: bytes) -> str:
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}
        try:
            return str(client.post(self.url, content=body, headers=headers).status_code)
        except httpx.TransportError:
            return "connection"


class ReportingGraph(FakeGraph):
    """The fake Graph API whose status reports of what it accepted are posted as Meta posts
    webhooks, retried until acknowledged, by posters of their own: they do not wait behind
    the deliveries of people's messages."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: Meta | None = None
        # A consumer killed while it sends hangs up on the fake: nothing to print about it.
        self.httpd.handle_error = lambda *caller: None

    def report_to(self, webhook_url: str, *, seed: int) -> None:
        """Report "sent" and "delivered" for each message accepted from now on."""
        self.statuses = Meta(webhook_url, concurrency=2, seed=seed)
        self.statuses.start()
        self.webhook_url, self.report = webhook_url, ["sent", "delivered"]

    def __exit__(self, *exc: Any) -> None:
        if self.statuses is not None:
            self.statuses.close()
        super().__exit__(*exc)

    @property
    def replies(self) -> list[dict[str, Any]]:
        """The sends that arrived whole: a consumer killed while it sends leaves a body cut
        short, which the fake cannot read (nor would Meta) and does not answer."""
        whole = []
        for request in self.requests_to(f"/{PHONE_NUMBER_ID}/messages"):
            try:
                whole.append(request.json)
            except ValueError:
                continue
        return whole

    @property
    def sends(self) -> int:
        """How many sends came in, whole or not (cheap enough to ask often)."""
        return len(self.requests_to(f"/{PHONE_NUMBER_ID}/messages"))

    def _post_statuses(self, statuses: list[dict[str, Any]]) -> None:
        if self.statuses is not None:
            self.statuses.post(json.dumps(envelope(statuses=statuses)).encode())


# ventanilla's processes ------------------------------------------------------------------


class Supervised:
    """A `ventanilla run` process (the web server or the task consumer) that can be killed
    with SIGKILL and is then started again at once; one that dies on its own is started
    again by `revive`. The web server keeps its port, so its webhook URL stays valid."""

    def __init__(self, name: str, env: dict[str, str], *args: str, port: int | None) -> None:
        self.name = name
        self.env = env
        self.args = args
        self.port = port
        self.lock = threading.Lock()
        self.kills = 0
        self.deaths = 0  # exits nobody caused
        self.current = self._start()

    def _start(self) -> Running:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                return Running(self.env, *self.args, port=self.port, web=self.port is not None)
            except AssertionError as failure:  # its database or queue is down: try again
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the {self.name} does not start") from failure
                time.sleep(0.5)

    def crash(self) -> None:
        with self.lock:
            self.current.kill()
            self.kills += 1
            self.current = self._start()

    def revive(self) -> None:
        with self.lock:
            if self.current.process.poll() is not None:
                self.deaths += 1
                self.current = self._start()

    def restart(self) -> None:
        """Stop gracefully (SIGTERM) and start again."""
        with self.lock:
            self._stop()
            self.current = self._start()

    def close(self) -> None:
        with self.lock:
            self._stop()

    def _stop(self) -> None:
        if self.current.process.poll() is None:
            try:
                self.current.stop(signal.SIGTERM)
            except subprocess.TimeoutExpired:
                self.current.kill()


# The run's own PostgreSQL and Redis --------------------------------------------------------


class OwnPostgres:
    """A PostgreSQL cluster of the run's own, in a temporary directory, on a spare port, run
    as the `postgres` user (PostgreSQL refuses root). fsync is off: a crash of the server's
    processes (what `crash` does) loses nothing the operating system was given, with or
    without it."""

    def __init__(self) -> None:
        programs = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
        if not programs:
            raise RuntimeError("no PostgreSQL server found under /usr/lib/postgresql")
        self.bin = Path(programs[-1]).parent
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="torture-pg-"))
        self.data = self.root / "data"
        self.crashes = 0
        try:
            shutil.chown(self.root, "postgres", "postgres")
            self._as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                              "-E", "UTF8", "--no-sync")  # fmt: skip
            self._start()
        except (LookupError, OSError, RuntimeError, subprocess.SubprocessError) as error:
            shutil.rmtree(self.root, ignore_errors=True)
            raise RuntimeError(f"the run's own PostgreSQL does not start: {error}") from None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def crash(self) -> None:
        """Stop at once, as a crash does (recovery replays the log), and start again."""
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.crashes += 1
        self._start()

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=200")  # fmt: skip
        self._as_postgres("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"),
                          "-o", options, "-w", "start")  # fmt: skip

    def _as_postgres(self, program: str, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", str(self.bin / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stderr.strip() or done.stdout.strip()}")


class OwnRedis:
    """A redis-server of the run's own on a spare port, keeping nothing on disk: a crash
    (SIGKILL, then started again) empties it, queue and all."""

    def __init__(self, workdir: Path) -> None:
        if not Path(REDIS_SERVER).exists():
            raise RuntimeError(f"{REDIS_SERVER} is not installed")
        self.port = free_port()
        self.log = workdir / "redis.log"
        self.crashes = 0
        self.process = self._start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def crash(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)
        self.crashes += 1
        self.process = self._start()

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)

    def _start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return process
            except OSError:
                time.sleep(0.05)
        process.kill()
        raise RuntimeError("redis-server did not start")


# Disruption ------------------------------------------------------------------------------


class Chaos:
    """Threads that each do one harmful thing at random moments until stopped, and one that
    starts again any ventanilla process that died on its own."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.stopped = threading.Event()
        self.threads: list[threading.Thread] = []
        self.failures: list[str] = []

    def every(self, between: tuple[float, float], action: Callable[[], None], name: str) -> None:
        chance = random.Random(f"{self.seed}-{name}")

        def loop() -> None:
            while not self.stopped.wait(chance.uniform(*between)):
                self._do(action, name)

        self._thread(loop, name)

    def watch(self, processes: list[Supervised]) -> None:
        def loop() -> None:
            while not self.stopped.wait(0.5):
                for process in processes:
                    self._do(process.revive, f"revive {process.name}")

        self._thread(loop, "watch")

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=START_SECONDS + 30)

    def _do(self, action: Callable[[], None], name: str) -> None:
        try:
            action()
        except Exception as error:  # kept for the report; the run goes on
            self.failures.append(f"{name}: {error}")

    def _thread(self, loop: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=loop, name=f"chaos-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)


# A read-only look into the database (the checker's cross-check and the drain condition) ---


UNFINISHED = {
    "replies queued or sending": "SELECT COUNT(*) FROM conversations_message"
    " WHERE direction = 'out' AND status IN ('queued', 'sending')",
    # Where the way in keeps deliveries until the consumer reads them (on SQLite in a file
    # of its own since the intake table had one), and marks messages once triaged (not in
    # every version).
    "deliveries unread": "SELECT COUNT(*) FROM channels_delivery",
    "messages untriaged": "SELECT COUNT(*) FROM conversations_message"
    " WHERE direction = 'in' AND triaged_at IS NULL",
}


class Database:
    """Counts read straight from ventanilla's tables, read-only: the message ids stored, the
    replies in each one's conversation, the replies not yet through. None when the tables
    are not as expected (another version of the schema) or cannot be read."""

    def __init__(self, env: dict[str, str]) -> None:
        self.url = env.get("DATABASE_URL", "")
        self.sqlite = Path(env["VENTANILLA_HOME"]) / "ventanilla.sqlite3"
        self.intake = self.sqlite.with_name("ventanilla-intake.sqlite3")

    def inbound_ids(self) -> Counter[str] | None:
        rows = self._rows(
            "SELECT provider_id, COUNT(*) FROM conversations_message"
            " WHERE direction = 'in' GROUP BY provider_id"
        )
        return None if rows is None else Counter({str(row[0]): int(row[1]) for row in rows})

    def replies_by_message(self) -> Counter[str] | None:
        """For each stored message id, the replies in its conversation."""
        rows = self._rows(
            "SELECT i.provider_id, COUNT(o.id) FROM conversations_message i"
            " LEFT JOIN conversations_message o"
            " ON o.conversation_id = i.conversation_id AND o.direction = 'out'"
            " WHERE i.direction = 'in' GROUP BY i.id, i.provider_id"
        )
        if rows is None:
            return None
        replies: Counter[str] = Counter()
        for provider_id, count in rows:
            replies[str(provider_id)] += int(count)
        return replies

    def unfinished(self) -> dict[str, int] | None:
        """What is still to be done, of what this version's tables can tell."""
        counts = {}
        for what, query in UNFINISHED.items():
            intake = not self.url and "channels_delivery" in query and self.intake.exists()
            rows = self._rows(query, self.intake if intake else self.sqlite)
            if rows is not None:
                counts[what] = int(rows[0][0])
        return counts or None

    def _rows(self, query: str, file: Path | None = None) -> list[tuple[Any, ...]] | None:
        try:
            if self.url:
                import psycopg

                options = "-c default_transaction_read_only=on"
                with psycopg.connect(self.url, options=options, connect_timeout=5) as conn:
                    return list(conn.execute(query).fetchall())
            with closing(
                sqlite3.connect(f"file:{file or self.sqlite}?mode=ro", uri=True, timeout=20)
            ) as db:
                return list(db.execute(query).fetchall())
        except Exception:  # another version's schema, or the server restarting
            return None


class Phases:
    """Seconds spent in each part of a run."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.since = time.monotonic()

    def mark(self, name: str) -> None:
        now = time.monotonic()
        self.phases[name] = round(now - self.since, 1)
        self.since = now
