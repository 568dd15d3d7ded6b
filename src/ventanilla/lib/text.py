"""Text from outside made fit to store: lone surrogates become U+FFFD, NUL characters go.

JSON may escape half of a UTF-16 surrogate pair ("\\ud83d"); Python decodes it to a lone
surrogate that no UTF-8 database (PostgreSQL, SQLite) nor the encryption of personal data
can hold, and PostgreSQL refuses NUL in text and in jsonb. Every string a delivery or a
request body yields passes through `storable` before it is kept.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

REPLACEMENT = "\ufffd"
MAX_DEPTH = 64  # far beyond any provider's payload, far below Python's recursion limit

_SURROGATE = re.compile("[\ud800-\udfff]")
# In a JSON body a lone surrogate or a NUL can only come as an escape (raw ones are not
# UTF-8, or not allowed in a JSON string): a body without these escapes is storable as read.
_UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")


class Unreadable(ValueError):
    """A body that cannot be read as JSON ventanilla can keep, with the reason."""


def storable(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD and NUL characters removed.

    A high and a low surrogate that stand together become the character they encode.
    """
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text.replace("\x00", "")


def storable_data(value: Any, *, depth: int = 0) -> Any:
    """Decoded JSON with every string (keys too) made storable; Unreadable if nested deeper
    than MAX_DEPTH."""
    if isinstance(value, str):
        return storable(value)
    if depth >= MAX_DEPTH and isinstance(value, dict | list):
        raise Unreadable(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        return {storable(k): storable_data(v, depth=depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [storable_data(item, depth=depth + 1) for item in value]
    return value


def read_json(body: bytes) -> Any:
    """The body as JSON with storable strings, or Unreadable saying why not."""
    data = load_json(body)
    return storable_data(data) if _UNSTORABLE_ESCAPE.search(body) else data


def load_json(body: bytes) -> Any:
    """The body as JSON as it came, or Unreadable saying why not.

    Refused: what is not JSON or not UTF-8, nesting past MAX_DEPTH (a body of thousands of
    nested arrays would otherwise exhaust the parser's recursion), NaN and infinities
    (which PostgreSQL's jsonb cannot hold).
    """
    try:
        data = json.loads(body, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise Unreadable(f"nested more than {MAX_DEPTH} levels deep") from None
    except UnicodeDecodeError:
        raise Unreadable("the body is not UTF-8 text") from None
    except ValueError as error:  # JSONDecodeError, or a number too long or not finite
        raise Unreadable(f"the body is not valid JSON: {error}") from None
    _check_depth(data, 0)
    return data


def _check_depth(value: Any, depth: int) -> None:
    if not isinstance(value, dict | list):
        return
    if depth >= MAX_DEPTH:
        raise Unreadable(f"nested more than {MAX_DEPTH} levels deep")
    for item in value.values() if isinstance(value, dict) else value:
        _check_depth(item, depth + 1)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise ValueError("a number too large for a double")
    return number
