"""Every staff request passes here: a session ended everywhere or idle is signed out, an
active one is kept alive (polls do not count as activity), and the console and the
administration open only after the second factor when one is needed."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from ventanilla.access.services import (
    generation_of,
    has_second_factor,
    needs_no_second_factor,
    remember_no_second_factor,
    requires_two_factor,
)
from ventanilla.access.signals import GENERATION

SEEN = "access.seen"
TOUCH_SECONDS = 60  # the session is saved (and its expiry moved on) at most once a minute
GUARDED = ("/console/", "/admin/")
STAFF_PATHS = (*GUARDED, "/accounts/")  # public pages never read the session here
POLL_HEADER = "X-Ventanilla-Poll"


class SessionGuard:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(STAFF_PATHS):
            return self.get_response(request)  # a cacheable public page stays so
        user = request.user
        if user.is_authenticated and request.session.get(GENERATION, 0) != generation_of(user):
            logout(request)  # signed out everywhere since this session began
        elif user.is_authenticated:
            if request.headers.get(POLL_HEADER) != "1":
                _touch(request)
            gate = _second_factor_gate(request)
            if gate:
                return _redirect(request, gate)
        response = self.get_response(request)
        login = str(settings.LOGIN_URL)
        sent_to_sign_in = response.status_code == 302 and response["Location"].startswith(login)
        if sent_to_sign_in and request.headers.get("HX-Request"):
            return _redirect(request, response["Location"])
        return response


def _touch(request: HttpRequest) -> None:
    now = time.time()
    if now - request.session.get(SEEN, 0) > TOUCH_SECONDS:
        request.session[SEEN] = now  # saved: the idle time counts again from now


def _second_factor_gate(request: HttpRequest) -> str:
    """Where a signed-in person must go first: the code, or the enrolment; "" if nowhere."""
    if not request.path.startswith(GUARDED):
        return ""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return ""
    if needs_no_second_factor(user):
        return ""
    query = "?" + urlencode({"next": _page_of(request)})
    if has_second_factor(user):
        return reverse("two-factor") + query
    if requires_two_factor(user):
        return reverse("two-factor-enrol") + query
    remember_no_second_factor(user)
    return ""


def _page_of(request: HttpRequest) -> str:
    """The page to come back to: for a part refreshed by htmx, the page it is part of."""
    current = request.headers.get("HX-Current-URL", "") if request.headers.get("HX-Request") else ""
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def _redirect(request: HttpRequest, to: str) -> HttpResponse:
    """A redirect the page itself follows, also when asked by htmx (which would otherwise
    put the sign-in page inside the part it was refreshing)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = to
        return response
    return HttpResponseRedirect(to)
