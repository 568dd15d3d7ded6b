"""No message lost or handled twice while ventanilla's processes are killed with SIGKILL.

    .venv/bin/python bench/torture.py [--deliveries 20000] [--seconds-between-kills 2-10]
        [--backend sqlite|postgres] [--seed 1] [--concurrency 12] [--check api|database]
        [--lease-seconds N] [--workdir DIR] [--json]

A fresh installation runs as two processes, the web server (`ventanilla run --no-consumer`)
and the task consumer (`ventanilla run --no-web`), with a WhatsApp channel pointing at a
fake Graph API and its desk on holiday for the whole run, so that every new conversation
gets exactly one automatic reply: the out-of-hours notice. Signed WhatsApp deliveries, each
a text from a person of its own (some carrying two or three messages), are posted as Meta
posts them: several at once, shuffled, each one to three times, and every post until a 200
answers it (a refusal or a broken connection is tried again later). Meanwhile the web server
and the consumer are each killed (SIGKILL) at random moments and started again at once; on
`--backend postgres` the run also has a PostgreSQL cluster and a Redis of its own, stopped
as by a crash and started again at random moments (Redis comes back empty). At the end both
processes are restarted cleanly and the run waits until nothing moves.

The checker then reads every conversation and message through the API (or, with
`--check database`, much faster, through a read-only query) and what the fake Graph API
received, with a read-only count straight from the database as a cross-check, and prints:
messages sent and acknowledged, stored, lost (sent, never stored), duplicated (stored
twice, or a person answered twice) and missing replies. The exit status is 1 when anything
was lost, duplicated or left unanswered, 2 when the run could not be set up.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from common import installation
from torture_lib import (
    Chaos,
    Database,
    Meta,
    OwnPostgres,
    OwnRedis,
    Phases,
    ReportingGraph,
    Supervised,
)

from fakes.graph import contact, envelope, message
from running import command, free_port

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BATCHED = 0.15  # the share of deliveries carrying two or three messages
MOST_MESSAGES = 900_000  # one invented number per message: 447700000000 to 447700899999
MARK = re.compile(r"\[(wamid\.TORTURE\d{7})\]")
DEFAULT_LEASE_SECONDS = 300  # ventanilla's sending lease when none is set
NAMES = ("Amina", "Youssef", "Mariam", "Ibrahima", "Fatou", "Omar", "Lucía", "Karim")


def wamid(n: int) -> str:
    return f"wamid.TORTURE{n:07d}"


def sender(n: int) -> str:
    return f"447700{n:06d}"


@dataclass
class Options:
    deliveries: int = 20_000
    kills_between: tuple[float, float] = (2.0, 10.0)  # seconds, for each process on its own
    outages_between: tuple[float, float] = (8.0, 20.0)  # PostgreSQL and Redis (postgres only)
    backend: str = "sqlite"
    database_url: str = ""  # postgres: a server to make the run's database on, not its own
    seed: int = 1
    concurrency: int = 12
    min_kills: int = 3  # of each process before the disruption may end
    quiet_seconds: float = 10.0  # nothing moving this long: done
    # VENTANILLA_SENDING_LEASE_SECONDS, None for ventanilla's own (five minutes): how long a
    # send neither answered nor reported on waits before it is made again. Shorter makes a
    # run end sooner but sends again what a late status report would have confirmed (the
    # report is itself a delivery, which a killed consumer may hold for minutes).
    lease_seconds: int | None = None
    check: str = "api"  # or "database": read-only SQL, much faster on large runs
    workdir: Path | None = None
    progress: Callable[[str], None] | None = None  # told how far the run is, now and then


@dataclass
class Result:
    backend: str
    seed: int
    deliveries: int
    messages: int
    posts: int = 0  # of people's messages
    status_reports: int = 0  # posts of the fake Graph API's status reports
    refusals: dict[str, int] = field(default_factory=dict)
    acknowledged: int = 0
    stored: int = 0
    lost: int = 0
    duplicated_messages: int = 0
    unexpected: int = 0  # stored inbound messages the run did not send
    replies_received: int = 0  # by the fake Graph API
    replies_stored: int = 0  # automatic replies, as the API shows them
    missing_replies: int = 0  # people sent nothing
    duplicated_replies: int = 0  # people answered twice or more
    unfinished: dict[str, int] | None = None  # at the end: replies queued, deliveries unread
    kills: dict[str, int] = field(default_factory=dict)
    deaths: dict[str, int] = field(default_factory=dict)
    chaos_failures: list[str] = field(default_factory=list)
    database: dict[str, int] | None = None  # the read-only cross-check
    duration_seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def duplicated(self) -> int:
        return self.duplicated_messages + self.duplicated_replies

    @property
    def ok(self) -> bool:
        crossed = self.database or {}
        return (
            self.acknowledged == self.deliveries
            and self.lost == self.duplicated == self.missing_replies == 0
            and crossed.get("lost", 0) == crossed.get("stored_twice", 0) == 0
        )


def plan(options: Options) -> list[list[int]]:
    """The message numbers of each delivery."""
    chance = random.Random(options.seed)
    deliveries, n = [], 0
    for _ in range(options.deliveries):
        size = chance.choice((2, 3)) if chance.random() < BATCHED else 1
        deliveries.append(list(range(n, n + size)))
        n += size
    return deliveries


def body(numbers: list[int]) -> bytes:
    texts = [
        message(wamid(n), "text", {"body": f"Buenos días, quisiera pedir una cita. [{wamid(n)}]"},
                sender=sender(n))
        for n in numbers
    ]  # fmt: skip
    people = [contact(sender(n), NAMES[n % len(NAMES)]) for n in numbers]
    return json.dumps(envelope(contacts=people, messages=texts)).encode()


def run(options: Options) -> Result:
    """One torture run, everything it started stopped and removed at the end."""
    deliveries = plan(options)
    messages = sum(len(d) for d in deliveries)
    result = Result(options.backend, options.seed, len(deliveries), messages)
    clock = Phases()
    with ExitStack() as stack:
        env, outages = _installation(options, stack)
        token = _prepare(env)
        graph = stack.enter_context(ReportingGraph())
        web = stack.enter_context(
            closing(Supervised("web server", env, "--no-consumer", "--no-migrate", port=_port(env)))
        )
        consumer = stack.enter_context(
            closing(Supervised("task consumer", env, "--no-web", "--no-migrate", port=None))
        )
        url = web.current.url
        channel = _open_closed_desk(url, token, graph)
        meta = Meta(channel["webhook_url"], concurrency=options.concurrency, seed=options.seed)
        stack.callback(meta.close)
        graph.report_to(channel["webhook_url"], seed=options.seed)
        posts = _hand_over(options, meta, deliveries)
        clock.mark("setting up")

        chaos = Chaos(options.seed)
        stack.callback(chaos.stop)
        chaos.every(options.kills_between, web.crash, "web server")
        chaos.every(options.kills_between, consumer.crash, "task consumer")
        for name, service in outages.items():
            chaos.every(options.outages_between, service.crash, name)
        chaos.watch([web, consumer])
        deadline = time.monotonic() + max(600.0, len(deliveries) * 0.5)
        _wait_under_fire(options, meta, graph, [web, consumer], messages, posts, deadline)
        chaos.stop()
        clock.mark("under fire")
        web.restart()
        consumer.restart()
        clock.mark("restarting cleanly")
        database = Database(env)
        _drain(options, url, token, graph, meta, database)
        clock.mark("settling")

        result.posts, result.refusals = meta.posts, dict(meta.refusals)
        if graph.statuses is not None:
            result.status_reports = graph.statuses.posts
            if graph.statuses.refusals:
                result.refusals["of status reports"] = sum(graph.statuses.refusals.values())
        result.acknowledged = len(meta.acknowledged)
        result.kills = {p.name: p.kills for p in (web, consumer)} | {
            name: service.crashes for name, service in outages.items()
        }
        result.deaths = {p.name: p.deaths for p in (web, consumer)}
        result.chaos_failures = chaos.failures[:20]
        _check(result, url, token, graph, database, options.check, options.concurrency)
        clock.mark("checking")
    clock.mark("stopping")
    result.phases = clock.phases
    result.duration_seconds = round(sum(clock.phases.values()), 1)
    return result


def _installation(
    options: Options, stack: ExitStack
) -> tuple[dict[str, str], dict[str, OwnPostgres | OwnRedis]]:
    """A fresh installation's environment, and the services of the run's own to disrupt."""
    workdir = options.workdir or Path(
        stack.enter_context(tempfile.TemporaryDirectory(prefix="torture-"))
    )
    workdir.mkdir(parents=True, exist_ok=True)
    if any(workdir.iterdir()):
        raise RuntimeError(f"{workdir} is not empty: a run starts from a fresh installation")
    outages: dict[str, OwnPostgres | OwnRedis] = {}
    database_url = ""
    if options.backend == "postgres":
        database_url = options.database_url
        if not database_url:
            cluster = stack.enter_context(closing(OwnPostgres()))
            outages["postgres"] = cluster
            database_url = cluster.url
        outages["redis"] = stack.enter_context(closing(OwnRedis(workdir)))
    env = stack.enter_context(installation(workdir / "home", database_url))
    if "redis" in outages:
        env["REDIS_URL"] = outages["redis"].url
    env["VENTANILLA_PUBLIC_URL"] = f"http://127.0.0.1:{free_port()}"
    if options.lease_seconds is not None:
        env["VENTANILLA_SENDING_LEASE_SECONDS"] = str(options.lease_seconds)
    return env, outages


def _port(env: dict[str, str]) -> int:
    return int(env["VENTANILLA_PUBLIC_URL"].rsplit(":", 1)[1])


def _hand_over(options: Options, meta: Meta, deliveries: list[list[int]]) -> int:
    """Every delivery to Meta, one to three times each, shuffled; how many posts that is."""
    posts = [(d, copy) for d in range(len(deliveries)) for copy in range(_copies(options, d))]
    random.Random(options.seed).shuffle(posts)
    bodies = [body(numbers) for numbers in deliveries]
    for d, _copy in posts:
        meta.post(bodies[d], key=d)
    meta.start()
    return len(posts)


def _copies(options: Options, delivery: int) -> int:
    return random.Random(f"{options.seed}-copies-{delivery}").choice((1, 2, 3))


def _prepare(env: dict[str, str]) -> str:
    """Migrate the fresh installation once; an administrator's API token."""
    migrated = command(env, "migrate")
    if migrated.returncode != 0:
        raise RuntimeError(f"ventanilla migrate failed: {migrated.stderr}")
    made = command(env, "token", "torture", "--role", "admin")
    if made.returncode != 0:
        raise RuntimeError(f"ventanilla token failed: {made.stderr}")
    return made.stdout.strip()


