"""API v1: the consular guide's articles, its topics and its search."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from ninja.pagination import paginate

from ventanilla.api.pagination import Pagination
from ventanilla.knowledge import search as engine
from ventanilla.knowledge import services
from ventanilla.knowledge.formats import entry_from
from ventanilla.knowledge.models import Article, ReviewState, Topic
from ventanilla.knowledge.selectors import article_for, articles_visible_to, outdated_languages
from ventanilla.lib.access import require
from ventanilla.lib.errors import NotFound

router = Router(tags=["knowledge"])


class TextIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=services.MAX_BODY)
    questions: list[str] = Field(default_factory=list, max_length=services.MAX_QUESTIONS)


class ArticleIn(Schema):
    key: str = Field(min_length=1, max_length=120, pattern=r"^[-a-z0-9_]+$")
    topic: str = Field(min_length=1, max_length=80, pattern=r"^[-a-z0-9_]+$")
    translations: dict[str, TextIn] = Field(description="By language code: es, ar, zgh...")
    source_language: str = ""
    related: list[str] = Field(default_factory=list, max_length=50)
    state: ReviewState | None = None


class TranslationOut(Schema):
    language: str
    title: str
    body: str
    questions: list[str]
    version: int
    updated_at: datetime


class ArticleOut(Schema):
    key: str
    topic: str
    state: str
    source_language: str
    related: list[str]
    outdated: list[str] = Field(
        description="Languages whose translation follows an older source-language text."
    )
    translations: list[TranslationOut]
    updated_at: datetime

    @staticmethod
    def resolve_topic(article: Article) -> str:
        return article.topic.key

    @staticmethod
    def resolve_related(article: Article) -> list[str]:
        return sorted(a.key for a in article.related.all())

    @staticmethod
    def resolve_outdated(article: Article) -> list[str]:
        return outdated_languages(article)

    @staticmethod
    def resolve_translations(article: Article) -> list[Any]:
        return list(article.translations.all())


@router.post("/articles", response={200: ArticleOut, 201: ArticleOut})
def save_article(request: HttpRequest, payload: ArticleIn) -> Answer[Article]:
    """Create an article (201, a draft unless `state` says otherwise) or update it by key
    (200); each changed translation becomes a new version."""
    require(request.user, "knowledge.add_article")
    require(request.user, "knowledge.change_article")
    body = payload.dict()
    if body["state"] is None:
        body.pop("state")
    entry = entry_from(body)
    user: Any = request.user
    article, outcome = services.save_article(entry=entry, by=user)
    return Answer(201 if outcome == "created" else 200, article_for(user, article.key))


@router.get("/articles", response=list[ArticleOut])
@paginate(Pagination)
def list_articles(
    request: HttpRequest, topic: str | None = None, state: ReviewState | None = None
) -> QuerySet[Article]:
    found = articles_visible_to(request.user)
    if topic:
        found = found.filter(topic__key=topic)
    if state:
        found = found.filter(state=state)
    return found.order_by("key")


@router.get("/articles/{key}", response=ArticleOut)
def get_article(request: HttpRequest, key: str) -> Article:
    return article_for(request.user, key)


class SearchIn(Schema):
    q: str = Field(min_length=1, max_length=1000, description="The question, as people ask it.")
    lang: str | None = Field(
        None,
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="The question's language; recognised from the text when absent.",
    )
    limit: int = Field(5, ge=1, le=50)


class ResultOut(Schema):
    key: str
    lang: str
    title: str
    score: float = Field(description="How much of what the question could match it matched.")


class SearchOut(Schema):
    results: list[ResultOut]
    confident: bool = Field(description="Whether the first result is sure enough to answer with.")
    lang: str = Field(description="The question's language as understood; empty if unknown.")


@router.get("/search", response=SearchOut)
def search(request: HttpRequest, params: Query[SearchIn]) -> dict[str, Any]:
    """The published articles that answer a question, best first, in its language where
    they have it."""
    require(request.user, "knowledge.view_article")
    found = engine.search(params.q, language=params.lang or "", limit=params.limit)
    results = [
        {"key": hit.key, "lang": hit.language, "title": hit.title, "score": hit.score}
        for hit in found.hits
    ]
    return {"results": results, "confident": found.confident, "lang": found.language}


class TopicOut(Schema):
    key: str
    name: str
    names: dict[str, str] = Field(
        description='The name in other languages, by language code: {"ar": "...", "fr": "..."}'
    )
    sensitive: bool = Field(description="Always handed to a person at once")


class TopicPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    names: dict[str, str] | None = Field(
        None, description="The name in other languages; replaces them all ({} removes them)"
    )


@router.get("/topics", response=list[TopicOut])
def list_topics(request: HttpRequest) -> QuerySet[Topic]:
    require(request.user, "knowledge.view_topic")
    return Topic.objects.order_by("key")


@router.patch("/topics/{key}", response=TopicOut)
def update_topic(request: HttpRequest, key: str, payload: TopicPatch) -> Topic:
    """Name a topic, in its main language or in others."""
    require(request.user, "knowledge.change_topic")
    topic = Topic.objects.filter(key=key).first()
    if topic is None:
        raise NotFound(f"no topic {key!r}")
    user: Any = request.user
    return services.name_topic(topic=topic, by=user, **payload.dict(exclude_none=True))
