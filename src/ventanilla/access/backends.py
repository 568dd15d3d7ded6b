"""Authentication that refuses, without checking the password, an account or an address
locked after too many failures (the console's and the administration's sign-in alike)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ventanilla.access import lockout
from ventanilla.lib.ratelimit import client_address


class LockingBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        address = client_address(request.META) if request is not None else ""
        if lockout.locked_for(username or "", address):
            raise PermissionDenied  # Django stops here and reports a failed sign-in
        return super().authenticate(request, username, password, **kwargs)