def _api(url: str, token: str, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(
        method, url + path, json=body, timeout=60, headers={"Authorization": f"Bearer {token}"}
    )
    if response.status_code >= 300:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return response.json()


def _open_closed_desk(url: str, token: str, graph: ReportingGraph) -> dict[str, Any]:
    """A WhatsApp channel at the fake Graph API, on the default desk, on holiday from
    yesterday to the day after tomorrow (a desk without hours never closes)."""
    channel = {"type": "whatsapp", "name": "Torture", "config": graph.config()}
    made = _api(url, token, "POST", "/api/v1/channels", channel)
    zone = ZoneInfo(_api(url, token, "GET", "/api/v1/desks/default")["timezone"])
    today = datetime.now(zone).date()
    closed = {
        "hours": {day: [["09:00", "17:00"]] for day in DAYS},
        "holidays": [str(today + timedelta(days=n)) for n in range(-1, 3)],
        "special_days": {},
        "privacy_notice": False,  # one automatic reply per person: the out-of-hours notice
    }
    desk = _api(url, token, "PATCH", "/api/v1/desks/default", closed)
    if desk["open_now"]:
        raise RuntimeError("the desk is still open: no out-of-hours notice would be sent")
    return dict(made)


def _wait_under_fire(
    options: Options,
    meta: Meta,
    graph: ReportingGraph,
    processes: list[Supervised],
    messages: int,
    posts: int,
    deadline: float,
) -> None:
    """Until every post of every delivery is acknowledged, each process was killed
    `min_kills` times, and the replies stopped coming (all there, or none for two of the
    longest pauses between kills): the consumer's backlog is worked through under fire too."""
    replies, changed = -1, time.monotonic()
    told = started = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        sent = graph.sends
        if options.progress and time.monotonic() - told >= 10:
            told = time.monotonic()
            kills = ", ".join(f"{p.name} {p.kills}" for p in processes)
            options.progress(
                f"{told - started:.0f} s: {len(meta.acknowledged)} of {options.deliveries} "
                f"deliveries acknowledged, {sent} replies of {messages}; kills: {kills}"
            )
        if sent != replies:
            replies, changed = sent, time.monotonic()
        if (
            meta.acknowledged_posts == posts
            and min(p.kills for p in processes) >= options.min_kills
            and (replies >= messages or time.monotonic() - changed > 2 * options.kills_between[1])
        ):
            return


def _drain(
    options: Options, url: str, token: str, graph: ReportingGraph, meta: Meta, database: Database
) -> None:
    """Until nothing moves: no post waiting, no reply queued or being sent, and no new
    message, reply or send for `quiet_seconds`; or, when something is left unfinished,
    until nothing has moved for the lease and a sweep and a half (it is stuck)."""
    stuck = (options.lease_seconds or DEFAULT_LEASE_SECONDS) + 90
    seen: tuple[Any, ...] = ()
    changed = time.monotonic()
    while time.monotonic() - changed < stuck:
        try:
            counts = _api(url, token, "GET", "/api/v1/conversations/stats")["messages"]
        except (RuntimeError, httpx.TransportError):
            counts = None
        unfinished = database.unfinished()
        pending = meta.pending + (graph.statuses.pending if graph.statuses else 0)
        now = (counts, graph.sends, pending, unfinished)
        if now != seen:
            seen, changed = now, time.monotonic()
        settled = pending == 0 and not any((unfinished or {}).values())
        if settled and time.monotonic() - changed >= options.quiet_seconds:
            return
        time.sleep(1)


def _check(
    result: Result,
    url: str,
    token: str,
    graph: ReportingGraph,
    database: Database,
    check: str,
    concurrency: int,
) -> None:
    """Sent messages against the ones stored and the replies received."""
    rows, replies = database.inbound_ids(), database.replies_by_message()
    if check == "database":
        if rows is None or replies is None:
            raise RuntimeError("the database's tables are not as expected: use --check api")
        inbound, autos = rows, replies
    else:
        inbound, autos = _stored_through_api(url, token, concurrency)
    messages = result.messages
    sent = {wamid(n) for n in range(messages)}
    result.stored = sum(inbound.values())
    result.lost = len(sent - set(inbound))
    result.duplicated_messages = sum(count - 1 for count in inbound.values() if count > 1)
    result.unexpected = sum(count for mark, count in inbound.items() if mark not in sent)
    received = Counter(str(reply.get("to")) for reply in graph.replies)
    result.replies_received = sum(received.values())
    result.replies_stored = sum(autos.values())
    people = [sender(n) for n in range(messages)]
    result.missing_replies = sum(1 for person in people if received[person] == 0)
    result.duplicated_replies = sum(
        1 for n, person in enumerate(people) if received[person] > 1 or autos.get(wamid(n), 0) > 1
    )
    result.unfinished = database.unfinished()
    if rows is not None:
        result.database = {
            "rows": sum(rows.values()),
            "lost": len(sent - set(rows)),
            "stored_twice": sum(1 for count in rows.values() if count > 1),
        }


def _stored_through_api(
    url: str, token: str, concurrency: int
) -> tuple[Counter[str], Counter[str]]:
    """How often each message id was stored, and how many automatic replies each first
    message's conversation has: every conversation and message read through the API."""
    ids: set[int] = set()
    for _pass in range(5):  # the list is latest activity first: a late reply reorders it
        offset, count = 0, 1
        while offset < count:
            page = _api(url, token, "GET", f"/api/v1/conversations?limit=200&offset={offset}")
            ids.update(item["id"] for item in page["items"])
            offset, count = offset + 200, page["count"]
        if len(ids) >= count:
            break

    def history(conversation: int) -> list[dict[str, Any]]:
        return list(_api(url, token, "GET", f"/api/v1/conversations/{conversation}/messages"))

    inbound: Counter[str] = Counter()
    autos: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for entries in pool.map(history, sorted(ids)):
            marks = [
                mark
                for e in entries
                if e["direction"] == "in"
                for mark in MARK.findall(e["text"] or "") or ["(not sent by the run)"]
            ]
            inbound.update(marks)
            replies = sum(
                1 for e in entries if e["direction"] == "out" and (e["details"] or {}).get("auto")
            )
            if marks:
                autos[marks[0]] += replies
    return inbound, autos


def table(result: Result) -> str:
    refused = ", ".join(f"{why} {n}" for why, n in sorted(result.refusals.items())) or "none"
    kills = ", ".join(f"{name} {n}" for name, n in result.kills.items())
    deaths = sum(result.deaths.values())
    phases = ", ".join(f"{name} {seconds} s" for name, seconds in result.phases.items())
    left = ", ".join(f"{what} {n}" for what, n in (result.unfinished or {}).items()) or "?"
    rows = [
        ("backend", f"{result.backend} (seed {result.seed})"),
        ("deliveries", f"{result.deliveries} carrying {result.messages} messages"),
        ("posts", f"{result.posts}, and {result.status_reports} of status reports "
                  f"(refused or cut off: {refused})"),
        ("acknowledged", f"{result.acknowledged} of {result.deliveries} deliveries"),
        ("stored", f"{result.stored} messages ({result.unexpected} not sent by the run)"),
        ("lost", f"{result.lost} messages"),
        ("duplicated", f"{result.duplicated_messages} messages stored twice, "
                       f"{result.duplicated_replies} people answered twice or more"),
        ("replies", f"{result.replies_received} received by the fake Graph API, "
                    f"{result.replies_stored} stored"),
        ("missing replies", f"{result.missing_replies} people never answered"),
        ("left unfinished", left),
        ("kills", f"{kills}; {deaths} exit(s) on their own"),
        ("duration", f"{result.duration_seconds} s ({phases})"),
    ]  # fmt: skip
    if result.database is not None:
        crossed = result.database
        rows.append(
            (
                "database (read-only)",
                f"{crossed['rows']} inbound rows, {crossed['lost']} ids missing, "
                f"{crossed['stored_twice']} stored twice",
            )
        )
    if result.chaos_failures:
        rows.append(
            ("disruption errors", f"{len(result.chaos_failures)}: {result.chaos_failures[0]}")
        )
    rows.append(("verdict", "nothing lost or duplicated" if result.ok else "FAILED"))
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def _between(value: str) -> tuple[float, float]:
    low, _, high = value.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: expected seconds, such as 2-10 or 5"
        ) from None
    if not 0 < bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError(f"{value!r}: expected 0 < MIN <= MAX")
    return bounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument(
        "--seconds-between-kills", type=_between, default=(2.0, 10.0), metavar="MIN-MAX",
        help="for each process on its own (default 2-10)",
    )  # fmt: skip
    parser.add_argument(
        "--seconds-between-outages", type=_between, default=(8.0, 20.0), metavar="MIN-MAX",
        help="for PostgreSQL and Redis, --backend postgres (default 8-20)",
    )  # fmt: skip
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--check", choices=("api", "database"), default="api",
                        help="read what was stored through the API (default) or, much faster, "
                             "with a read-only query of the database")  # fmt: skip
    parser.add_argument("--lease-seconds", type=int, default=None,
                        help="VENTANILLA_SENDING_LEASE_SECONDS for the run (default: "
                             "ventanilla's own, five minutes)")  # fmt: skip
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the installation and the processes' logs here (default: a "
                             "temporary directory, removed at the end)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    if not 1 <= args.deliveries <= MOST_MESSAGES // 3:
        parser.error(f"--deliveries must be between 1 and {MOST_MESSAGES // 3}")
    if args.lease_seconds is not None and args.lease_seconds < 1:
        parser.error("--lease-seconds must be at least 1")
    if not 1 <= args.concurrency <= 64:
        parser.error("--concurrency must be between 1 and 64")
    signal.signal(signal.SIGINT, _interrupt)  # also when started where SIGINT was ignored
    signal.signal(signal.SIGTERM, _interrupt)
    options = Options(
        deliveries=args.deliveries,
        kills_between=args.seconds_between_kills,
        outages_between=args.seconds_between_outages,
        backend=args.backend,
        seed=args.seed,
        concurrency=args.concurrency,
        check=args.check,
        workdir=args.workdir,
        lease_seconds=args.lease_seconds,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    try:
        result = run(options)
    except KeyboardInterrupt:
        print("interrupted; everything the run started is stopped", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"torture: {error}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(result) | {"ok": result.ok}, indent=2) if args.json else table(result))
    return 0 if result.ok else 1


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
