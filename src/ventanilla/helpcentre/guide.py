"""The public guide of a desk: home, topics, articles and search, in the reader's language.

Pages are plain server-rendered HTML that work without JavaScript; their only script keeps
the guide on the device for reading offline (offline.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET

from ventanilla.desks.hours import opening_status
from ventanilla.desks.models import Desk
from ventanilla.desks.texts import speaking, spoken_language
from ventanilla.helpcentre import guide_selectors as guide
from ventanilla.helpcentre.directory import has_listed_services
from ventanilla.helpcentre.markdown import render as render_markdown
from ventanilla.knowledge.search import search as search_guide
from ventanilla.knowledge.selectors import body_at
from ventanilla.lib.languages import catalogue_language, is_rtl, native_name
from ventanilla.lib.ratelimit import allow, client_address

MAX_QUERY = 200
SEARCH_RESULTS = 10
PER_TOPIC = 8  # articles of each topic on the first page: its weight grows with topics only
PAGE_SECONDS = 300


@dataclass(frozen=True)
class Page:
    """The desk and the language a page of the guide is shown in."""

    desk: Desk
    lang: str
    languages: list[str]  # the languages the published guide has, the desk's first


def offered_languages(desk: Desk) -> list[str]:
    """The guide's languages, then those the desk added that no catalogue has (Ukrainian in
    a crisis): their pages list the articles in the nearest language the guide has."""
    languages = guide.guide_languages(desk)
    added = [c for c in desk.languages if c not in languages and catalogue_language(c) is None]
    return [*languages, *added] if languages else []


def open_page(desk: str, lang: str) -> Page | None:
    """The desk and language, if the desk exists and the guide has articles in `lang`."""
    found = guide.desk_by_slug(desk)
    languages = offered_languages(found) if found else []
    return Page(found, lang, languages) if found and lang in languages else None


def render_page(
    request: HttpRequest,
    page: Page,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    link: Callable[[str], str] | None = None,
    offered: Sequence[str] | None = None,
) -> HttpResponse:
    """A guide page with its chrome: interface strings in the language closest to the
    page's, the language switcher (`link` gives each language's address), the contacts,
    and whether the desk is open."""
    ui = spoken_language(page.desk, page.lang)
    link = link or (lambda code: reverse("helpcentre:guide-home", args=[page.desk.slug, code]))
    context = {
        **context,
        "desk": page.desk,
        "lang": page.lang,
        "dir": "rtl" if is_rtl(page.lang) else "ltr",
        "ui_lang": ui,
        "ui_dir": "rtl" if is_rtl(ui) else "ltr",
        "language_name": native_name(page.lang),
        "languages": [
            {"code": code, "name": native_name(code), "url": link(code)}
            for code in page.languages
            if offered is None or code in offered
        ],
        "contacts": guide.contacts(page.desk, page.lang),
    }
    with speaking(page.desk, ui):
        # Said when the page is made, with the instant it stops being true: guide.js hides
        # it from then on, so that a page from the cache or the device never misleads.
        context["opening"] = opening_status(page.desk, timezone.now())
        response = render(request, template, context, status=status)
    response["Content-Language"] = page.lang
    return response


def cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Briefly cacheable, with an ETag of its content so that a reload costs a 304."""
    if response.status_code != 200:
        return response
    response["Cache-Control"] = f"public, max-age={PAGE_SECONDS}"
    response["ETag"] = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


def not_found(request: HttpRequest, desk: str, lang: str = "") -> HttpResponse:
    """A 404 in the guide's look and in the reader's language when the desk is known."""
    found = guide.desk_by_slug(desk)
    languages = offered_languages(found) if found else []
    if found is None or not languages:
        return render(request, "helpcentre/not_found.html", status=404)
    if lang not in languages:
        accepted = request.headers.get("Accept-Language", "")
        lang = guide.best_language(found, accepted, languages) or languages[0]
    page = Page(found, lang, languages)
    return render_page(request, page, "helpcentre/guide/not_found.html", {}, status=404)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """/help/: the desks' help centres (straight to the one there is, for most installations)."""
    desks = guide.all_desks()
    if len(desks) == 1:
        return redirect("helpcentre:guide", desk=desks[0].slug)
    return render(request, "helpcentre/guide/desks.html", {"desks": desks})


