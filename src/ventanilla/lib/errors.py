"""Errors that services raise for requests they refuse; interfaces turn them into 4xx answers."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a stable machine-readable code and a sentence for people."""

    code = "invalid"
    status = 422

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Invalid(ServiceError):
    code, status = "invalid", 422


class NotFound(ServiceError):
    code, status = "not_found", 404


class Forbidden(ServiceError):
    code, status = "forbidden", 403


class Conflict(ServiceError):
    code, status = "conflict", 409


class ProviderError(ServiceError):
    """A provider's API failed to do what was asked of it."""

    code, status = "provider_error", 502


class Unavailable(ServiceError):
    """Something this machine lacks (a system library, say) keeps it from doing what was asked."""

    code, status = "unavailable", 503
