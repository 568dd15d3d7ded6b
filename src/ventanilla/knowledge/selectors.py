"""Reads of the guide: articles with their translations, what is outdated, a desk's text."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ventanilla.desks.models import Desk
from ventanilla.knowledge.models import Article, Override, Translation
from ventanilla.knowledge.services import PRACTICAL
from ventanilla.lib.access import require
from ventanilla.lib.errors import NotFound


def articles_visible_to(user: Any) -> QuerySet[Article]:
    require(user, "knowledge.view_article")
    return Article.objects.select_related("topic").prefetch_related("translations", "related")


def article_for(user: Any, key: str) -> Article:
    found = articles_visible_to(user).filter(key=key).first()
    if found is None:
        raise NotFound(f"no article {key!r}")
    return found


def outdated_languages(article: Article) -> list[str]:
    """Translations made from an older version of the source-language text than today's."""
    translations = list(article.translations.all())
    source = next((t for t in translations if t.language == article.source_language), None)
    if source is None:
        return []
    return sorted(
        t.language
        for t in translations
        if t.language != article.source_language
        and (t.source_version is None or t.source_version < source.version)
    )


def body_at(translation: Translation, desk: Desk | None) -> str:
    """The body as a desk shows it: its practical details in place of {{practical}}, or
    after the body when the article has no such place; the body alone when it has none."""
    override = None
    if desk is not None:
        override = Override.objects.filter(
            article_id=translation.article_id, desk=desk, language=translation.language
        ).first()
    if override is None:
        return translation.body.replace(PRACTICAL, "").strip()
    if PRACTICAL in translation.body:
        return translation.body.replace(PRACTICAL, override.practical)
    return f"{translation.body}\n\n{override.practical}"
