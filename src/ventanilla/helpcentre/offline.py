"""The guide as an installable web app that reads offline: manifest, service worker, the
list of pages it keeps, and the page it shows when a page needs the network.

The service worker lives at /help/<desk>/<lang>/sw.js, so its scope is that guide and no
more; its cache is named after guide_version(), so a changed guide is a changed worker,
which the browser installs in place of the old one with the guide's pages afresh.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from ventanilla.helpcentre import guide_selectors as guide
from ventanilla.helpcentre.directory import has_listed_services
from ventanilla.helpcentre.guide import (
    cacheable,
    not_found,
    open_page,
    shelves_page,
)
from ventanilla.lib.languages import is_rtl

ASSETS = (
    "helpcentre/public.css",
    "helpcentre/guide.css",
    "helpcentre/guide.js",
    "helpcentre/guide-icon.svg",
    "helpcentre/guide-icon-192.png",
)


def _home(desk: str, lang: str) -> str:
    return reverse("helpcentre:guide-home", args=[desk, lang])


def _js(value: Any) -> str:
    """A value as a JavaScript literal that cannot close a script element."""
    return json.dumps(value).replace("<", "\\u003c")


@require_GET
def offline_page(request: HttpRequest, desk: str, lang: str) -> HttpResponse:
    """What the service worker shows for a search, or a page not kept, without a network."""
    return shelves_page(request, desk, lang, "helpcentre/guide/offline.html")


@require_GET
def manifest(request: HttpRequest, desk: str, lang: str) -> HttpResponse:
    page = open_page(desk, lang)
    if page is None:
        return not_found(request, desk, lang)
    home = _home(desk, lang)
    icons = [
        {"src": static("helpcentre/guide-icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        *(
            {
                "src": static(f"helpcentre/guide-icon-{n}.png"),
                "sizes": f"{n}x{n}",
                "type": "image/png",
            }
            for n in (192, 512)
        ),
    ]
    content = {
        "id": home,
        "name": page.desk.name_in(lang),
        "short_name": page.desk.name_in(lang)[:24],
        "lang": lang,
        "dir": "rtl" if is_rtl(lang) else "ltr",
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "background_color": "#f4f6f9",
        "theme_color": "#1f5fae",
        "icons": icons,
    }
    response = JsonResponse(content, content_type="application/manifest+json")
    return cacheable(request, response)


@require_GET
def service_worker(request: HttpRequest, desk: str, lang: str) -> HttpResponse:
    page = open_page(desk, lang)
    if page is None:
        return HttpResponse("/* no such guide */", status=404, content_type="text/javascript")
    home = _home(desk, lang)
    context = {
        "cache": _js(f"guide:{home}:{guide.guide_version(page.desk)}"),
        "prefix": _js(f"guide:{home}:"),
        "list": _js(reverse("helpcentre:guide-offline-list", args=[desk, lang])),
        "offline": _js(reverse("helpcentre:guide-offline", args=[desk, lang])),
        "search": _js(reverse("helpcentre:guide-search", args=[desk, lang])),
    }
    response = render(request, "helpcentre/guide/sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = home
    return response


@require_GET
def offline_list(request: HttpRequest, desk: str, lang: str) -> HttpResponse:
    """Every page of this guide in this language and what they need, for the worker to keep:
    `required` must all be kept for the guide to work offline, `pages` as many as can be."""
    page = open_page(desk, lang)
    if page is None:
        return JsonResponse({"error": "not_found", "detail": "no such guide"}, status=404)
    shelves = guide.shelves(lang)
    services = reverse("helpcentre:guide-services", args=[desk, lang])
    pages = [services] if has_listed_services(page.desk) else []
    pages += [reverse("helpcentre:guide-topic", args=[desk, lang, s.key]) for s in shelves]
    pages += [
        reverse("helpcentre:guide-article", args=[desk, lang, listed.key])
        for shelf in shelves
        for listed in shelf.articles
    ]
    required = [
        _home(desk, lang),
        reverse("helpcentre:guide-offline", args=[desk, lang]),
        reverse("helpcentre:guide-manifest", args=[desk, lang]),
        *(static(asset) for asset in ASSETS),
    ]
    content = {"version": guide.guide_version(page.desk), "required": required, "pages": pages}
    response = JsonResponse(content)
    response["Cache-Control"] = "no-cache"
    return response
