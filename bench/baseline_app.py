"""The baseline of the benchmarks: the smallest Django app, served by waitress.

    python bench/baseline_app.py PORT

It answers GET /api/v1/health with a JSON 200, and POST /webhook by checking a WhatsApp
signature (HMAC-SHA256 of the body with the secret "bench-app-secret") and parsing the
JSON, then 200: the least any webhook receiver must do, with no database and no apps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import sys
from typing import NoReturn

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

SECRET = b"bench-app-secret"


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@csrf_exempt
def webhook(request: HttpRequest) -> HttpResponse:
    expected = "sha256=" + hmac.new(SECRET, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(request.headers.get("X-Hub-Signature-256", ""), expected):
        return HttpResponse(status=403)
    json.loads(request.body)
    return HttpResponse("EVENT_RECEIVED")


urlpatterns = [path("api/v1/health", health), path("webhook", webhook)]


def main() -> None:
    settings.configure(
        DEBUG=False,
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["127.0.0.1"],
        SECRET_KEY="baseline",  # noqa: S106 (a throwaway app)
    )
    django.setup()
    from django.core.wsgi import get_wsgi_application
    from waitress import serve

    def stop(signum: int, frame: object) -> NoReturn:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    serve(get_wsgi_application(), host="127.0.0.1", port=int(sys.argv[1]), threads=8)


if __name__ == "__main__":
    main()
