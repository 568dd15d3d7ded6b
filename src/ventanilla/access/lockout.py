"""Failed passwords: after too many for one account, or from one address, signing in is
refused for a while. Counted in the cache, so the limit holds across processes and machines
(Redis) or across the processes of one machine (the file cache)."""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

from ventanilla.lib.ratelimit import count

logger = logging.getLogger(__name__)


def _key(kind: str, scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"signin:{kind}:{scope}:{digest}"


def _limits() -> dict[str, int]:
    return {
        "account": settings.SIGNIN_ACCOUNT_ATTEMPTS,
        "address": settings.SIGNIN_ADDRESS_ATTEMPTS,
    }


def locked_for(username: str, address: str) -> int:
    """Seconds until the account, or the address, may try again; 0 when they may now."""
    now = time.time()
    until = [
        cache.get(_key("lock", scope, value), 0)
        for scope, value in (("account", username), ("address", address))
        if value
    ]
    return max(0, int(max(until, default=0) - now + 0.999))


def failed(username: str, address: str) -> bool:
    """Count a wrong password; say whether this one locked the account or the address."""
    window = settings.SIGNIN_LOCK_SECONDS
    locked = False
    for scope, value in (("account", username), ("address", address)):
        if not value:
            continue
        name = _key("failures", scope, value)
        if count(name, timeout=window) >= _limits()[scope]:
            cache.set(_key("lock", scope, value), time.time() + window, timeout=window)
            cache.delete(name)
            locked = True
            logger.warning("sign-in locked for %d s: too many failures for one %s", window, scope)
    return locked


def succeeded(username: str) -> None:
    """A right password clears the account's count (not the address's)."""
    cache.delete(_key("failures", "account", username))
