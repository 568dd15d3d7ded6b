"""The line's recorded prompts, fetched by the provider while it plays them to callers."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404, HttpRequest

from ventanilla.calls.models import VoicePrompt


def prompt(request: HttpRequest, prompt_id: int, version: int) -> FileResponse:
    """A prompt's recording. Public, as the provider fetches it without credentials; it
    holds nothing personal. The version in the path changes with each new recording."""
    found = VoicePrompt.objects.filter(pk=prompt_id).exclude(audio="").first()
    if found is None or found.version != version:
        raise Http404("no such prompt")
    mime = mimetypes.guess_type(found.audio.name or "")[0] or "audio/mpeg"
    response = FileResponse(found.audio.open("rb"), content_type=mime)
    response["Cache-Control"] = "public, max-age=86400, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
