"""Counting attempts in fixed time windows, in the cache (Redis when there are several machines)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.core.cache import cache


def allow(scope: str, key: str, *, limit: int, per_seconds: int) -> bool:
    """Count one attempt for `key` and say whether it is within `limit` per window.

    The key is hashed, so addresses and visitor tokens never sit in the cache in clear.
    """
    window = int(time.time() // per_seconds)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    name = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(name, 0, timeout=per_seconds + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=per_seconds + 1)
        count = 1
    return count <= limit


def client_address(meta: dict[str, Any]) -> str:
    """The requesting person's address.

    Behind a reverse proxy the web server has already put the client's address here, read
    from the X-Forwarded-For that the trusted proxy appended (see `ventanilla run`): the
    header's first entries are whatever the client wrote, never to be believed.
    """
    return str(meta.get("REMOTE_ADDR", ""))
