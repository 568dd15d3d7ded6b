"""Load generators for the benchmarks: wrk in a closed loop, an asyncio client at fixed times.

`closed_loop` runs wrk with a Lua script that posts prepared requests in turn (every
request a different body, signed in advance: wrk's Lua has no HMAC). `fixed_rate` sends
from its own process at fixed times whether or not answers came (open loop), and counts
each latency from the time the request was due, so a stalled server cannot hide behind a
client that waited for it. `trivial_endpoint` starts nginx answering 200 at once, to
measure the generators' own ceilings.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from common import free_port, percentile

# A request: its body and headers. Makers must be module-level functions (fixed_rate
# pickles them into its own process).
Request = tuple[bytes, dict[str, str]]
Maker = Callable[[int], Request]

WRK_SCRIPT = r"""
local requests, threads = {}, {}
issued = 0  -- a global, so that done() can read it from the thread
function setup(thread) table.insert(threads, thread) end
function init(args)
  for line in io.lines(args[1]) do
    local fields, headers = {}, {}
    for part in line:gmatch("[^\t]+") do fields[#fields + 1] = part end
    for i = 1, #fields - 1 do
      local colon = fields[i]:find(": ", 1, true)
      headers[fields[i]:sub(1, colon - 1)] = fields[i]:sub(colon + 2)
    end
    requests[#requests + 1] = wrk.format("POST", nil, headers, fields[#fields])
  end
end
function request()
  issued = issued + 1
  return requests[(issued - 1) % #requests + 1]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('LOAD-WRK {"requests": %d, "duration_us": %d, "issued": %d, ' ..
    '"errors": %d, "non_2xx": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, threads[1]:get("issued"),
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def write_requests(path: Path, make: Maker, first: int, count: int) -> Path:
    """Requests `first`... as wrk's script reads them: headers, then the body, tab-separated."""
    with path.open("w") as out:
        for n in range(first, first + count):
            body, headers = make(n)
            out.write("\t".join([*(f"{k}: {v}" for k, v in headers.items()), body.decode()]))
            out.write("\n")
    return path


def closed_loop(
    url: str, requests: Path, count: int, seconds: float, connections: int = 16
) -> dict[str, Any]:
    """wrk -t1 -c`connections` posting the `count` prepared requests in turn for `seconds`."""
    script = requests.with_suffix(".lua")
    script.write_text(WRK_SCRIPT)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
        "--",
        str(requests),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in output.splitlines() if ln.startswith("LOAD-WRK "))
    figures = json.loads(line.removeprefix("LOAD-WRK "))
    return {
        "per_second": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50_ms": figures["p50_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "max_ms": figures["max_us"] / 1000,
        "completed": figures["requests"],
        "acknowledged": figures["requests"] - figures["non_2xx"],
        "issued": figures["issued"],  # completed, plus up to one in flight per connection
        "failed": figures["errors"] + figures["non_2xx"],
        "repeated": max(0, figures["issued"] - count),  # requests sent a second time
    }


@dataclass(frozen=True)
class Sent:
    n: int
    due: float  # wall-clock time the request was due
    late: float  # seconds the client started it after it was due
    latency: float  # seconds from due to the answer
    status: int  # 0: no answer


def fixed_rate(url: str, make: Maker, first: int, rate: float, seconds: float) -> list[Sent]:
    """Requests `first`, `first + 1`... due at `rate` per second, sent from another process."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_open_loop, url, make, first, rate, seconds).result()


def _open_loop(url: str, make: Maker, first: int, rate: float, seconds: float) -> list[Sent]:
    return asyncio.run(_send_all(url, make, first, rate, seconds))


async def _send_all(url: str, make: Maker, first: int, rate: float, seconds: float) -> list[Sent]:
    loop = asyncio.get_running_loop()
    prepared = [(n, *make(n)) for n in range(first, first + round(rate * seconds))]
    # aiohttp (installed with twilio) rather than httpx: httpx's pool slows down badly with
    # thousands of requests outstanding, which is what a stalled server leaves an open loop.
    connector = aiohttp.TCPConnector(limit=1024)  # beyond, requests wait in the client
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start, wall = loop.time() + 0.2, time.time() + 0.2

        async def post(n: int, body: bytes, headers: dict[str, str], due: float) -> Sent:
            began, status = loop.time(), 0
            with suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
            return Sent(n, wall + (due - start), began - due, loop.time() - due, status)

        tasks = []
        for i, (n, body, headers) in enumerate(prepared):
            due = start + i / rate
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            tasks.append(asyncio.create_task(post(n, body, headers, due)))
        return list(await asyncio.gather(*tasks))


def open_figures(sent: list[Sent]) -> dict[str, Any]:
    """Rate answered 200, latency percentiles (ms) and how late the client itself ran."""
    answered = [s.latency for s in sent if s.status == 200] or [float("nan")]
    span = max(s.due for s in sent) - min(s.due for s in sent) + min(answered)
    return {
        "per_second": sum(s.status == 200 for s in sent) / span,
        "p50_ms": percentile(answered, 0.50) * 1000,
        "p99_ms": percentile(answered, 0.99) * 1000,
        "max_ms": max(answered) * 1000,
        "late_p99_ms": percentile([s.late for s in sent], 0.99) * 1000,
        "acknowledged": sum(s.status == 200 for s in sent),
        "failed": sum(s.status != 200 for s in sent),
    }


NGINX = Path("/usr/sbin/nginx")
NGINX_CONFIG = """
worker_processes 1;
daemon off;
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 200 "EVENT_RECEIVED"; }}
    }}
}}
"""


@contextmanager
def trivial_endpoint(folder: Path) -> Iterator[str | None]:
    """The URL of nginx answering 200 to anything, or None when nginx is not installed."""
    if not NGINX.exists():
        yield None
        return
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = folder / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    config.write_text(NGINX_CONFIG.format(user=user, folder=folder, port=port))
    process = subprocess.Popen(
        [str(NGINX), "-p", str(folder), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("nginx did not answer")
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=30)
