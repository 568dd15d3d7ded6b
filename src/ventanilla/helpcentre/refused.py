"""The page a person sees when a form comes back without a valid security token."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from ventanilla.api.errors import error_response
from ventanilla.desks.models import Desk


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 in the person's language with a way back to the form, instead of Django's page.

    It happens when a form page stayed open for long, cookies were cleared, or the browser
    refused the session cookie; the way back reloads the form with a fresh token.
    """
    if request.path.startswith("/api/"):
        return error_response(403, "the request lacks a valid CSRF token", code="csrf")
    back = request.META.get("HTTP_REFERER", "")
    if not back or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = request.path
    else:
        back = urlsplit(back)._replace(scheme="", netloc="").geturl() or request.path
    slug = request.resolver_match.kwargs.get("desk") if request.resolver_match else None
    desk = Desk.objects.filter(slug=slug).first() if isinstance(slug, str) else None
    return render(request, "helpcentre/refused.html", {"back": back, "desk": desk}, status=403)
