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
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.mime_type)
    response["Cache-Control"] = "private, no-store"
    return response
