"""Changes to the guide: articles and their translations (each change a new version),
review states, desks' overrides, and import/export in DESIGN.md's JSON format."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from ventanilla.desks.models import Desk
from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.knowledge.models import (
    Article,
    Override,
    ReviewState,
    Topic,
    Translation,
    Version,
)
from ventanilla.lib.errors import Invalid
from ventanilla.lib.names import MAX_NAME, validate_names
from ventanilla.privacy.services import audit

KEY = re.compile(r"^[-a-z0-9_]{1,120}$")
MAX_BODY = 50_000
MAX_QUESTIONS = 50
MAX_QUESTION_LENGTH = 300
PRACTICAL = "{{practical}}"
AUDITED = {"created": "article.create", "updated": "article.update"}


@dataclass(frozen=True)
class Text:
    """An article's text in one language."""

    title: str
    body: str
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One article as the import format gives it."""

    key: str
    topic: str
    translations: Mapping[str, Text]
    source_language: str = ""
    related: tuple[str, ...] = ()
    state: str = ""


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _check_language(language: str, where: str) -> None:
    if len(language) > 16 or not LANGUAGE_CODE.match(language):
        raise Invalid(f"{where}: {language!r} is not a language code such as es, ar or zgh")


def _clean_text(text: Text, where: str) -> Text:
    title, body = " ".join(text.title.split()), text.body.strip()
    if not 0 < len(title) <= 200:
        raise Invalid(f"{where}: a title of 1 to 200 characters is needed")
    if not 0 < len(body) <= MAX_BODY:
        raise Invalid(f"{where}: a body of 1 to {MAX_BODY} characters is needed")
    questions = tuple(dict.fromkeys(" ".join(q.split()) for q in text.questions if q.strip()))
    if len(questions) > MAX_QUESTIONS or any(len(q) > MAX_QUESTION_LENGTH for q in questions):
        raise Invalid(
            f"{where}: at most {MAX_QUESTIONS} questions of {MAX_QUESTION_LENGTH} characters each"
        )
    return Text(title, body, questions)


def _check_entry(entry: Entry, where: str) -> Entry:
    if not KEY.match(entry.key):
        raise Invalid(f"{where}: key must be 1 to 120 lower-case letters, digits, - or _")
    if not KEY.match(entry.topic):
        raise Invalid(f"{where}: topic must be a key such as passports or legal-help")
    if not entry.translations:
        raise Invalid(f"{where}: at least one translation is needed")
    texts = {}
    for language, text in entry.translations.items():
        _check_language(language, f"{where}: translations")
        texts[language] = _clean_text(text, f"{where}: translations.{language}")
    if entry.source_language and entry.source_language not in texts:
        raise Invalid(f"{where}: the source language {entry.source_language!r} has no text")
    if entry.state and entry.state not in ReviewState.values:
        raise Invalid(f"{where}: state must be one of {', '.join(ReviewState.values)}")
    for key in entry.related:
        if not KEY.match(key):
            raise Invalid(f"{where}: related: {key!r} is not an article key")
    return Entry(entry.key, entry.topic, texts, entry.source_language, entry.related, entry.state)


def _save_translation(article: Article, language: str, text: Text, by: User | None) -> bool:
    """Keep the text as the next version of its translation; False when nothing changed."""
    found = Translation.objects.filter(article=article, language=language).first()
    if found and (found.title, found.body, tuple(found.questions)) == (
        text.title,
        text.body,
        text.questions,
    ):
        return False
    translation = found or Translation(article=article, language=language)
    translation.version = found.version + 1 if found else 1
    translation.title, translation.body = text.title, text.body
    translation.questions = list(text.questions)
    if language != article.source_language:
        source = Translation.objects.filter(
            article=article, language=article.source_language
        ).first()
        translation.source_version = source.version if source else None
    translation.save()
    Version.objects.create(
        article=article,
        language=language,
        number=translation.version,
        title=text.title,
        body=text.body,
        questions=list(text.questions),
        author=by,
    )
    return True


def _save(entry: Entry, by: User | None, *, default_state: str) -> str:
    """Create or update one checked entry; says which ("created", "updated", "unchanged")."""
    topic, _ = Topic.objects.get_or_create(
        key=entry.topic, defaults={"name": entry.topic.replace("-", " ").capitalize()}
    )
    article = Article.objects.filter(key=entry.key).first()
    created = article is None
    source = entry.source_language or (
        article.source_language
        if article
        else ("en" if "en" in entry.translations else next(iter(entry.translations)))
    )
    if article is None:
        article = Article.objects.create(
            key=entry.key,
            topic=topic,
            source_language=source,
            state=entry.state or default_state,
        )
    changed = False
    fields: dict[str, Any] = {"topic": topic, "source_language": source}
    if entry.state:
        fields["state"] = entry.state
    for name, value in fields.items():
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed = True
    if changed:
        article.save()
    # The source first, so that translations saved with it follow its new version.
    order = sorted(entry.translations, key=lambda language: language != source)
    for language in order:
        changed |= _save_translation(article, language, entry.translations[language], by)
    outcome = "created" if created else "updated" if changed else "unchanged"
    if outcome != "unchanged":
        audit(actor=by, action=AUDITED[outcome], target=article)
    return outcome


def _relate(entries: Sequence[Entry]) -> bool:
    changed = False
    for entry in entries:
        article = Article.objects.get(key=entry.key)
        wanted = set(Article.objects.filter(key__in=entry.related).exclude(pk=article.pk))
        missing = set(entry.related) - {a.key for a in wanted} - {entry.key}
        if missing:
            raise Invalid(f"{entry.key}: related: no article {sorted(missing)[0]!r}")
        if set(article.related.all()) != wanted:
            article.related.set(wanted)
            changed = True
    return changed


@transaction.atomic
def save_article(*, entry: Entry, by: User | None) -> tuple[Article, str]:
    """Create or update one article and its translations; a new one starts as a draft."""
    checked = _check_entry(entry, entry.key or "article")
    outcome = _save(checked, by, default_state=ReviewState.DRAFT)
    if _relate([checked]) and outcome == "unchanged":
        outcome = "updated"
    return Article.objects.get(key=checked.key), outcome


@transaction.atomic
def import_articles(*, entries: Sequence[Entry], by: User | None) -> Report:
    """Import a whole file: all of it or nothing; by key, so importing it again changes nothing.

    New articles are published (an import is the organisation's own guide); the state of
    existing ones changes only when the file says so.
    """
    checked = [_check_entry(e, f"article {i + 1} ({e.key})") for i, e in enumerate(entries)]
    keys = [e.key for e in checked]
    if len(set(keys)) != len(keys):
        duplicate = next(k for k in keys if keys.count(k) > 1)
        raise Invalid(f"the key {duplicate!r} appears twice")
    report = Report()
    for entry in checked:
        getattr(report, _save(entry, by, default_state=ReviewState.PUBLISHED)).append(entry.key)
    _relate(checked)
    return report


def export_articles() -> list[dict[str, Any]]:
    """Every article in the import format, with its state, source language and relations."""
    exported = []
    articles = Article.objects.select_related("topic").prefetch_related("translations", "related")
    for article in articles.order_by("key"):
        exported.append(
            {
                "key": article.key,
                "topic": article.topic.key,
                "state": article.state,
                "source_language": article.source_language,
                "related": sorted(a.key for a in article.related.all()),
                "translations": {
                    t.language: {"title": t.title, "body": t.body, "questions": t.questions}
                    for t in article.translations.all()
                },
            }
        )
    return exported


@transaction.atomic
def set_state(*, article: Article, state: str, by: User | None) -> Article:
    """Publish an article, or take it back to draft."""
    if state not in ReviewState.values:
        raise Invalid(f"state must be one of {', '.join(ReviewState.values)}")
    if state != article.state:
        article.state = state
        article.save(update_fields=["state", "updated_at"])
        audit(actor=by, action=f"article.{state}", target=article)
    return article


@transaction.atomic
def set_override(
    *, article: Article, desk: Desk, language: str, practical: str, by: User | None
) -> Override | None:
    """Give a desk its own practical details in one language; empty text removes them."""
    _check_language(language, "language")
    practical = practical.strip()
    if len(practical) > 10_000:
        raise Invalid("practical details: at most 10,000 characters")
    found = Override.objects.filter(article=article, desk=desk, language=language)
    if not practical:
        found.delete()
        audit(actor=by, action="article.override.delete", target=article, desk=desk.slug)
        return None
    override, _ = Override.objects.update_or_create(
        article=article, desk=desk, language=language, defaults={"practical": practical}
    )
    audit(actor=by, action="article.override", target=article, desk=desk.slug, language=language)
    return override


@transaction.atomic
def add_question(*, article: Article, language: str, question: str, by: User | None) -> bool:
    """Teach an article one more way people ask for it, in a language it is written in;
    False when it knew the question already."""
    question = " ".join(question.split())
    if not 0 < len(question) <= MAX_QUESTION_LENGTH:
        raise Invalid(f"a question of 1 to {MAX_QUESTION_LENGTH} characters is needed")
    translation = Translation.objects.filter(article=article, language=language).first()
    if translation is None:
        raise Invalid(f"the article {article.key!r} has no text in {language!r}")
    if question.casefold() in {q.casefold() for q in translation.questions}:
        return False
    if len(translation.questions) >= MAX_QUESTIONS:
        raise Invalid(f"the article already has {MAX_QUESTIONS} questions in {language!r}")
    text = Text(translation.title, translation.body, (*translation.questions, question))
    _save_translation(article, language, text, by)
    audit(actor=by, action="article.question", target=article)
    return True


@transaction.atomic
def name_topic(
    *, topic: Topic, by: User | None, name: str | None = None, names: dict[str, str] | None = None
) -> Topic:
    """Change a topic's main name, or its names in other languages (all of them at once)."""
    changed: list[str] = []
    if name is not None:
        if not name.strip() or len(name.strip()) > MAX_NAME:
            raise Invalid(f"name: 1 to {MAX_NAME} characters")
        topic.name, changed = name.strip(), [*changed, "name"]
    if names is not None:
        try:
            validate_names(names)
        except ValidationError as error:
            raise Invalid(f"names: {' '.join(error.messages)}") from None
        topic.names = {code: text.strip() for code, text in names.items()}
        changed.append("names")
    if changed:
        topic.save(update_fields=changed)
        audit(actor=by, action="topic.name", target=topic, fields=changed)
    return topic