@require_GET
def desk_home(request: HttpRequest, desk: str) -> HttpResponse:
    """/help/<desk>/: on to the guide in the language the browser asks for."""
    found = guide.desk_by_slug(desk)
    languages = offered_languages(found) if found else []
    accepted = request.headers.get("Accept-Language", "")
    lang = guide.best_language(found, accepted, languages) if found else None
    if lang is None:
        return not_found(request, desk)
    response = redirect("helpcentre:guide-home", desk=desk, lang=lang)
    patch_vary_headers(response, ["Accept-Language"])
    return response


def shelves_page(request: HttpRequest, desk: str, lang: str, template: str) -> HttpResponse:
    """A page with a few articles of each topic, and the way to the desk's services when it
    lists any: the home page, and the offline page."""
    page = open_page(desk, lang)
    if page is None:
        return not_found(request, desk, lang)
    context = {
        "shelves": [shelf.first(PER_TOPIC) for shelf in guide.shelves(lang)],
        "has_directory": has_listed_services(page.desk),
    }
    return cacheable(request, render_page(request, page, template, context))


@require_GET
def home(request: HttpRequest, desk: str, lang: str) -> HttpResponse:
    return shelves_page(request, desk, lang, "helpcentre/guide/home.html")


@require_GET
def topic(request: HttpRequest, desk: str, lang: str, topic: str) -> HttpResponse:
    page = open_page(desk, lang)
    found = guide.topic_by_key(topic) if page else None
    shelves = guide.shelves(lang, topic=found) if found else []
    if page is None or not shelves:
        return not_found(request, desk, lang)
    response = render_page(
        request,
        page,
        "helpcentre/guide/topic.html",
        {"shelf": shelves[0]},
        link=lambda code: reverse("helpcentre:guide-topic", args=[desk, code, topic]),
    )
    return cacheable(request, response)


@require_GET
def article(request: HttpRequest, desk: str, lang: str, key: str) -> HttpResponse:
    page = open_page(desk, lang)
    found = guide.published_article(key) if page else None
    shown = guide.text_in(found, lang) if found else None
    if page is None or found is None or shown is None:
        return not_found(request, desk, lang)
    context = {
        "article": found,
        "text": shown,
        "body": render_markdown(body_at(shown, page.desk)),
        "related": guide.related_articles(found, lang),
        "text_dir": "rtl" if is_rtl(shown.language) else "ltr",
        "text_language_name": native_name(shown.language),
    }
    response = render_page(
        request,
        page,
        "helpcentre/guide/article.html",
        context,
        link=lambda code: reverse("helpcentre:guide-article", args=[desk, code, key]),
        offered=[t.language for t in found.translations.all()],
    )
    return cacheable(request, response)


@require_GET
def search(request: HttpRequest, desk: str, lang: str) -> HttpResponse:
    page = open_page(desk, lang)
    if page is None:
        return not_found(request, desk, lang)
    query = " ".join(request.GET.get("q", "").split())
    problem, status, hits = "", 200, []
    if not query:
        problem = "empty"
    elif len(query) > MAX_QUERY:
        problem, status = "too-long", 400
    elif not allow("guide-search", client_address(request.META), limit=60, per_seconds=60):
        problem, status = "too-many", 429
    else:
        hits = search_guide(query, language=lang, limit=SEARCH_RESULTS).hits
    context = {"query": query[:MAX_QUERY], "hits": hits, "problem": problem, "limit": MAX_QUERY}
    response = render_page(request, page, "helpcentre/guide/search.html", context, status=status)
    response["Cache-Control"] = "no-store"  # what someone looked for stays off shared caches
    return response
