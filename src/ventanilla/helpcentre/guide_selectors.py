"""What the public help centre reads of the guide: published articles only, in a language,
with a desk's practical details and the ways to reach the desk."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import metadata
from pathlib import Path

from django.db.models import Count, Max, Prefetch, Q
from django.urls import reverse
from django.utils.translation.trans_real import parse_accept_lang_header

from ventanilla.channels.models import Channel, ChannelType
from ventanilla.desks.models import Desk
from ventanilla.helpcentre.directory import directory_version
from ventanilla.knowledge.models import Article, Override, ReviewState, Topic, Translation

PUBLISHED = ReviewState.PUBLISHED
WHATSAPP_NUMBER = re.compile(r"^\d{7,15}$")


@dataclass(frozen=True)
class Listed:
    """An article as a list shows it: its title in the page's language, or in another."""

    key: str
    title: str
    language: str


@dataclass(frozen=True)
class Shelf:
    """A topic with its articles (the first few of them, on the guide's first page)."""

    key: str
    name: str
    articles: list[Listed]
    total: int

    def first(self, count: int) -> Shelf:
        return replace(self, articles=self.articles[:count])


@dataclass(frozen=True)
class Contact:
    """A way to reach a person at the desk."""

    kind: str  # "webchat", "whatsapp" or "portal"
    url: str


def desk_by_slug(slug: str) -> Desk | None:
    return Desk.objects.filter(slug=slug).first()


def all_desks() -> list[Desk]:
    return list(Desk.objects.order_by("name"))


def guide_languages(desk: Desk) -> list[str]:
    """The languages the published guide has an article in, the desk's own first."""
    found = set(
        Translation.objects.filter(article__state=PUBLISHED)
        .order_by("language")
        .values_list("language", flat=True)
        .distinct()
    )
    own = [code for code in desk.languages if code in found]
    return own + sorted(found - set(own))


def best_language(desk: Desk, accept_language: str, available: Sequence[str]) -> str | None:
    """The language to open the guide in: the first the browser asks for among the desk's
    languages, then among the guide's others; the desk's main language when none matches."""
    if not available:
        return None
    accepted = [code for code, _ in parse_accept_lang_header(accept_language) if code != "*"]
    own = [code for code in available if code in desk.languages]
    for candidates in (own, available):
        for asked in accepted:
            found = _match(asked, candidates)
            if found:
                return found
    return own[0] if own else available[0]


def _match(asked: str, candidates: Sequence[str]) -> str | None:
    by_case = {code.lower(): code for code in candidates}
    if asked.lower() in by_case:
        return by_case[asked.lower()]
    base = asked.split("-")[0].lower()
    return next((code for code in candidates if code.split("-")[0].lower() == base), None)


def _titles() -> Prefetch:
    return Prefetch(
        "translations",
        queryset=Translation.objects.only("id", "article_id", "language", "title").order_by(
            "language"
        ),
    )


def text_in(article: Article, language: str) -> Translation | None:
    """The article's translation to show on a page in `language`: that language, the same
    language without its region, Arabic for Darija, then the article's source language."""
    translations = {t.language: t for t in article.translations.all()}
    base = language.split("-")[0]
    same_base = [code for code in translations if code.split("-")[0] == base]
    wanted = [language, base, *same_base, "ar" if base == "ary" else "", article.source_language]
    for code in wanted:
        if code in translations:
            return translations[code]
    return next(iter(translations.values()), None)


def _listed(article: Article, language: str) -> Listed | None:
    shown = text_in(article, language)
    return Listed(article.key, shown.title, shown.language) if shown else None


def _by_title(articles: Iterable[Article], language: str) -> list[Listed]:
    listed = [found for article in articles if (found := _listed(article, language))]
    return sorted(listed, key=lambda item: (item.language != language, item.title.casefold()))


