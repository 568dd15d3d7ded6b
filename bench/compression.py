"""Bytes on the wire and time of pages and static files, compressed against not.

    .venv/bin/python bench/compression.py [--runs 20]

Starts `ventanilla run --demo` in a fresh home (which collects the static files, timed
apart on a second start), signs in as the demo agent and, for each page, asks alternately
with `Accept-Encoding: gzip` and `identity`: the bytes received (the body as sent, before
any decompression), and the median time of the whole request on the loopback (so the
time shows the server's cost of compressing, not the network saving). On a slow mobile
link the saving in bytes is what the person waits for.
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from common import BIN, free_port, installation, running, wait_healthy

PASSWORD = "ventanilla-demo"  # noqa: S105 (the demo's public password)
ENCODINGS = ("gzip", "identity")


def sign_in(client: httpx.Client, who: str) -> None:
    form = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    answer = client.post(
        "/accounts/login/",
        data={
            "username": who,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token[1] if token else "",
        },
        headers={"Referer": f"{client.base_url}accounts/login/"},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"signing in as {who} answered {answer.status_code}")


def pages(client: httpx.Client) -> dict[str, str]:
    inbox = client.get("/console/").text
    conversation = re.search(r'href="(/console/c/\d+/)"', inbox)
    guide = client.get("/help/demo/es/", follow_redirects=True)
    css = re.search(r'href="(/static/console/console\.[0-9a-f]{12}\.css)"', inbox)
    htmx = re.search(r'src="(/static/console/vendor/htmx[^"]+\.js)"', inbox)
    found = {
        "console inbox": "/console/",
        "conversation page": conversation[1] if conversation else "",
        "help centre home (es)": str(guide.url.path),
        "API: 50 conversations": "/api/v1/conversations?desk=demo",
        "console.css (hashed)": css[1] if css else "",
        "htmx.js (hashed)": htmx[1] if htmx else "",
    }
    missing = [name for name, path in found.items() if not path]
    if missing:
        raise RuntimeError(f"not found on the inbox page: {missing}")
    return found


def measure(client: httpx.Client, path: str, encoding: str) -> tuple[int, float, str]:
    started = time.perf_counter()
    with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response:
        raw = b"".join(response.iter_raw())
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return len(raw), elapsed, response.headers.get("Content-Encoding", "none")


def start_and_stop(command: list[str], env: dict[str, str], port: int, log: Path) -> float:
    """Seconds until the process answers."""
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=sink)
    try:
        return wait_healthy(process, port)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, installation(Path(scratch) / "home") as env:
        port = free_port()
        command = [str(BIN / "ventanilla"), "run", "--demo", "--addr", f"127.0.0.1:{port}"]
        log = Path(scratch) / "run.log"
        first_start = start_and_stop(command, env, port, log)
        second_start = start_and_stop(command, env, port, log)
        with running(command, env, port, log):
            token = subprocess.run(
                [str(BIN / "ventanilla"), "token", "bench", "--role", "agent", "--desk", "demo"],
                env=env, capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
            sign_in(client, "amal")
            client.headers["Authorization"] = f"Bearer {token}"
            found = pages(client)
            rows = []
            for name, path in found.items():
                sizes: dict[str, int] = {}
                times: dict[str, list[float]] = {e: [] for e in ENCODINGS}
                sent_as: dict[str, str] = {}
                for _ in range(3):  # warm up
                    for encoding in ENCODINGS:
                        measure(client, path, encoding)
                for _ in range(args.runs):
                    for encoding in ENCODINGS:
                        size, elapsed, sent_as[encoding] = measure(client, path, encoding)
                        sizes[encoding] = size
                        times[encoding].append(elapsed * 1000)
                rows.append((name, sizes, times, sent_as["gzip"]))
        collected = log.read_text().count("Static files collected")
    print(
        f"first start (migrations, demo, static files collected {collected} time(s)): "
        f"{first_start:.1f} s; second start (nothing to collect): {second_start:.1f} s"
    )
    head = ("page", "identity", "gzip", "saved", "ms identity", "ms gzip")
    print("{:<24} {:>10} {:>10} {:>6} {:>12} {:>8}".format(*head))
    for name, sizes, times, encoding in rows:
        saved = 1 - sizes["gzip"] / sizes["identity"]
        print(
            f"{name:<24} {sizes['identity']:>10,} {sizes['gzip']:>10,} {saved:>6.0%} "
            f"{statistics.median(times['identity']):>12.1f} "
            f"{statistics.median(times['gzip']):>8.1f}"
            f"{'' if encoding == 'gzip' else '  (not compressed: ' + encoding + ')'}"
        )


if __name__ == "__main__":
    main()
