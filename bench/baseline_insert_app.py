"""The baseline of bench/ingest.py: a bare Django view keeping each delivery in one insert.

    BENCH_DATABASE='{"ENGINE": ..., "NAME": ..., "OPTIONS": {...}}' \
        python bench/baseline_insert_app.py PORT

POST /webhook checks the WhatsApp signature (HMAC-SHA256 of the body with the secret
"bench-app-secret"), parses the JSON, takes the first message's id, sender and text, and
inserts them with the whole body as one row (a repeated id changes nothing), then answers
200: the least a webhook receiver that keeps what it acknowledged must do. The database is
Django's own backend with the settings given in BENCH_DATABASE (the benchmark passes
ventanilla's, with the durability it measures). On SQLite the writers of this process take
turns on a lock, as ventanilla's SQLite backend makes them (src/ventanilla/lib/sqlite), so
the baseline is not slowed by SQLite's own retry naps. GET /api/v1/health answers 200;
GET /count gives the rows kept. Served by waitress with 8 threads, as `ventanilla run`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import sys
import threading
from contextlib import nullcontext
from typing import Any, NoReturn

import django
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

SECRET = b"bench-app-secret"
THREADS = 8  # `ventanilla run --threads` default
WRITER = threading.Lock()
TABLE = """CREATE TABLE IF NOT EXISTS bench_message (
    id VARCHAR(128) PRIMARY KEY, sender VARCHAR(64) NOT NULL, text TEXT NOT NULL, body TEXT NOT NULL
)"""
INSERT = (
    "INSERT INTO bench_message (id, sender, text, body) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (id) DO NOTHING"
)


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def count(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_message")
        return JsonResponse({"messages": cursor.fetchone()[0]})


@csrf_exempt
def webhook(request: HttpRequest) -> HttpResponse:
    expected = "sha256=" + hmac.new(SECRET, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(request.headers.get("X-Hub-Signature-256", ""), expected):
        return HttpResponse(status=403)
    try:
        message = json.loads(request.body)["entry"][0]["changes"][0]["value"]["messages"][0]
        row = (message["id"], message["from"], message["text"]["body"], request.body.decode())
    except (ValueError, LookupError, TypeError):
        return HttpResponse(status=400)
    turn = WRITER if connection.vendor == "sqlite" else nullcontext()
    with turn, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT, row)
    return HttpResponse("EVENT_RECEIVED")


urlpatterns = [
    path("api/v1/health", health),
    path("count", count),
    path("webhook", webhook),
]


def main() -> None:
    database: dict[str, Any] = json.loads(os.environ["BENCH_DATABASE"])
    settings.configure(
        DEBUG=False,
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["127.0.0.1"],
        SECRET_KEY="baseline",  # noqa: S106 (a throwaway app)
        DATABASES={"default": database},
    )
    django.setup()
    with connection.cursor() as cursor:
        cursor.execute(TABLE)
    connection.close()
    from django.core.wsgi import get_wsgi_application
    from waitress import serve

    def stop(signum: int, frame: object) -> NoReturn:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    serve(get_wsgi_application(), host="127.0.0.1", port=int(sys.argv[1]), threads=THREADS)


if __name__ == "__main__":
    main()
