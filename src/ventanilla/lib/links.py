"""Absolute URLs as people and providers outside see them."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def public_url(path: str, request: HttpRequest | None = None) -> str:
    """VENTANILLA_PUBLIC_URL + path; without that setting, the host the request came to."""
    base: str = settings.PUBLIC_URL
    if not base and request is not None:
        base = f"{request.scheme}://{request.get_host()}"
    return f"{base or 'http://127.0.0.1:8000'}{path}"
