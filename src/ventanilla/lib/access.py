"""The one permission check every interface uses."""

from __future__ import annotations

from typing import Any

from ventanilla.lib.errors import Forbidden


def require(user: Any, permission: str) -> None:
    """Raise Forbidden unless the user is signed in and holds the permission."""
    if not user.is_authenticated or not user.has_perm(permission):
        raise Forbidden("your role does not allow this")
