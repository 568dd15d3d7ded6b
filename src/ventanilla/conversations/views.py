"""Signed links to message files, for providers that fetch media by URL (Twilio MMS)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from ventanilla.conversations.access import attachment_for_link
from ventanilla.lib.errors import NotFound


def file_link(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        attachment = attachment_for_link(token)
    except NotFound as error:
        return HttpResponse(error.detail, status=404, content_type="text/plain")
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.mime_type or "application/octet-stream",
        as_attachment=True,
        filename=attachment.filename or f"attachment-{attachment.pk}",
    )
    # The type is what a person's phone or a provider said: never let a browser render or
    # sniff it as a page of this site.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
