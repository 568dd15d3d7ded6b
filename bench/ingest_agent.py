"""Message to agent for bench/ingest.py: from a delivery to the message seen through the API.

While deliveries go out at a fixed rate, each from a new person (so each opens its own
conversation), a poller pages through the channel's conversations, latest activity first,
until it reaches activity older than its previous poll (less a margin for writes committed
late), and notes when each conversation first shows. Afterwards every conversation of the
channel is listed once (any the poller missed is taken as seen then), and each one's
messages are read to match it with its delivery by the number at the end of its text.
A message's latency runs from the time its delivery was due to the poll answer that first
showed it: an upper bound, late by at most one poll. The conversation's created_at, stamped
by the server, gives a lower bound. The bot's first reply in each conversation, if any, is
timed the same way from its created_at. Replies go to `FakeGraph`, which accepts them all.
The poller's reads (a page or two every half second) load the server about as much as one
agent's console would.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from common import MemoryWatch, percentile
from load import Maker, Sent, fixed_rate

POLL_SECONDS = 0.5
POLL_MARGIN = 2.0  # seconds of activity looked at again in the next poll: more than a batch
# of the intake loop takes to commit, as its messages are stamped before they are committed
PAGE = 100  # a page of 200 costs the server three times one of 100
POLL_TIMEOUT = 120  # seconds a read may take on a saturated server
QUIET = 60  # seconds without a new conversation shown before the poller gives up
NUMBERED = re.compile(r"\[(\d+)\]\s*$")  # how the benchmark numbers each text


class FakeGraph:
    """Meta's Graph API as far as the bot's replies need it: every send accepted."""

    def __init__(self) -> None:
        self.sent = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.sent += 1
                self._answer(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "messages": [{"id": f"wamid.REPLY{fake.sent:09d}"}],
                    },
                )

            def do_GET(self) -> None:
                self._answer(404, {"error": {"message": "not faked here", "code": 100}})

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeGraph:
        threading.Thread(target=self.server.serve_forever, name="fake-graph", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _instant(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


class Poller(threading.Thread):
    """Notes when each conversation of a channel first shows in the API's list."""

    def __init__(self, base: str, headers: dict[str, str], channel: str) -> None:
        super().__init__(name="poller", daemon=True)
        self.url, self.headers, self.channel = f"{base}/api/v1/conversations", headers, channel
        self.seen: dict[int, float] = {}  # conversation id: when a poll first showed it
        self.created: dict[int, float] = {}  # conversation id: its created_at
        self.polls: list[float] = []  # each poll's duration
        self.failures = 0
        self.halt = threading.Event()

    def run(self) -> None:
        since = 0.0
        with httpx.Client(headers=self.headers, timeout=POLL_TIMEOUT) as client:
            while not self.halt.is_set():
                began = time.time()
                try:
                    self.poll(client, since - POLL_MARGIN)
                except httpx.HTTPError:  # a slow or failed answer: the next poll looks back
                    self.failures += 1  # as far as the last one that succeeded
                else:
                    since = began
                self.polls.append(time.time() - began)
                self.halt.wait(max(0.0, began + POLL_SECONDS - time.time()))

    def poll(self, client: httpx.Client, back_to: float) -> None:
        """Pages of the latest activity, until one reaches back before `back_to` (-inf: all)."""
        offset = 0
        while True:
            params: dict[str, Any] = {"channel": self.channel, "limit": PAGE, "offset": offset}
            items = client.get(self.url, params=params).raise_for_status().json()["items"]
            now = time.time()
            for item in items:
                self.seen.setdefault(item["id"], now)
                self.created.setdefault(item["id"], _instant(item["created_at"]))
            last = items[-1]["last_message_at"] if items else None
            if len(items) < PAGE or (last and _instant(last) < back_to):
                return
            offset += PAGE


def patiently(read: Callable[[], Any], attempts: int = 5) -> Any:
    """A read once the server answers it: a saturated one may time out a few times."""
    for attempt in range(attempts):
        try:
            answer = read()
            return (
                answer.raise_for_status().json() if isinstance(answer, httpx.Response) else answer
            )
        except httpx.HTTPError:
            if attempt == attempts - 1:
                raise
            time.sleep(5)
    raise AssertionError("unreachable")


