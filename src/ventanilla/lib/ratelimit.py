"""Counting attempts in fixed time windows, in the cache (Redis when there are several machines)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache


def allow(scope: str, key: str, *, limit: int, per_seconds: int) -> bool:
    """Count one attempt for `key` and say whether it is within `limit` per window.

    The key is hashed, so addresses and visitor tokens never sit in the cache in clear.
    """
    window = int(time.time() // per_seconds)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return count(f"ratelimit:{scope}:{digest}:{window}", timeout=per_seconds + 1) <= limit


def count(name: str, *, timeout: int) -> int:
    """Add one to the cache's counter `name` (kept `timeout` seconds) and give its value."""
    with _one_at_a_time():
        cache.add(name, 0, timeout=timeout)
        try:
            return int(cache.incr(name))
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=timeout)
            return 1


@contextmanager
def _one_at_a_time() -> Iterator[None]:
    """Redis counts atomically. The file cache of one machine reads a count and writes it
    back: without a lock, the web server's threads and the other processes lose each
    other's attempts (300 attempts at once all went through a limit of 120). A lock file
    beside the cache's files makes each count one step, across threads and processes."""
    directory = getattr(cache, "_dir", None)  # the file cache's; other caches have none
    if directory is None:
        yield
        return
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "ratelimit.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def client_address(meta: dict[str, Any]) -> str:
    """The requesting person's address.

    Behind a reverse proxy the web server has already put the client's address here, read
    from the X-Forwarded-For that the trusted proxy appended (see `ventanilla run`): the
    header's first entries are whatever the client wrote, never to be believed.
    """
    return str(meta.get("REMOTE_ADDR", ""))