def shelves(language: str, *, topic: Topic | None = None) -> list[Shelf]:
    """The published articles by topic (those with none published left out), titled in
    `language` where they have it; two queries, however many articles."""
    articles = (
        Article.objects.filter(state=PUBLISHED)
        .select_related("topic")
        .prefetch_related(_titles())
        .order_by("topic__name", "key")
    )
    if topic is not None:
        articles = articles.filter(topic=topic)
    grouped: dict[int, tuple[Topic, list[Article]]] = {}
    for article in articles:
        grouped.setdefault(article.topic_id, (article.topic, []))[1].append(article)
    return [
        Shelf(found.key, found.name_in(language), _by_title(members, language), len(members))
        for found, members in grouped.values()
    ]


def topic_by_key(key: str) -> Topic | None:
    return Topic.objects.filter(key=key).first()


def published_article(key: str) -> Article | None:
    """The article with its translations and its published related articles' titles."""
    related = Article.objects.filter(state=PUBLISHED).prefetch_related(_titles())
    return (
        Article.objects.filter(key=key, state=PUBLISHED)
        .select_related("topic")
        .prefetch_related("translations", Prefetch("related", queryset=related))
        .first()
    )


def related_articles(article: Article, language: str) -> list[Listed]:
    return _by_title(article.related.all(), language)


def contacts(desk: Desk, language: str) -> list[Contact]:
    """The desk's web chat, WhatsApp number and request form, those it has."""
    found: dict[str, Contact] = {}
    channels = Channel.objects.filter(
        desk=desk,
        is_active=True,
        type__in=(ChannelType.WEBCHAT, ChannelType.WHATSAPP, ChannelType.PORTAL),
    ).order_by("created_at")
    for channel in channels:
        if channel.type in found:
            continue
        if channel.type == ChannelType.WEBCHAT:
            chat = reverse("helpcentre:webchat", args=[channel.pk])
            query = f"?lang={language}" if language in desk.languages else ""
            found[channel.type] = Contact("webchat", chat + query)
        elif channel.type == ChannelType.PORTAL:
            url = reverse("helpcentre:portal-request", args=[desk.slug])
            found[channel.type] = Contact("portal", url)
        elif number := _whatsapp_number(channel):
            found[channel.type] = Contact("whatsapp", f"https://wa.me/{number}")
    order = ("webchat", "whatsapp", "portal")
    return sorted(found.values(), key=lambda contact: order.index(contact.kind))


def _whatsapp_number(channel: Channel) -> str:
    """The number people write to, in digits, when the channel's configuration gives it
    (the phone number id WhatsApp's API uses is not a number anyone can write to)."""
    shown = str((channel.config or {}).get("display_phone_number", ""))
    digits = re.sub(r"[\s().+-]", "", shown)
    return digits if WHATSAPP_NUMBER.match(digits) else ""


def guide_version(desk: Desk) -> str:
    """A short tag that changes when anything a desk's help centre shows changes: articles,
    their states, translations, relations, topics, the desk's practical details and
    contacts, its directory of services, and the pages' own code. Offline copies are kept
    under it."""
    translations = Translation.objects.filter(article__state=PUBLISHED).aggregate(
        count=Count("id"), changed=Max("updated_at")
    )
    articles = Article.objects.aggregate(
        published=Count("id", filter=Q(state=PUBLISHED)), changed=Max("updated_at")
    )
    relations = Article.related.through.objects.aggregate(count=Count("id"), last=Max("id"))
    overrides = Override.objects.filter(desk=desk).aggregate(
        count=Count("id"), changed=Max("updated_at")
    )
    topics = list(Topic.objects.order_by("key").values_list("key", "name", "names"))
    state = (
        sorted(translations.items()),
        sorted(articles.items()),
        sorted(relations.items()),
        sorted(overrides.items()),
        topics,
        desk.name,
        desk.names,
        desk.languages,
        contacts(desk, ""),
        directory_version(desk),
        _code_version(),
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]


@cache
def _code_version() -> str:
    """The installed version and the guide's templates and static files as deployed."""
    folder = Path(__file__).parent
    files = sorted(
        [
            *(folder / "templates" / "helpcentre" / "guide").glob("*"),
            *(folder / "static" / "helpcentre").glob("*"),
        ]
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    try:
        installed = metadata.version("ventanilla")
    except metadata.PackageNotFoundError:
        installed = ""
    return f"{installed}:{digest.hexdigest()[:16]}"
