"""Inbound WhatsApp webhooks per second and their acknowledgement latency, every message counted.

    .venv/bin/python bench/webhooks.py [--deliveries 2000] [--clients 8] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/webhooks.py          # also on PostgreSQL + Redis

Each run starts a fresh `ventanilla run` (web and task consumer), configures a WhatsApp
channel through the API, and posts signed deliveries from several client threads at once,
each one text message from one of 200 invented senders, timing each request until its 200.
Then it counts the messages stored through the API, which must equal the deliveries, and
posts a tenth of them again, which must add nothing. The baseline, in the same run, is the
smallest Django app behind the same server checking the same signature and parsing the same
JSON, storing nothing (bench/baseline_app.py).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from common import BASELINE, BIN, free_port, installation, percentile, running, summary

SECRET = "bench-app-secret"  # noqa: S105 (the benchmark's own channel)
PHONE_NUMBER_ID = "106540352242922"


def delivery(n: int) -> bytes:
    sender = f"4477009{n % 200:05d}"
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "15550783881",
                                    "phone_number_id": PHONE_NUMBER_ID,
                                },
                                "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender}],
                                "messages": [
                                    {
                                        "from": sender,
                                        "id": f"wamid.BENCH{n:08d}",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": f"Mensaje de prueba número {n}"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def fire(url: str, bodies: list[bytes], clients: int) -> tuple[float, list[float]]:
    """Post every body with `clients` threads; return the wall time and each request's latency."""
    chunks = [bodies[i::clients] for i in range(clients)]

    def post(chunk: list[bytes]) -> list[float]:
        latencies = []
        with httpx.Client(timeout=30) as client:
            for body in chunk:
                signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                started = time.perf_counter()
                response = client.post(
                    url,
                    content=body,
                    headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
                )
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = [value for chunk in pool.map(post, chunks) for value in chunk]
    return time.perf_counter() - started, latencies


def measure_ventanilla(env: dict[str, str], deliveries: int, clients: int) -> dict[str, float]:
    port = free_port()
    command = [str(BIN / "ventanilla"), "run", "--addr", f"127.0.0.1:{port}"]
    with running(command, env, port):
        token = subprocess.run(
            [str(BIN / "ventanilla"), "token", "bench", "--role", "admin"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}"
        channel = httpx.post(
            f"{base}/api/v1/channels",
            headers=headers,
            timeout=30,
            json={
                "type": "whatsapp",
                "name": "Bench",
                "config": {
                    "phone_number_id": PHONE_NUMBER_ID,
                    "access_token": "bench",
                    "app_secret": SECRET,
                    "verify_token": "bench",
                    "api_base_url": "http://127.0.0.1:9",
                },
            },
        ).json()
        bodies = [delivery(n) for n in range(deliveries)]
        wall, latencies = fire(channel["webhook_url"], bodies, clients)
        fire(channel["webhook_url"], bodies[: deliveries // 10], clients)  # replays: nothing new
        stats = httpx.get(f"{base}/api/v1/conversations/stats", headers=headers, timeout=30).json()
        if stats["messages"]["inbound"] != deliveries:
            raise RuntimeError(
                f"{stats['messages']['inbound']} messages stored for {deliveries} deliveries"
            )
    return _figures(wall, latencies, deliveries)


def measure_baseline(deliveries: int, clients: int) -> dict[str, float]:
    port = free_port()
    with running([str(BIN / "python"), str(BASELINE), str(port)], dict(os.environ), port):
        wall, latencies = fire(
            f"http://127.0.0.1:{port}/webhook", [delivery(n) for n in range(deliveries)], clients
        )
    return _figures(wall, latencies, deliveries)


def _figures(wall: float, latencies: list[float], deliveries: int) -> dict[str, float]:
    return {
        "per_second": deliveries / wall,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    backends = {"SQLite (embedded)": ""}
    if os.environ.get("DATABASE_URL"):
        backends["PostgreSQL + Redis" if os.environ.get("REDIS_URL") else "PostgreSQL"] = (
            os.environ["DATABASE_URL"]
        )
    results: dict[str, list[dict[str, float]]] = {"baseline": [], **{name: [] for name in backends}}
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            results["baseline"].append(measure_baseline(args.deliveries, args.clients))
            for name, database_url in backends.items():
                with installation(
                    Path(scratch) / f"{run}-{len(results[name])}", database_url
                ) as env:
                    results[name].append(measure_ventanilla(env, args.deliveries, args.clients))
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)

    print(
        f"{args.deliveries} deliveries from {args.clients} clients, {args.runs} runs; "
        "median (min to max); every message counted after each run\n"
    )
    print("| receiver | deliveries per second | p50 latency (ms) | p99 latency (ms) |")
    print("|---|---|---|---|")
    labels = {
        "baseline": "baseline: signature + JSON, nothing stored",
        **{n: f"ventanilla, {n}" for n in backends},
    }
    for key, label in labels.items():
        rows = results[key]
        print(
            f"| {label} | {summary([r['per_second'] for r in rows])} | "
            f"{summary([r['p50_ms'] for r in rows])} | {summary([r['p99_ms'] for r in rows])} |"
        )
    base = sorted(r["per_second"] for r in results["baseline"])[len(results["baseline"]) // 2]
    for name in backends:
        rate = sorted(r["per_second"] for r in results[name])[len(results[name]) // 2]
        print(f"- {name}: {rate / base:.2f}x the baseline's rate")


if __name__ == "__main__":
    main()
