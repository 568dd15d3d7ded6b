"""Start-up time and idle memory of `ventanilla run`, beside a bare Django app in the same run.

    .venv/bin/python bench/idle_run.py [--runs 5] [--idle 10]

For each run: start the process, time until GET /api/v1/health answers 200, let it idle,
then read its resident memory (VmRSS) and peak (VmHWM) from /proc, summed over the process
and its children (the supervisor, the web server, the intake loop, the consumer). Measured
fresh (an empty VENTANILLA_HOME: migrations, key generation) and warm (restarted on the
same home), serving the web app and running the task consumer together, on SQLite. The
baseline is the smallest Django app served by the same server (waitress), so the ratio
shows what ventanilla adds. Runs alternate between the three so machine noise spreads evenly.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BASELINE, BIN, free_port, summary, wait_healthy


def memory_kib(pid: int) -> tuple[int, int]:
    """Resident memory now and at its peak of the process and its children, summed (the
    supervisor of `ventanilla run`, its web server and its consumer)."""
    rss = peak = 0
    for member in _tree(pid):
        try:
            text = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        rss += int(fields["VmRSS"].split()[0])
        peak += int(fields["VmHWM"].split()[0])
    return rss, peak


def _tree(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        tree.update(children)
        frontier.extend(children)
    return tree


def measure(command: list[str], env: dict[str, str], port: int, idle: float) -> dict[str, float]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        startup = wait_healthy(process, port)
        time.sleep(idle)
        rss, peak = memory_kib(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return {"startup_s": startup, "rss_mib": rss / 1024, "peak_mib": peak / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--idle", type=float, default=10.0, help="seconds idle before reading memory"
    )
    args = parser.parse_args()

    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    results: dict[str, list[dict[str, float]]] = {
        "baseline": [], "fresh": [], "warm": [], "one": []
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            home = Path(scratch) / f"home-{run}"
            env = {**base_env, "VENTANILLA_HOME": str(home)}
            port = free_port()
            results["baseline"].append(
                measure([str(BIN / "python"), str(BASELINE), str(port)], base_env, port, args.idle)
            )
            for kind in ("fresh", "warm", "one"):  # later runs restart on the fresh one's home
                port = free_port()
                command = [str(BIN / "ventanilla"), "run", "--addr", f"127.0.0.1:{port}"]
                if kind == "one":
                    command.append("--one-process")
                results[kind].append(measure(command, env, port, args.idle))
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)

    print(f"{args.runs} runs, {args.idle:g} s idle; median (min to max)\n")
    print("| process | start-up to first 200 (s) | idle RSS (MiB) | peak RSS (MiB) |")
    print("|---|---|---|---|")
    labels = {
        "baseline": "bare Django 5.2 + waitress (baseline)",
        "fresh": "ventanilla run, fresh home (migrates)",
        "warm": "ventanilla run, restart (supervisor + web + intake + consumer)",
        "one": "ventanilla run --one-process, restart",
    }
    for kind, label in labels.items():
        rows = results[kind]
        print(
            f"| {label} | {summary([r['startup_s'] for r in rows])} | "
            f"{summary([r['rss_mib'] for r in rows])} | {summary([r['peak_mib'] for r in rows])} |"
        )
    print()
    for metric, name in (("startup_s", "start-up"), ("rss_mib", "idle RSS")):
        base = statistics.median(r[metric] for r in results["baseline"])
        for kind in ("fresh", "warm"):
            ratio = statistics.median(r[metric] for r in results[kind]) / base
            print(f"- {name}, {kind} / baseline: {ratio:.2f}x")


if __name__ == "__main__":
    main()
