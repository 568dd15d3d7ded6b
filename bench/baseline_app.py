"""The baseline of bench/idle_run.py: the smallest Django app, served by waitress.

    python bench/baseline_app.py PORT

It answers GET /api/v1/health with a JSON 200 and nothing else: no database, no apps.
"""

from __future__ import annotations

import signal
import sys
from typing import NoReturn

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("api/v1/health", health)]


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
