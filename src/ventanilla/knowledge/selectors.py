"""Reads of the guide: articles with their translations, what is outdated, a desk's text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.desks.models import Desk
from ventanilla.knowledge.models import Article, Override, Translation
from ventanilla.knowledge.search import search
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


@dataclass(frozen=True)
class Suggestion:
    """An article offered to an agent as the answer to a conversation's latest question."""

    key: str
    title: str
    language: str
    text: str  # title and body as the desk says it, ready to send
    score: float


def suggested_answers(conversation: Conversation, limit: int = 3) -> list[Suggestion]:
    """Articles answering what the person wrote since the last reply (of a conversation the
    caller got through `conversation_for`), in the person's language where they have it."""
    latest = list(
        Message.objects.filter(conversation=conversation, direction=Direction.IN)
        .exclude(text="")
        .order_by("-pk")
        .values_list("text", "pk")[:3]
    )
    replied = (
        Message.objects.filter(conversation=conversation, direction=Direction.OUT)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    asked = " ".join(t for t, pk in reversed(latest) if replied is None or pk > replied)
    if not asked:
        asked = latest[0][0] if latest else ""
    if not asked:
        return []
    found = search(asked, hint=conversation.language, limit=limit)
    ids = [hit.translation_id for hit in found.hits]
    translations = Translation.objects.select_related("article").in_bulk(ids)
    suggestions = []
    for hit in found.hits:
        translation = translations.get(hit.translation_id)
        if translation is None:
            continue
        body = body_at(translation, conversation.desk)
        suggestions.append(
            Suggestion(hit.key, hit.title, hit.language, f"{hit.title}\n\n{body}", hit.score)
        )
    return suggestions
