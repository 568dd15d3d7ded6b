"""Bearer-token authentication for the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from ventanilla.api.models import Scope
from ventanilla.api.services import valid_token
from ventanilla.lib.errors import Forbidden

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = valid_token(token)
        if found is None:
            return None
        if found.scope == Scope.READ and request.method not in SAFE_METHODS:
            raise Forbidden("this token is read-only: make a read-write token to change data")
        request.user = found.user
        return found.user
