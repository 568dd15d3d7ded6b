"""The one file browsers ask every site for, whatever its pages link to: /favicon.ico."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

ICON = Path(__file__).resolve().parent / "static" / "ventanilla" / "favicon.ico"


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(ICON.read_bytes(), content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