def _read_conversations(base: str, headers: dict[str, str], ids: list[int]) -> list[Any]:
    """Each conversation's messages, read by eight clients at once."""

    def read(chunk: list[int]) -> list[tuple[int, list[dict[str, Any]]]]:
        with httpx.Client(headers=headers, timeout=POLL_TIMEOUT) as client:
            return [
                (key, patiently(partial(client.get, f"{base}/api/v1/conversations/{key}/messages")))
                for key in chunk
            ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [pair for chunk in pool.map(read, [ids[i::8] for i in range(8)]) for pair in chunk]


def measure(
    *,
    base: str,
    headers: dict[str, str],
    channel: dict[str, Any],
    pid: int,
    make: Maker,
    rate: float,
    seconds: float,
    inbound: Callable[[], int],
) -> dict[str, Any]:
    """Deliveries at `rate` for `seconds` to `channel`; when each was seen, and the memory."""
    before, load = inbound(), os.getloadavg()[0]
    poller = Poller(base, headers, channel["id"])
    with MemoryWatch(pid) as memory:
        poller.start()
        sent = fixed_rate(channel["webhook_url"], make, 0, rate, seconds)
        acknowledged = {s.n for s in sent if s.status == 200}
        waited = time.monotonic()
        last, quiet = len(poller.seen), time.monotonic()
        # Deliveries the client gave up on may be stored too: wait for as many as were sent.
        while len(poller.seen) < len(sent) and time.monotonic() - quiet < QUIET:
            time.sleep(1)
            if len(poller.seen) != last:
                last, quiet = len(poller.seen), time.monotonic()
        poller.halt.set()
        poller.join()
        drained = time.monotonic() - waited
    with httpx.Client(headers=headers, timeout=POLL_TIMEOUT) as client:
        known = set(poller.seen)
        patiently(lambda: poller.poll(client, float("-inf")))
        missed = len(set(poller.seen) - known)
    stored = inbound() - before
    figures = _figures(sent, acknowledged, poller, missed, stored, drained, memory, base, headers)
    return {**figures, "load_before": load}


def _figures(
    sent: list[Sent],
    acknowledged: set[int],
    poller: Poller,
    missed: int,
    stored: int,
    drained: float,
    memory: MemoryWatch,
    base: str,
    headers: dict[str, str],
) -> dict[str, Any]:
    due = {s.n: s.due for s in sent}
    seen: list[float] = []
    stamped: list[float] = []
    replied: list[float] = []
    found: set[int] = set()
    for key, entries in _read_conversations(base, headers, sorted(poller.seen)):
        numbers = [
            int(match[1])
            for e in entries
            if e.get("direction") == "in" and (match := NUMBERED.search(e["text"]))
        ]
        for n in numbers:
            found.add(n)
            seen.append(poller.seen[key] - due[n])
            stamped.append(poller.created[key] - due[n])
        replies = [e for e in entries if e.get("direction") == "out" and e.get("author") is None]
        if numbers and replies:
            replied.append(_instant(replies[0]["created_at"]) - due[numbers[0]])
    acked_latencies = [s.latency for s in sent if s.status == 200] or [float("nan")]
    return {
        "deliveries": len(sent),
        "acknowledged": len(acknowledged),
        "ack_p50_ms": percentile(acked_latencies, 0.50) * 1000,
        "ack_p99_ms": percentile(acked_latencies, 0.99) * 1000,
        "late_p99_ms": percentile([s.late for s in sent], 0.99) * 1000,
        "visible_p50_s": percentile(seen, 0.50) if seen else None,
        "visible_p99_s": percentile(seen, 0.99) if seen else None,
        "visible_max_s": max(seen, default=None),
        "stamped_p50_s": percentile(stamped, 0.50) if stamped else None,
        "stamped_p99_s": percentile(stamped, 0.99) if stamped else None,
        "bot_replied": len(replied),
        "bot_reply_p50_s": percentile(replied, 0.50) if replied else None,
        "bot_reply_p99_s": percentile(replied, 0.99) if replied else None,
        "stored": stored,
        "found": len(found & acknowledged),
        "lost": len(acknowledged - found),
        "missed_by_poller": missed,
        "poll_failures": poller.failures,
        "poll_p50_s": percentile(poller.polls, 0.50) if poller.polls else None,
        "poll_max_s": max(poller.polls, default=None),
        "seen_all_after_s": drained,
        "rss_peak_mib": memory.peak_mib,
        "rss_samples_mib": [round(kib / 1024, 1) for kib in memory.samples_kib],
    }
