"""The one HTTP seam: every call to a provider's API goes through `request()`.

Tests point channels at fake provider servers on 127.0.0.1 through their `api_base_url`;
nothing here is replaced in tests.
"""

from __future__ import annotations

from typing import Any

import httpx

import ventanilla

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
USER_AGENT = f"ventanilla/{ventanilla.__version__}"

# One client per process: connection pooling across threads (httpx.Client is thread-safe).
# Redirects are followed; httpx drops the Authorization header when one leads to another host.
_client = httpx.Client(timeout=TIMEOUT, follow_redirects=True, headers={"User-Agent": USER_AGENT})


class TransportError(Exception):
    """The provider could not be reached, or did not answer in time."""


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send one request; network failures become TransportError, any HTTP status is returned."""
    try:
        return _client.request(method, url, **kwargs)
    except httpx.TransportError as error:
        raise TransportError(f"{type(error).__name__} calling {httpx.URL(url).host}") from error
