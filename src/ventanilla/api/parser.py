"""Reading JSON request bodies, refusing what no database column can hold."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser

from ventanilla.lib.text import load_json, storable_data


class UnacceptableBody(ValueError):
    """A body that is valid JSON but cannot be accepted, with the reason for the client."""


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = load_json(request.body)  # Unreadable: not JSON, or nested too deep
        if _has_nul(data):
            # PostgreSQL text cannot hold NUL; refuse it here for every database alike.
            raise UnacceptableBody("text must not contain NUL (\\u0000) characters")
        return cast(dict[str, Any], storable_data(data))  # lone surrogates become U+FFFD
