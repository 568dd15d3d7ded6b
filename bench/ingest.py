"""The way in under load: signed WhatsApp deliveries against a bare one-insert Django view.

    .venv/bin/python bench/ingest.py [--seconds 20] [--rate 100] [--agent-rate 50]
        [--agent-minutes 10] [--runs 3] [--skip-agent] [--only sqlite|postgres]
        [--json results.json] [--keep DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/ingest.py          # also on PostgreSQL + Redis

Everything goes through HTTP, so it measures whatever the server does. For each database
(SQLite; PostgreSQL + Redis when DATABASE_URL is set) and each run, three receivers:

- the baseline (bench/baseline_insert_app.py: a bare Django view that checks the signature,
  parses and inserts the message as one row, behind waitress with ventanilla's 8 threads)
  on ventanilla's own database settings made durable (SQLite: synchronous=FULL;
  PostgreSQL: synchronous_commit=on), and again made fast (synchronous=NORMAL;
  synchronous_commit=off): the ratio of the two is what durability costs;
- a fresh `ventanilla run` (web and task consumer), its WhatsApp channel made through the API
  on the default desk, its replies (if any) going to a fake Graph API here.

Each gets wrk -t1 -c16 for --seconds (a closed loop: the most deliveries per second; every
request a different message from one of 500 people, signed in advance), then --rate
deliveries per second for --seconds from an open-loop client (bench/load.py). After each,
the messages stored are counted (through the API for ventanilla, once the count settles)
against the deliveries acknowledged. ventanilla is compared with the baseline on the same
durability as its own settings (read back from the database); the report says which.
The load generators' own ceilings are measured first, against nginx answering 200.

Then, once per database, message to agent (bench/ingest_agent.py): `ventanilla run --demo`,
whose desk has the bot on, a WhatsApp channel on that desk, and --agent-rate deliveries per
second for --agent-minutes, each from a new person, timed until the API shows them, with the
resident memory of `ventanilla run` and its child processes sampled every second.

--runs 0 measures message to agent only; --keep DIR keeps the servers' homes and logs there
(the PostgreSQL databases are dropped all the same). The machine's load average before each
measurement is reported: other work on the machine slows whatever runs beside it.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import ingest_agent
from common import KEPT_OUT, MemoryWatch, summary
from ingest_agent import FakeGraph
from ingest_receivers import (
    PHONE_NUMBER_ID,
    SECRET,
    Backend,
    baseline,
    baseline_database,
    baseline_database_url,
    durability,
    installation,
    settled,
    showing,
    ventanilla,
    ventanilla_database,
)
from load import Request, closed_loop, fixed_rate, open_figures, trivial_endpoint, write_requests

RECEIVERS = ("baseline_durable", "baseline_fast", "ventanilla")
FIXED_FIRST = 50_000_000  # the fixed-rate deliveries' numbers start here, after wrk's
QUESTIONS = (  # what the demo guide answers, in the demo desk's languages
    "¿Cómo puedo renovar mi pasaporte?",
    "He perdido mi pasaporte, ¿qué tengo que hacer?",
    "How can I see a doctor without papers?",
    "Bonjour, j'ai perdu mon passeport",
    "كيف أجدد جواز السفر؟",
)


def _signed(n: int, sender: str, text: str) -> Request:
    message = {
        "from": sender,
        "id": f"wamid.BENCH{n:09d}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender}],
        "messages": [message],
    }
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": signature}


def load_delivery(n: int) -> Request:
    """The n-th delivery under load: a text from one of 500 people who write again."""
    return _signed(n, f"3461{n % 500:07d}", f"Mensaje de prueba número {n}")


def agent_delivery(n: int) -> Request:
    """The n-th delivery to an agent: a question the demo guide answers, from a new person,
    numbered at the end of its text ([n]) so that its conversation can be matched with it."""
    return _signed(n, f"3462{n:07d}", f"{QUESTIONS[n % len(QUESTIONS)]} [{n}]")


# --- the measurements -----------------------------------------------------------------------


def exercise(
    url: str, count: Callable[[], int], requests: Path, planned: int, args: argparse.Namespace
) -> dict[str, Any]:
    """wrk, then the fixed rate, against one receiver's webhook; its messages counted after
    each. After wrk, up to one delivery per connection may be stored unacknowledged."""
    load = os.getloadavg()[0]
    closed = closed_loop(url, requests, planned, args.seconds)
    expected = min(closed["acknowledged"], planned)
    stored, waited = settled(count, expected)
    before = count()
    fixed = open_figures(fixed_rate(url, load_delivery, FIXED_FIRST, args.rate, args.seconds))
    kept, waited_fixed = settled(lambda: count() - before, fixed["acknowledged"])
    return {
        "load_before": load,
        "closed": {
            **closed,
            "stored": stored,
            "lost": max(0, expected - stored),
            "settled_after_s": waited,
        },
        "fixed": {
            **fixed,
            "stored": kept,
            "lost": max(0, fixed["acknowledged"] - kept),
            "settled_after_s": waited_fixed,
        },
    }


def measure_baseline(
    backend: Backend,
    own: dict[str, Any],
    durable: bool,
    folder: Path,
    requests: Path,
    planned: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    with baseline_database_url(backend) as url:
        database = baseline_database(own, url, folder / "baseline.sqlite3", durable)
        log = folder / "baseline.log"
        with showing(log), baseline(database, log) as base:

            def count() -> int:
                return int(httpx.get(f"{base}/count", timeout=60).json()["messages"])

            return exercise(f"{base}/webhook", count, requests, planned, args)


def measure_ventanilla(
    backend: Backend,
    folder: Path,
    requests: Path,
    planned: int,
    graph: str,
    args: argparse.Namespace,
) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "ventanilla.log"
    with (
        showing(log),
        installation(backend, folder / "home") as env,
        ventanilla(env, log, "default", graph) as server,
        MemoryWatch(server.process.pid) as memory,
    ):
        result = exercise(server.channel["webhook_url"], server.inbound, requests, planned, args)
    return {**result, "rss_peak_mib": memory.peak_mib}


def measure_agent(
    backend: Backend, folder: Path, graph: str, args: argparse.Namespace
) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "ventanilla.log"
    with (
        showing(log),
        installation(backend, folder / "home") as env,
        ventanilla(env, log, "demo", graph, demo=True) as server,
    ):
        return ingest_agent.measure(
            base=server.base,
            headers=server.headers,
            channel=server.channel,
            pid=server.process.pid,
            make=agent_delivery,
            rate=args.agent_rate,
            seconds=args.agent_minutes * 60,
            inbound=server.inbound,
        )


def measure_generators(folder: Path, requests: Path, planned: int, rate: float) -> dict[str, Any]:
    """What wrk and the open-loop client reach against nginx answering 200 at once."""
    with trivial_endpoint(folder) as url:
        if url is None:
            return {}
        return {
            "wrk": closed_loop(url, requests, planned, 5),
            "fixed": open_figures(fixed_rate(url, load_delivery, 0, rate, 5)),
            "fixed_x10": open_figures(fixed_rate(url, load_delivery, 0, rate * 10, 5)),
        }


# --- the report -----------------------------------------------------------------------------


def _good(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if "error" not in r]


def _median(rows: list[dict[str, Any]], phase: str, key: str) -> float:
    return statistics.median(r[phase][key] for r in rows)


def _range(rows: list[dict[str, Any]], phase: str, key: str) -> str:
    return summary([r[phase][key] for r in rows])


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    runs = args.runs
    generators = results["generators"]
    print("Load generators against nginx answering 200 (5 s each)\n")
    if not generators or "error" in generators:
        print(f"(not measured: {generators.get('error', 'nginx is not installed')})\n")
    else:
        print("| generator | requests per second | p50 (ms) | p99 (ms) | client late, p99 (ms) |")
        print("|---|---|---|---|---|")
        wrk = generators["wrk"]
        print(
            f"| wrk -t1 -c16, closed loop | {wrk['per_second']:.0f} | {wrk['p50_ms']:.2f} | "
            f"{wrk['p99_ms']:.2f} | |"
        )
        for key, rate in (("fixed", args.rate), ("fixed_x10", args.rate * 10)):
            f = generators[key]
            print(
                f"| asyncio client, due at {rate:g}/s | {f['per_second']:.0f} | "
                f"{f['p50_ms']:.2f} | {f['p99_ms']:.2f} | {f['late_p99_ms']:.2f} |"
            )
        print()
    if runs:
        _load_report(results, args)
    agents = {n: e["agent"] for n, e in results["backends"].items() if e.get("agent")}
    for name, agent in agents.items():
        if "error" in agent:
            print(f"Message to agent on {name} failed: {agent['error']} (see stderr)\n")
    agents = {n: a for n, a in agents.items() if "error" not in a}
    if agents:
        _agent_report(agents, args)


def _load_report(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"Most deliveries per second: wrk -t1 -c16 for {args.seconds:g} s; then due at "
        f"{args.rate:g}/s for {args.seconds:g} s (open loop); {args.runs} run(s), median "
        "(min to max); lost: acknowledged but not stored\n"
    )
    print(
        "| receiver | deliveries/s | p50 (ms) | p99 (ms) | failed | lost | "
        f"at {args.rate:g}/s: p50 (ms) | p99 (ms) | failed | lost |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, entry in results["backends"].items():
        labels = (
            f"baseline, {name}, durable",
            f"baseline, {name}, fast",
            f"ventanilla, {name} ({entry['settings']})",
        )
        for key, label in zip(RECEIVERS, labels, strict=True):
            rows, failures = _good(entry[key]), len(entry[key]) - len(_good(entry[key]))
            label += f" ({failures} run(s) failed, see stderr)" if failures else ""
            if not rows:
                print(f"| {label} |" + " |" * 9)
                continue
            print(
                f"| {label} | {_range(rows, 'closed', 'per_second')} | "
                f"{_range(rows, 'closed', 'p50_ms')} | {_range(rows, 'closed', 'p99_ms')} | "
                f"{sum(r['closed']['failed'] for r in rows)} | "
                f"{sum(r['closed']['lost'] for r in rows)} | {_range(rows, 'fixed', 'p50_ms')} | "
                f"{_range(rows, 'fixed', 'p99_ms')} | {sum(r['fixed']['failed'] for r in rows)} | "
                f"{sum(r['fixed']['lost'] for r in rows)} |"
            )
    loads = [
        r["load_before"]
        for e in results["backends"].values()
        for k in RECEIVERS
        for r in _good(e[k])
    ] or [float("nan")]
    print(
        f"\nThe machine's 1-minute load average before each: {summary(loads)} "
        f"on {os.cpu_count()} CPUs\n"
    )
    for name, entry in results["backends"].items():
        _goals(name, entry, args)


def _goals(name: str, entry: dict[str, Any], args: argparse.Namespace) -> None:
    own = "baseline_durable" if entry["durable"] else "baseline_fast"
    if not all(_good(entry[key]) for key in RECEIVERS):
        print(f"{name}: a receiver has no figures, so the goals are not checked\n")
        return
    ours, base = _good(entry["ventanilla"]), _good(entry[own])
    rate = _median(ours, "closed", "per_second") / _median(base, "closed", "per_second")
    tail = _median(ours, "closed", "p99_ms") / _median(base, "closed", "p99_ms")
    cost = _median(_good(entry["baseline_durable"]), "closed", "per_second") / _median(
        _good(entry["baseline_fast"]), "closed", "per_second"
    )
    p50, p99 = _median(ours, "fixed", "p50_ms"), _median(ours, "fixed", "p99_ms")
    print(
        f"{name}: ventanilla's settings: {entry['settings']} "
        f"({'durable' if entry['durable'] else '**not durable**'}); compared with the baseline "
        f"made {'durable' if entry['durable'] else 'fast'} like it"
    )
    print(
        f"- deliveries per second, ventanilla / baseline: {rate:.2f} (goal at least 0.5: "
        f"{_verdict(rate >= 0.5)})"
    )
    print(
        f"- p99 under wrk, ventanilla / baseline: {tail:.2f} (goal at most 2: "
        f"{_verdict(tail <= 2)})"
    )
    print(
        f"- at {args.rate:g}/s: p50 {p50:.1f} ms (goal under 25: {_verdict(p50 < 25)}), "
        f"p99 {p99:.1f} ms (goal under 250: {_verdict(p99 < 250)})"
    )
    print(f"- durability's cost, baseline durable / fast deliveries per second: {cost:.2f}")
    if not entry["durable"]:
        durable = _median(ours, "closed", "per_second") / _median(
            _good(entry["baseline_durable"]), "closed", "per_second"
        )
        print(f"- (ventanilla / the durable baseline: {durable:.2f})")
    print(f"- ventanilla's peak RSS under load: {max(r['rss_peak_mib'] for r in ours):.0f} MiB")
    print()


def _agent_report(agents: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"Message to agent: due at {args.agent_rate:g}/s for {args.agent_minutes:g} min, each "
        "from a new person, the demo desk's bot on; seen = the first poll that showed it "
        "(upper bound), stamped = the conversation's created_at (lower bound)\n"
    )
    print(
        "| database | acknowledged | ack p50 / p99 (ms) | seen p50 / p99 / max (s) | "
        "stamped p99 (s) | bot replied, p99 (s) | lost | missed by the poller | "
        "peak RSS (MiB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")

    def s(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    for name, a in agents.items():
        print(
            f"| {name} | {a['acknowledged']}/{a['deliveries']} | {a['ack_p50_ms']:.1f} / "
            f"{a['ack_p99_ms']:.1f} | {s(a['visible_p50_s'])} / {s(a['visible_p99_s'])} / "
            f"{s(a['visible_max_s'])} | {s(a['stamped_p99_s'])} | {a['bot_replied']}, "
            f"{s(a['bot_reply_p99_s'])} | {a['lost']} | {a['missed_by_poller']} | "
            f"{a['rss_peak_mib']:.0f} |"
        )
    print()
    for name, a in agents.items():
        p99 = a["visible_p99_s"]
        print(
            f"- {name}: seen p99 {s(p99)} s (goal under 2: "
            f"{_verdict(p99 is not None and p99 < 2 and a['lost'] == 0)}); peak RSS "
            f"{a['rss_peak_mib']:.0f} MiB (goal under 1024: "
            f"{_verdict(a['rss_peak_mib'] < 1024)}); polls took {s(a['poll_p50_s'])} s "
            f"(median), {s(a['poll_max_s'])} s at most, {a['poll_failures']} failed; "
            f"all seen {a['seen_all_after_s']:.0f} s "
            f"after the last answer; load average before: {a['load_before']:.1f}"
        )


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="of wrk, and of the fixed rate")
    parser.add_argument("--rate", type=float, default=100, help="deliveries per second, fixed")
    parser.add_argument("--agent-rate", type=float, default=50)
    parser.add_argument("--agent-minutes", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3, help="0: message to agent only")
    parser.add_argument("--skip-agent", action="store_true")
    parser.add_argument(
        "--only", choices=("sqlite", "postgres"), help="one database (postgres: DATABASE_URL)"
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument(
        "--keep", type=Path, help="an empty folder to keep the servers' homes and logs in"
    )
    args = parser.parse_args()
    if args.seconds <= 0 or args.rate <= 0 or args.agent_rate <= 0 or args.runs < 0:
        parser.error("--seconds, --rate and --agent-rate must be positive, --runs at least 0")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: the folder is not empty")
    if args.agent_minutes <= 0 and not args.skip_agent:
        parser.error("--agent-minutes must be positive (or --skip-agent)")
    if args.only == "postgres" and not os.environ.get("DATABASE_URL"):
        parser.error("--only postgres needs DATABASE_URL")
    backends = [] if args.only == "postgres" else [Backend("SQLite")]
    if os.environ.get("DATABASE_URL") and args.only != "sqlite":
        name = "PostgreSQL + Redis" if os.environ.get("REDIS_URL") else "PostgreSQL"
        backends.append(Backend(name, os.environ["DATABASE_URL"]))

    results: dict[str, Any] = {
        "options": {k: str(v) for k, v in vars(args).items()},
        "backends": {},
    }
    with _scratch(args.keep) as scratch, FakeGraph() as graph:
        planned = max(10_000, round(args.seconds * 3000))
        requests = write_requests(scratch / "requests.txt", load_delivery, 0, planned)
        measure = partial(measure_generators, scratch / "nginx", requests, planned, args.rate)
        results["generators"] = _attempt(measure)
        for i, backend in enumerate(backends):
            env = {k: v for k, v in os.environ.items() if k not in KEPT_OUT}
            env.update(
                VENTANILLA_HOME=str(scratch / f"probe-{i}"), DATABASE_URL=backend.database_url
            )
            own = ventanilla_database(env)
            setting, durable = durability(own, backend.database_url)
            results["backends"][backend.name] = {
                "settings": setting,
                "durable": durable,
                "database": own,
                "baseline_durable": [],
                "baseline_fast": [],
                "ventanilla": [],
                "agent": None,
            }
        for run in range(args.runs):
            for i, backend in enumerate(backends):
                entry, place = results["backends"][backend.name], scratch / f"run{run}-{i}"
                for durable, key in ((True, "baseline_durable"), (False, "baseline_fast")):
                    own = entry["database"]
                    measure = partial(measure_baseline, backend, own, durable, place / key)
                    entry[key].append(_attempt(partial(measure, requests, planned, args)))
                    _save(results, args.json)
                measure = partial(measure_ventanilla, backend, place / "ventanilla", requests)
                entry["ventanilla"].append(_attempt(partial(measure, planned, graph.url, args)))
                _save(results, args.json)
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
        if not args.skip_agent:
            for i, backend in enumerate(backends):
                measure = partial(measure_agent, backend, scratch / f"agent-{i}", graph.url, args)
                results["backends"][backend.name]["agent"] = _attempt(measure)
                _save(results, args.json)
                print(f"message to agent on {backend.name} done", file=sys.stderr)
    report(results, args)


@contextmanager
def _scratch(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep.resolve()
        return
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _attempt(measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The measurement's figures, or what went wrong with it: the others go on."""
    try:
        return measure()
    except Exception as error:
        traceback.print_exc()
        return {"error": repr(error)}


def _save(results: dict[str, Any], path: Path | None) -> None:
    """Every figure so far, written after each measurement so a long run keeps them."""
    if path is not None:
        path.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
