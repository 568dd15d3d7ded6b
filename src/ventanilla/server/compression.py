"""Pages, JSON and other text compressed with gzip when the client accepts it.

Files that are compressed already (images, audio, video, PDF, the static files WhiteNoise
sends pre-compressed) pass unchanged. Django's GZipMiddleware pads each response with
random bytes, its mitigation of BREACH for pages that carry a CSRF token.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware

TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/manifest+json",
    "image/svg+xml",
)


class CompressTextMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if not content_type.startswith(TEXT_TYPES):
            return response
        return super().process_response(request, response)
