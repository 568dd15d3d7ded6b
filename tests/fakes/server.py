"""A small threaded HTTP server that records what it receives and answers from a script."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)


@dataclass
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class FakeServer:
    """Start with `with FakeServer() as fake:`; `fake.url` is its base URL."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.scripted: deque[tuple[float, Answer | None]] = deque()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Received(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k: v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                with fake.lock:
                    fake.received.append(request)
                    delay, scripted = fake.scripted.popleft() if fake.scripted else (0.0, None)
                if delay:
                    time.sleep(delay)
                answer = scripted or fake.answer(request)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(answer.body)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:  # the caller is gone (a test killed it): nothing to answer
                    self.close_connection = True

            do_GET = do_POST = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, request: Received) -> Answer:
        return Answer(404, b'{"error": "no such endpoint"}')

    def script(self, answer: Answer | None = None, *, delay: float = 0.0) -> None:
        """Answer the next request this way (None: as usual), after `delay` seconds."""
        with self.lock:
            self.scripted.append((delay, answer))

    def requests_to(self, suffix: str, method: str = "POST") -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.method == method and r.path.endswith(suffix)]


def as_json(status: int, body: Any) -> Answer:
    return Answer(status, json.dumps(body).encode())
