"""The one HTTP seam: every call to a provider's API goes through `request()`.

Tests point channels at fake provider servers on 127.0.0.1 through their `api_base_url`;
nothing here is replaced in tests.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings

import ventanilla

CONNECT_SECONDS = 10.0
USER_AGENT = f"ventanilla/{ventanilla.__version__}"

# One client per process: connection pooling across threads (httpx.Client is thread-safe).
# Redirects are followed; httpx drops the Authorization header when one leads to another host.
_client = httpx.Client(follow_redirects=True, headers={"User-Agent": USER_AGENT})

# Failures that happen before the request leaves this machine: the provider never saw it.
_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


class TransportError(Exception):
    """The provider could not be reached, or did not answer in time.

    `may_have_arrived`: the request was on its way (the answer timed out or the connection
    broke while waiting): the provider may have acted on it, so creating it again could
    do it twice.
    """

    def __init__(self, message: str, *, may_have_arrived: bool) -> None:
        super().__init__(message)
        self.may_have_arrived = may_have_arrived


def timeout() -> httpx.Timeout:
    return httpx.Timeout(float(settings.PROVIDER_TIMEOUT_SECONDS), connect=CONNECT_SECONDS)


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send one request; network failures become TransportError, any HTTP status is returned."""
    kwargs.setdefault("timeout", timeout())
    try:
        return _client.request(method, url, **kwargs)
    except httpx.TransportError as error:
        raise TransportError(
            f"{type(error).__name__} calling {httpx.URL(url).host}",
            may_have_arrived=not isinstance(error, _NEVER_SENT),
        ) from error
