"""The WSGI application, for `ventanilla run` or any WSGI server (gunicorn ventanilla.wsgi).

Providers' webhooks (/webhooks/...) go through the same URLs and views as everything else,
but past none of the middleware that pages and the API need (sessions, sign-in, language,
CSRF, messages, static files, compression, frame and security headers): a provider's call
carries no cookie, reads no page and is answered with a word. Only the refusal of NUL
characters in the address applies to both. That leaves a delivery's acknowledgement about a
fifth less work (docs/architecture.md, "The intake table").
"""

import os
from collections.abc import Callable, Iterable
from typing import Any, cast

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.utils import translation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
os.umask(0o077)  # what this process creates (a SQLite database, media) is its user's alone
pages = get_wsgi_application()

from ventanilla.lib.middleware import RefuseNulMiddleware  # noqa: E402 (needs Django set up)
from ventanilla.privacy.services import verify_data_key  # noqa: E402

WEBHOOKS = "/webhooks/"


class WebhookHandler(WSGIHandler):
    """Django's handler with the webhooks' own, shorter middleware chain."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        view = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        refuse_nul = RefuseNulMiddleware(cast(Callable[[HttpRequest], HttpResponse], view))

        def chain(request: HttpRequest) -> HttpResponse:
            translation.deactivate()  # the default language, whatever this thread served before
            return refuse_nul(request)

        self._middleware_chain = convert_exception_to_response(chain)


webhooks = WebhookHandler()


def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    if environ.get("PATH_INFO", "").startswith(WEBHOOKS):
        return webhooks(environ, start_response)
    return pages(environ, start_response)


verify_data_key()  # refuse to serve with a data key the database was not written with
