"""Every error the API gives is JSON {"error": code, "detail": text} with the right status."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ventanilla.api.parser import UnacceptableBody
from ventanilla.lib.errors import ServiceError
from ventanilla.lib.text import Unreadable

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


def error_response(status: int, detail: str, *, code: str = "", **extra: Any) -> JsonResponse:
    body = {"error": code or CODES.get(status, "error"), "detail": detail, **extra}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="ventanilla"'
    return response


def _describe(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    fields = []
    for error in errors:
        # ninja prefixes the location with the parameter source and name ("body", "payload").
        loc = [str(part) for part in error.get("loc", ()) if part not in ("payload", "filters")]
        fields.append(
            {"field": ".".join(loc[1:]) or loc[0] if loc else "", "message": error["msg"]}
        )
    detail = "; ".join(
        f"{f['field']}: {f['message']}" if f["field"] else f["message"] for f in fields
    )
    return detail, fields


def install(api: NinjaAPI) -> None:
    def on(exc: type[Exception]) -> Callable[[Callable[..., HttpResponse]], Any]:
        return api.exception_handler(exc)

    @on(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return error_response(exc.status, exc.detail, code=exc.code)

    @on(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        detail, fields = _describe(exc.errors)
        return error_response(422, detail, fields=fields)

    @on(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(401, "a valid token is required: Authorization: Bearer <token>")

    @on(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, UnacceptableBody):
            return error_response(422, str(cause))
        if isinstance(cause, Unreadable):
            return error_response(400, str(cause))
        if isinstance(cause, ValueError):  # json.JSONDecodeError and UnicodeDecodeError
            return error_response(400, f"the body is not valid JSON: {cause}")
        return error_response(exc.status_code, str(exc))

    @on(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, "your role does not allow this")

    @on(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, str(exc) or "not found")

    @on(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(413, "the request body is too large")


class JsonErrorsMiddleware:
    """Under /api/, turns Django's own HTML error pages (unknown path, wrong method) into JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            detail = response.content.decode() if status == 400 else ""
            error = error_response(status, detail or HTTPStatus(status).phrase.lower())
            if "Allow" in response:
                error["Allow"] = response["Allow"]
            return error
        return response
