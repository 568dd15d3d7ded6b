"""Refuse requests whose URL carries a NUL character, which no database text can hold."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RefuseNulMiddleware:
    """Form fields already refuse NUL (Django's forms); this covers paths and query strings."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in query.getlist(key)) for key in query
        ):
            return HttpResponseBadRequest("NUL characters are not allowed in the address")
        return self.get_response(request)


def content_policy(*, framed_by: str = "'none'") -> str:
    """The content-security policy of the console and the help centre.

    Nothing on their pages comes from elsewhere or runs inline (no inline script, handler or
    style, no eval): a message, an article or a name that slipped markup past the templates
    still could not run it. `framed_by`: who may show the page in a frame (the web chat's
    sites; nobody else).
    """
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {framed_by}"
    )


class ContentPolicyMiddleware:
    """Gives every page the strict policy, unless its view set a policy of its own (the web
    chat's framing, the sandbox of staff's downloads). The Django admin keeps Django's own
    defaults: it is not the console."""

    POLICY = content_policy()

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            "Content-Security-Policy" not in response
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith("/admin/")
        ):
            response["Content-Security-Policy"] = self.POLICY
        return response
